"""detect() on arbitrary input: always a Detection, never an exception, never a hang."""

from __future__ import annotations

import base64
import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_tokens_samples import aws_key_id, crc_token

from vault_app.core.tokens import Detection, detect
from vault_app.core.tokens.aws import account_id
from vault_app.core.tokens.checksum import BASE62, base62_crc32
from vault_app.core.tokens.registry import FORMATS

PREFIXES = sorted({f.prefix for f in FORMATS})
TOKENISH = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.T3BlbkFJ"
HANG_GUARD_SECONDS = 1.0


def _check(found: object) -> None:
    assert isinstance(found, Detection)
    data = found.to_json()
    json.dumps(data)
    for key in ("expires_at", "not_before", "issued_at"):
        assert data[key] is None or str(data[key]).endswith("Z")
    if found.provider is None:
        assert found.kind is None and found.checksum_valid is None


@given(st.text(max_size=2000))
def test_any_text(value: str) -> None:
    _check(detect(value))


@given(st.binary(max_size=2000))
def test_any_bytes_decoded_leniently(raw: bytes) -> None:
    _check(detect(raw.decode("utf-8", errors="surrogateescape")))
    _check(detect(raw.decode("latin-1")))


@given(st.sampled_from(PREFIXES), st.text(alphabet=TOKENISH, max_size=400))
def test_registry_prefixes_followed_by_anything(prefix: str, rest: str) -> None:
    _check(detect(prefix + rest))


@given(st.sampled_from(PREFIXES), st.text(max_size=200))
def test_registry_prefixes_followed_by_unicode(prefix: str, rest: str) -> None:
    _check(detect(prefix + rest))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@given(
    st.dictionaries(st.text(max_size=8), _json, max_size=5),
    st.dictionaries(
        st.sampled_from(
            [
                "exp",
                "nbf",
                "iat",
                "sub",
                "aud",
                "scope",
                "scp",
                "roles",
                "ip",
                "ips",
                "cidr",
                "allowed_ips",
                "permissions",
            ]
        )
        | st.text(max_size=8),
        _json,
        max_size=8,
    ),
    st.text(alphabet=TOKENISH.replace(".", ""), max_size=40),
)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_jwt_shaped_input_with_arbitrary_json(
    header: dict[str, object], claims: dict[str, object], signature: str
) -> None:
    header_text = _b64(json.dumps(header).encode())
    if not header_text.startswith("eyJ"):
        return
    token = f"{header_text}.{_b64(json.dumps(claims).encode())}.{signature}"
    found = detect(token)
    _check(found)
    assert found.provider == "jwt"


@given(st.binary(max_size=600))
def test_pypi_prefix_with_arbitrary_bytes(raw: bytes) -> None:
    _check(detect("pypi-" + _b64(b"\x02" + raw)))


@given(st.binary(min_size=16, max_size=200))
def test_gitlab_routable_shape_with_arbitrary_payload(raw: bytes) -> None:
    payload = _b64(raw)
    _check(detect(f"glpat-{payload}.{len(payload):02x}abcdefg"))


@given(st.integers(min_value=0, max_value=10**12 - 1), st.integers(min_value=0, max_value=99))
def test_aws_account_round_trip(account: int, seed: int) -> None:
    key = aws_key_id("AKIA", account, seed)
    assert account_id(key) == f"{account:012d}"
    assert detect(key).account == f"{account:012d}"


@given(st.text(alphabet=BASE62, min_size=30, max_size=30))
def test_github_checksum_accepts_exactly_the_right_suffix(body: str) -> None:
    good = "ghp_" + body + base62_crc32(body)
    assert detect(good).checksum_valid is True
    wrong = base62_crc32(body[::-1])
    if wrong != base62_crc32(body):
        assert detect("ghp_" + body + wrong).checksum_valid is False


def _timed(value: str) -> tuple[Detection, float]:
    start = time.perf_counter()
    found = detect(value)
    return found, time.perf_counter() - start


def test_ten_megabyte_paste_is_refused_quickly() -> None:
    paste = ("lorem ipsum ghp_ " * 700_000)[: 10 * 1024 * 1024]
    found, seconds = _timed(paste)
    assert found.provider is None
    assert "too long to be a token" in found.warnings
    assert seconds < HANG_GUARD_SECONDS


def test_ten_megabytes_of_whitespace_around_a_token_is_refused() -> None:
    found, seconds = _timed(" " * (10 * 1024 * 1024) + crc_token("ghp_"))
    assert found.provider is None
    assert seconds < HANG_GUARD_SECONDS


def test_input_just_under_the_cap_is_still_examined() -> None:
    found = detect(" " * 1000 + crc_token("ghp_") + "\n" * 1000)
    assert found.provider == "github"


def test_pathological_inputs_do_not_backtrack() -> None:
    cap = 64 * 1024 - 100
    nasty = [
        "sk-proj-" + "T3BlbkFJ" * (cap // 8) + "!",
        "sk-proj-" + "a" * 190 + "T3BlbkFJ" + "a" * 190 + "!",
        "eyJ" + "a" * cap + ".",
        "eyJ" + "a." * (cap // 2),
        "eyJhIjoxfQ." + "a" * cap + ".!",
        "glpat-" + ("a" * 299 + ".") * 200,
        "glpat-" + "a" * 300 + ".aa." * 1000,
        "pypi-" + "A" * cap,
        "pypi-" + "AgEIcHlwaS5vcmc" + "A" * cap + "!",
        "s." + "a1" * 5000,
        "b.AAAA" + "a" * cap,
        "xoxb-" + "1" * cap,
        "hvs." + "a" * cap,
        "ghs_1_" + "a" * 8000 + "!",
        "ghs_1_eyJ" + "a" * 3000 + "." + "b" * 3000 + ".c",
    ]
    for value in nasty:
        found, seconds = _timed(value)
        _check(found)
        assert seconds < HANG_GUARD_SECONDS, value[:20]


def test_deep_pypi_caveat_json_is_handled() -> None:
    from test_tokens_samples import macaroon_v2

    data = macaroon_v2([b"[" * 20000 + b"]" * 20000, b'[3,"u"]'])
    found = detect("pypi-" + _b64(data))
    assert found.provider == "pypi"
    assert found.account == "u"
