"""How long ``detect`` takes per sample kind, and on a 10 MB garbage paste.

Prints one line per kind, then (last line) one JSON object: kind -> median microseconds.
Run: ``python benchmarks/detect.py [repeats]``.
"""

from __future__ import annotations

import base64
import functools
import json
import random
import statistics
import sys
import time
import zlib
from collections.abc import Callable

import jwt

from vault_app.core.tokens import detect
from vault_app.core.tokens.checksum import base62_crc32

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
HEX = "0123456789abcdef"
RNG = random.Random(7)


def rand(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def _crc(prefix: str) -> str:
    body = rand(ALNUM, 30)
    return prefix + body + base62_crc32(body)


def _field(kind: int, value: bytes) -> bytes:
    assert len(value) < 128
    return bytes([kind, len(value)]) + value


def _pypi() -> str:
    caveats = [b"[0,1900000000,1800000000]", b'[1,["sampleproject"]]', b'[3,"user-id"]']
    data = bytearray([2]) + _field(1, b"pypi.org") + _field(2, b"id") + b"\x00"
    for cav in caveats:
        data += _field(2, cav) + b"\x00"
    data += b"\x00" + _field(6, bytes(32))
    return "pypi-" + base64.urlsafe_b64encode(bytes(data)).decode().rstrip("=")


def _gitlab_routable() -> str:
    payload = base64.urlsafe_b64encode(b"o:1\nu:2s" + bytes(16) + b"\x10").decode().rstrip("=")
    head = f"glpat-{payload}.{len(payload):02x}"
    crc, digits = zlib.crc32(head.encode()), ""
    while crc:
        crc, r = divmod(crc, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
    return head + digits.rjust(7, "0")


def samples() -> dict[str, str]:
    claims = {"exp": 2000000000, "sub": "u", "scope": "a b", "ip": ["10.0.0.0/8"], "aud": "x"}
    return {
        "github-classic-pat": _crc("ghp_"),
        "github-bad-checksum": _crc("ghp_")[:-1] + "0",
        "github-fine-grained-pat": "github_pat_" + rand(ALNUM, 22) + "_" + rand(ALNUM, 59),
        "gitlab-pat-routable": _gitlab_routable(),
        "stripe-secret-key": "sk_live_" + rand(ALNUM, 99),
        "aws-access-key-id": "ASIAY34FZKBOKMUTVV7A",
        "openai-project-key": "sk-proj-" + rand(ALNUM, 74) + "T3BlbkFJ" + rand(ALNUM, 74),
        "anthropic-api-key": "sk-ant-api03-" + rand(ALNUM, 93) + "AA",
        "npm-access-token": _crc("npm_"),
        "pypi-macaroon": _pypi(),
        "slack-bot": "xoxb-1234567890-1234567890123-" + rand(ALNUM, 24),
        "vault-service": "hvs." + rand(ALNUM, 95),
        "jwt-hs256": jwt.encode(claims, "k" * 32, algorithm="HS256"),
        "jwt-alg-none": jwt.encode(claims, None, algorithm="none"),
        "not-a-token": "correct horse battery staple",
        "jwt-like-60KB-near-cap": "eyJ" + rand(ALNUM, 60_000) + ".e30.",
        "garbage-10MB": rand(ALNUM + " \n", 4096) * (10 * 1024 * 1024 // 4096),
    }


def median_us(function: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        function()
        timings.append(time.perf_counter_ns() - start)
    return round(statistics.median(timings) / 1000, 2)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    results = {}
    for kind, value in samples().items():
        found = detect(value)
        results[kind] = median_us(functools.partial(detect, value), repeats)
        print(f"{kind:26} {results[kind]:>10.2f} us  -> {found.provider}/{found.kind}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
