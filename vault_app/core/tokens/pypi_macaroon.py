"""PyPI API tokens: ``pypi-`` + base64url of a version 2 binary macaroon, read offline.

Format (libmacaroons, "format v2"): a version byte 2; then fields, each a type byte, a varint
length and that many bytes. Header: [location(1)] identifier(2) EOS(0). Each caveat:
[location(1)] identifier(2) [vid(4)] EOS. Then EOS ends the caveats, then signature(6).
A caveat with a vid is third-party and cannot be read here.

First-party caveats are JSON (pypi/warehouse ``warehouse/macaroons/caveats``):
``[0, expires_at, not_before]``, ``[1, [project names]]``, ``[2, [project ids]]``,
``[3, user_id]``, ``[4, oidc_publisher_id]``; and the older dicts
``{"version": 1, "permissions": "user" | {"projects": [...]}}``, ``{"exp", "nbf"}``,
``{"project_ids": [...]}``. The signature cannot be checked without PyPI's key.

Resources are reported as ``project:NAME``, ``project-id:ID`` and ``oidc-publisher:ID``;
the user id (tag 3) becomes ``account``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime

from vault_app.core import validate
from vault_app.core.tokens.findings import Findings, timestamp

PREFIX = "pypi-"

_EOS, _LOCATION, _IDENTIFIER, _VID, _SIGNATURE = 0, 1, 2, 4, 6


class MacaroonFormatError(ValueError):
    """The bytes are not a well-formed v2 macaroon. The message never quotes the input."""


@dataclass(frozen=True, slots=True)
class Caveat:
    identifier: bytes
    location: bytes | None = None
    third_party: bool = False


@dataclass(frozen=True, slots=True)
class Macaroon:
    location: bytes | None
    identifier: bytes
    caveats: tuple[Caveat, ...]
    signature: bytes


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise MacaroonFormatError("the macaroon ends early")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def peek(self) -> int:
        if self.pos >= len(self.data):
            raise MacaroonFormatError("the macaroon ends early")
        return self.data[self.pos]

    def varint(self) -> int:
        value = 0
        for shift in range(0, 35, 7):
            part = self.byte()
            value |= (part & 0x7F) << shift
            if not part & 0x80:
                return value
        raise MacaroonFormatError("a length in the macaroon is too long")

    def field(self, expected: int) -> bytes:
        if self.byte() != expected:
            raise MacaroonFormatError("the macaroon's fields are out of order")
        length = self.varint()
        if length > len(self.data) - self.pos:
            raise MacaroonFormatError("the macaroon ends early")
        value = self.data[self.pos : self.pos + length]
        self.pos += length
        return value

    def optional(self, kind: int) -> bytes | None:
        return self.field(kind) if self.peek() == kind else None

    def eos(self) -> None:
        if self.byte() != _EOS:
            raise MacaroonFormatError("the macaroon's fields are out of order")


def parse_v2(data: bytes) -> Macaroon:
    """Parse a binary v2 macaroon; raises MacaroonFormatError for anything else."""
    reader = _Reader(data)
    if reader.byte() != 2:
        raise MacaroonFormatError("not a version 2 macaroon")
    location = reader.optional(_LOCATION)
    identifier = reader.field(_IDENTIFIER)
    reader.eos()
    caveats = []
    while reader.peek() != _EOS:
        cav_location = reader.optional(_LOCATION)
        cav_id = reader.field(_IDENTIFIER)
        vid = reader.optional(_VID)
        reader.eos()
        caveats.append(Caveat(cav_id, cav_location, third_party=vid is not None))
    reader.eos()
    signature = reader.field(_SIGNATURE)
    return Macaroon(location, identifier, tuple(caveats), signature)


def decode_b64(text: str) -> bytes:
    """base64url without padding (PyPI's encoding), strictly."""
    standard = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)


