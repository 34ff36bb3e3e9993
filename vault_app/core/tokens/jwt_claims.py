"""Read a JWT's header and claims WITHOUT verifying its signature.

Nothing here is trusted: the signature needs the issuer's key, which the vault does not have.
Everything read is labelled unverified (function names, ``claims_verified: false`` in JSON), and
the signature segment is never kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

from vault_app.core import validate
from vault_app.core.errors import ValidationError
from vault_app.core.tokens.findings import Findings, timestamp

#: A compact JWS: header (JSON object, so base64url "eyJ"), payload, signature (may be empty).
#: '.' is outside the character class, so the match is linear.
JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*", re.ASCII)

_SCOPE_CLAIMS = ("scope", "scp", "permissions", "roles")
_IP_CLAIMS = ("cidr", "ip", "allowed_ips", "ips")
_MAX_DEPTH = 32
_DECODE_OPTIONS = {
    "verify_signature": False,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
}


def decode_unverified(token: str) -> Findings:
    """Header and claims of ``token``, unverified. Never raises for malformed input: problems
    become warnings, because a half-readable JWT is still worth recognising."""
    # Imported here: PyJWT pulls in cryptography's x509 (~150 ms), which every CLI command
    # would otherwise pay through token detection, JWT or not.
    import jwt

    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options=_DECODE_OPTIONS)  # type: ignore[arg-type]
    except (jwt.InvalidTokenError, ValueError, RecursionError, TypeError):
        return Findings(warnings=("the JWT's header or claims could not be decoded",))
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return Findings(warnings=("the JWT's header or claims are not JSON objects",))
    return _findings_from_unverified(header, claims)


def unverified_times(token: str) -> tuple[datetime | None, datetime | None, datetime | None]:
    """(exp, nbf, iat) of a JWT embedded in another token, unverified; Nones when unreadable."""
    found = decode_unverified(token)
    return found.expires_at, found.not_before, found.issued_at


def _findings_from_unverified(header: dict[str, object], claims: dict[str, object]) -> Findings:
    warnings: list[str] = []
    times = {}
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        times[name] = timestamp(value)
        if value is not None and times[name] is None:
            warnings.append(f"the JWT's '{name}' claim is not a valid time; it was ignored")
    alg = header.get("alg")
    unsigned = isinstance(alg, str) and alg.strip().lower() == "none"
    if unsigned:
        warnings.append("JWT uses alg none: anyone can forge it")
    cidrs = _unverified_cidrs(claims, warnings)
    sub = claims.get("sub")
    account = str(sub) if isinstance(sub, str | int) and not isinstance(sub, bool) else None
    frozen = MappingProxyType({"header": _freeze(header, 0), "payload": _freeze(claims, 0)})
    return Findings(
        expires_at=times["exp"],
        not_before=times["nbf"],
        issued_at=times["iat"],
        scopes=_unverified_scopes(claims),
        cidrs=cidrs,
        resources=_unverified_audiences(claims),
        account=account or None,
        claims=frozen,
        unsigned=unsigned,
        warnings=tuple(warnings),
    )


def _words(value: object) -> Iterable[str]:
    """A claim that is a space-separated string or a list of strings, as single words."""
    if isinstance(value, str):
        yield from value.split()
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield from item.split()


def _unverified_scopes(claims: Mapping[str, object]) -> tuple[str, ...]:
    found = []
    for name in _SCOPE_CLAIMS:
        for word in _words(claims.get(name)):
            if len(word) <= 200:
                found.append(word)
    return validate.unique(found)


def _unverified_cidrs(claims: Mapping[str, object], warnings: list[str]) -> tuple[str, ...]:
    found = []
    for name in _IP_CLAIMS:
        value = claims.get(name)
        if value is None:
            continue
        items = value.replace(",", " ").split() if isinstance(value, str) else value
        if not isinstance(items, list):
            items = [items]
        bad = False
        for item in items:
            try:
                if not isinstance(item, str):
                    raise ValidationError("not text")
                found.append(validate.cidr(item))
            except ValidationError:
                bad = True
        if bad:
            warnings.append(
                f"the JWT's '{name}' claim holds something that is not an IP address or block; "
                "it was ignored"
            )
    return validate.unique(found)


def _unverified_audiences(claims: Mapping[str, object]) -> tuple[str, ...]:
    aud = claims.get("aud")
    values = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    return validate.unique(
        [f"audience:{v}" for v in values if isinstance(v, str) and 0 < len(v) <= 490]
    )


def _freeze(value: object, depth: int) -> object:
    """An immutable copy of decoded JSON, so a frozen Detection cannot be changed through it."""
    if depth > _MAX_DEPTH:
        return "(nested too deep)"
    if isinstance(value, dict):
        return MappingProxyType({str(k): _freeze(v, depth + 1) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v, depth + 1) for v in value)
    return value
