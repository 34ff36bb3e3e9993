"""JWT claims: read without verification, each claim optional, alg none flagged."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from test_tokens_samples import alg_none, hs256

from vault_app.core.tokens import detect

EXP, NBF, IAT = 2000000000, 1700000000, 1690000000


def _segment(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def test_times_subject_and_audience() -> None:
    found = detect(hs256({"exp": EXP, "nbf": NBF, "iat": IAT, "sub": "user-7", "aud": "api"}))
    assert (found.provider, found.kind, found.unsigned) == ("jwt", "jwt", False)
    assert found.expires_at == datetime.fromtimestamp(EXP, UTC)
    assert found.not_before == datetime.fromtimestamp(NBF, UTC)
    assert found.issued_at == datetime.fromtimestamp(IAT, UTC)
    assert found.expires_at.tzinfo is not None
    assert found.account == "user-7"
    assert found.resources == ("audience:api",)
    assert found.warnings == ()


def test_each_claim_is_optional() -> None:
    found = detect(hs256({"hello": "world"}))
    assert found.provider == "jwt"
    assert (found.expires_at, found.not_before, found.issued_at, found.account) == (None,) * 4
    assert (found.scopes, found.cidrs, found.resources) == ((), (), ())


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_a_single_time_claim(claim: str) -> None:
    found = detect(hs256({claim: EXP}))
    values = {"exp": found.expires_at, "nbf": found.not_before, "iat": found.issued_at}
    assert values.pop(claim) == datetime.fromtimestamp(EXP, UTC)
    assert set(values.values()) == {None}


def test_list_audience() -> None:
    assert detect(hs256({"aud": ["a", "b", 3]})).resources == ("audience:a", "audience:b")


@pytest.mark.parametrize(
    ("claims", "scopes"),
    [
        ({"scope": "repo read:org"}, ("repo", "read:org")),
        ({"scp": ["User.Read", "Mail.Send"]}, ("User.Read", "Mail.Send")),
        ({"scp": "a b"}, ("a", "b")),
        ({"permissions": ["read:x", "write:x"]}, ("read:x", "write:x")),
        ({"roles": ["admin"]}, ("admin",)),
        ({"scope": "a b", "scp": ["b", "c"], "roles": ["d"]}, ("a", "b", "c", "d")),
        ({"scope": 5, "scp": [1, None]}, ()),
    ],
)
def test_scopes(claims: dict[str, object], scopes: tuple[str, ...]) -> None:
    assert detect(hs256(claims)).scopes == scopes


@pytest.mark.parametrize(
    ("claims", "cidrs"),
    [
        ({"cidr": "10.0.0.0/8"}, ("10.0.0.0/8",)),
        ({"ip": "203.0.113.7"}, ("203.0.113.7/32",)),
        ({"allowed_ips": ["2001:db8::/32", "192.0.2.0/24"]}, ("2001:db8::/32", "192.0.2.0/24")),
        ({"ips": "198.51.100.0/24, 2001:DB8::1"}, ("198.51.100.0/24", "2001:db8::1/128")),
    ],
)
def test_ip_bindings_are_normalised(claims: dict[str, object], cidrs: tuple[str, ...]) -> None:
    found = detect(hs256(claims))
    assert found.cidrs == cidrs
    assert found.warnings == ()


def test_invalid_ip_binding_becomes_a_warning() -> None:
    found = detect(hs256({"ip": ["10.0.0.0/8", "not-an-ip", "10.0.0.1/8"], "cidr": 7}))
    assert found.cidrs == ("10.0.0.0/8",)
    assert any("'ip'" in w for w in found.warnings)
    assert any("'cidr'" in w for w in found.warnings)


def test_alg_none_is_flagged() -> None:
    found = detect(alg_none({"sub": "x", "exp": EXP}))
    assert found.provider == "jwt"
    assert found.unsigned is True
    assert "JWT uses alg none: anyone can forge it" in found.warnings
    assert found.expires_at == datetime.fromtimestamp(EXP, UTC)


def test_signed_token_is_not_flagged_unsigned() -> None:
    found = detect(hs256({"sub": "x"}))
    assert found.unsigned is False
    assert not any("alg none" in w for w in found.warnings)


def test_claims_are_unverified_and_exclude_the_signature() -> None:
    token = hs256({"sub": "x", "iss": "https://issuer.example"}, kid="k1")
    found = detect(token)
    assert found.claims is not None
    assert found.claims["payload"] == {"sub": "x", "iss": "https://issuer.example"}
    assert found.claims["header"] == {"alg": "HS256", "typ": "JWT", "kid": "k1"}
    data = found.to_json()
    assert data["claims_verified"] is False
    signature = token.rsplit(".", 1)[1]
    assert signature not in json.dumps(data)
    assert signature not in repr(found)
    json.dumps(data)  # plain JSON types only


def test_claims_cannot_be_changed_through_the_detection() -> None:
    found = detect(hs256({"roles": ["a"], "nested": {"k": [1, 2]}}))
    assert found.claims is not None
    payload = found.claims["payload"]
    with pytest.raises(TypeError):
        payload["roles"] = ["admin"]  # type: ignore[index]
    assert found.to_json()["claims"] == {
        "header": {"alg": "HS256", "typ": "JWT"},
        "payload": {"roles": ["a"], "nested": {"k": [1, 2]}},
    }


def test_expired_token_is_still_read() -> None:
    # Reading must not apply pyjwt's own validation: an expired token is still worth showing.
    header = _segment({"alg": "HS256", "typ": "JWT"})
    claims = _segment({"exp": 1000, "nbf": 4000000000, "aud": "x", "iss": 5, "iat": "x"})
    found = detect(f"{header}.{claims}.c2ln")
    assert found.expires_at == datetime.fromtimestamp(1000, UTC)
    assert found.not_before == datetime.fromtimestamp(4000000000, UTC)
    assert found.claims is not None and found.claims["payload"]["iss"] == 5  # type: ignore[index]


@pytest.mark.parametrize("bad", ["soon", True, 1e300, float("nan"), [1]])
def test_malformed_time_claims_become_warnings(bad: object) -> None:
    header = _segment({"alg": "HS256", "typ": "JWT"})
    payload = (
        base64.urlsafe_b64encode(json.dumps({"exp": bad}, allow_nan=True).encode())
        .decode()
        .rstrip("=")
    )
    found = detect(f"{header}.{payload}.sig")
    assert found.provider == "jwt"
    assert found.expires_at is None
    assert any("'exp'" in w for w in found.warnings)


@pytest.mark.parametrize(
    "token",
    [
        _segment({"alg": "HS256"}) + ".bm90IGpzb24.sig",  # payload not JSON
        _segment({"alg": "HS256"}) + "." + _segment([1, 2]) + ".sig",  # payload not an object
        _segment({"alg": "HS256"}) + "." + _segment("x" * 10) + ".",
        "eyJub3QganNvbg.e30.",  # header not JSON
        _segment({"alg": "HS256"}) + "." + _segment({"a": 1})[:-1] + "!.x",
    ],
)
def test_undecodable_jwt_never_raises(token: str) -> None:
    found = detect(token)
    assert found.provider in ("jwt", None)
    if found.provider == "jwt":
        assert found.claims is None
        assert found.warnings


def test_deeply_nested_claims_are_bounded() -> None:
    deep: object = "leaf"
    for _ in range(200):
        deep = [deep]
    found = detect(hs256({"deep": deep}))
    assert found.provider == "jwt"
    json.dumps(found.to_json())


def test_hugely_nested_json_payload_does_not_escape_as_recursion_error() -> None:
    header = _segment({"alg": "HS256"})
    payload = base64.urlsafe_b64encode(b"[" * 30000 + b"]" * 30000).decode().rstrip("=")
    found = detect(f"{header}.{payload}.x")
    assert found.provider in ("jwt", None)