@dataclass
class _Limits:
    expires_at: datetime | None = None
    not_before: datetime | None = None
    names: list[set[str]] = field(default_factory=list)
    ids: list[set[str]] = field(default_factory=list)
    publishers: list[str] = field(default_factory=list)
    user: str | None = None
    warnings: list[str] = field(default_factory=list)

    def expiry(self, expires: object, not_before: object) -> None:
        exp, nbf = timestamp(expires), timestamp(not_before)
        if exp is None or nbf is None:
            self.warnings.append("an expiry caveat holds no valid time; it was ignored")
            return
        # Every caveat must hold, so the narrowest window wins.
        self.expires_at = exp if self.expires_at is None else min(self.expires_at, exp)
        self.not_before = nbf if self.not_before is None else max(self.not_before, nbf)

    def strings(self, value: object, into: list[set[str]]) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.warnings.append("a project caveat is malformed; it was ignored")
            return
        into.append({v for v in value if isinstance(v, str)})


def decode_token(token: str) -> Findings:
    """Caveats of a ``pypi-`` token as Findings; damage becomes a warning, never an exception."""
    try:
        macaroon = parse_v2(decode_b64(token[len(PREFIX) :]))
    except (MacaroonFormatError, binascii.Error, ValueError):
        return Findings(
            warnings=("the PyPI token's macaroon could not be decoded: truncated or damaged?",)
        )
    limits = _Limits()
    if macaroon.location not in (b"pypi.org", b"test.pypi.org"):
        limits.warnings.append("the macaroon's location is not pypi.org")
    for caveat in macaroon.caveats:
        if caveat.third_party:
            limits.warnings.append("a third-party caveat cannot be read offline")
            continue
        try:
            data = json.loads(caveat.identifier.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            limits.warnings.append("a caveat is not JSON and could not be read")
            continue
        _apply(data, limits)
    return _findings(limits)


def _apply(data: object, limits: _Limits) -> None:
    if isinstance(data, dict):
        data = _adapt_legacy(data, limits)
        if data is None:
            return
    if not isinstance(data, list) or not data or isinstance(data[0], bool):
        limits.warnings.append("a caveat has an unknown form and could not be read")
        return
    tag, *rest = data
    if tag == 0 and len(rest) >= 2:
        limits.expiry(rest[0], rest[1])
    elif tag == 1 and rest:
        limits.strings(rest[0], limits.names)
    elif tag == 2 and rest:
        limits.strings(rest[0], limits.ids)
    elif tag == 3 and rest and isinstance(rest[0], str):
        limits.user = rest[0]
    elif tag == 4 and rest and isinstance(rest[0], str):
        limits.publishers.append(rest[0])
    else:
        limits.warnings.append("a caveat has an unknown tag and could not be read")


def _adapt_legacy(data: dict[str, object], limits: _Limits) -> list[object] | None:
    """Map the pre-2023 dict caveats onto tagged lists, in warehouse's order of checks."""
    if data.get("version") == 1:
        permissions = data.get("permissions")
        if permissions == "user":
            return None  # the whole account of the token's owner: no narrower limit to show
        if isinstance(permissions, dict) and "projects" in permissions:
            return [1, permissions["projects"]]
        limits.warnings.append("a version 1 caveat has unknown permissions")
        return None
    if "exp" in data and "nbf" in data:
        return [0, data["exp"], data["nbf"]]
    if "project_ids" in data:
        return [2, data["project_ids"]]
    limits.warnings.append("a caveat has an unknown form and could not be read")
    return None


def _intersect(sets: list[set[str]]) -> list[str] | None:
    if not sets:
        return None
    common = set.intersection(*sets)
    return sorted(common)


def _findings(limits: _Limits) -> Findings:
    resources: list[str] = []
    for sets, label in ((limits.names, "project"), (limits.ids, "project-id")):
        common = _intersect(sets)
        if common is None:
            continue
        if not common:
            limits.warnings.append("the caveats leave no project this token may be used for")
        resources.extend(f"{label}:{value}" for value in common if 0 < len(value) <= 480)
    resources.extend(f"oidc-publisher:{p}" for p in limits.publishers if 0 < len(p) <= 480)
    if limits.expires_at and limits.not_before and limits.expires_at <= limits.not_before:
        limits.warnings.append("the expiry caveat ends before it starts: the token never works")
    return Findings(
        expires_at=limits.expires_at,
        not_before=limits.not_before,
        resources=validate.unique(resources),
        account=limits.user,
        warnings=validate.unique(limits.warnings),
    )
