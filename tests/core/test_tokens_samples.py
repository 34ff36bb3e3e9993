"""Sample-token factories shared by the token tests, and tests that the factories are right.

Samples are generated, never real: each factory follows the published scheme, and the tests
below pin the schemes to public examples so a factory bug cannot hide a detector bug.
"""

from __future__ import annotations

import base64
import json
import random
import zlib

import jwt

from vault_app.core.tokens import aws, checksum

BASE62 = checksum.BASE62
JWT_KEY = "test-key-for-hs256-signing-only-0123456789"


def rand(alphabet: str, n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


def crc_token(prefix: str, seed: int = 1) -> str:
    """GitHub/npm shape: prefix + 30 base62 + base62(CRC32) padded to 6."""
    body = rand(BASE62, 30, seed)
    crc = zlib.crc32(body.encode())
    digits = ""
    while crc:
        crc, r = divmod(crc, 62)
        digits = BASE62[r] + digits
    return prefix + body + digits.rjust(6, "0")


def break_last(token: str) -> str:
    """The same token with its last character changed: same shape, wrong checksum."""
    last = token[-1]
    return token[:-1] + ("a" if last != "a" else "b")


def gitlab_routable(prefix: str, routing: dict[str, str], *, version: bool = False) -> str:
    payload = "\n".join(f"{k}:{v}" for k, v in sorted(routing.items())).encode()
    random_bytes = bytes(range(16))
    encoded = base64.urlsafe_b64encode(payload + random_bytes + bytes([16])).decode().rstrip("=")
    length = _base36(len(encoded)).rjust(2, "0")
    head = f"{prefix}{encoded}." + ("01." if version else "") + length
    return head + _base36(zlib.crc32(head.encode())).rjust(7, "0")


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(kind: int, value: bytes) -> bytes:
    return bytes([kind]) + _varint(len(value)) + value


def macaroon_v2(
    caveats: list[bytes],
    *,
    location: bytes = b"pypi.org",
    identifier: bytes = b'{"nonce":"0","version":1}',
    third_party: tuple[bytes, ...] = (),
) -> bytes:
    """libmacaroons format v2: version 2, header, caveats (third-party ones carry a vid),
    EOS, signature."""
    out = bytearray([2])
    out += _field(1, location) + _field(2, identifier) + b"\x00"
    for cav in caveats:
        out += _field(2, cav) + b"\x00"
    for cav in third_party:
        out += _field(1, b"https://elsewhere.example") + _field(2, cav)
        out += _field(4, b"v" * 40) + b"\x00"
    out += b"\x00" + _field(6, bytes(32))
    return bytes(out)


def pypi_token(*caveats: object, **options: object) -> str:
    raw = [json.dumps(c, separators=(",", ":")).encode() for c in caveats]
    data = macaroon_v2(raw, **options)  # type: ignore[arg-type]
    return "pypi-" + base64.urlsafe_b64encode(data).decode().rstrip("=")


def aws_key_id(prefix: str, account: int, seed: int = 1) -> str:
    """A key id whose bits 1..40 of the first 6 bytes hold ``account`` (the decoding in
    reverse), with random bits elsewhere."""
    rng = random.Random(seed)
    high = (account << 7) | rng.getrandbits(7) | (rng.getrandbits(1) << 47)
    raw = high.to_bytes(6, "big") + rng.getrandbits(32).to_bytes(4, "big")
    return prefix + base64.b32encode(raw).decode()


def hs256(claims: dict[str, object], **headers: object) -> str:
    return jwt.encode(claims, JWT_KEY, algorithm="HS256", headers=headers or None)


def alg_none(claims: dict[str, object]) -> str:
    return jwt.encode(claims, None, algorithm="none")


# --- the factories against public examples ---------------------------------------------------


def test_crc_scheme_matches_githubs_published_example() -> None:
    # The example token in the widely cited base62-token write-up (coolaj86's gist).
    token = "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"
    assert checksum.base62_crc32(token[4:34]) == token[-6:]
    assert checksum.prefixed_base62_crc_ok(token)
    assert not checksum.prefixed_base62_crc_ok(break_last(token))


def test_crc_factory_produces_tokens_the_checker_accepts() -> None:
    for seed in range(50):
        token = crc_token("ghp_", seed)
        assert len(token) == 40
        assert checksum.prefixed_base62_crc_ok(token)


def test_aws_decoding_matches_the_published_example() -> None:
    assert aws.account_id("ASIAY34FZKBOKMUTVV7A") == "609629065308"


def test_aws_factory_round_trips_accounts_including_leading_zeros() -> None:
    for account in (0, 1, 123456789012, 999999999999, 42):
        key = aws_key_id("AKIA", account, seed=account % 7)
        assert len(key) == 20
        assert aws.account_id(key) == f"{account:012d}"


def test_gitlab_factory_is_checksummed_over_everything_before_the_crc() -> None:
    token = gitlab_routable("glpat-", {"o": "1", "u": "2s"})
    assert checksum.gitlab_routable_crc_ok(token)
    assert not checksum.gitlab_routable_crc_ok(break_last(token))


def test_macaroon_factory_starts_like_real_pypi_tokens() -> None:
    # Every real PyPI token starts with this: version 2, location field "pypi.org".
    assert pypi_token([3, "u"]).startswith("pypi-AgEIcHlwaS5vcmc")
