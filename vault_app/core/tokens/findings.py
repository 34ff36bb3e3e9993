"""What a decoder read from inside a token: the part of a Detection that varies by format."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class Findings:
    """Metadata a decoder found. Decoders return this instead of a Detection so that the
    registry, not each decoder, decides provider, kind and checksum."""

    expires_at: datetime | None = None
    not_before: datetime | None = None
    issued_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    cidrs: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    account: str | None = None
    claims: Mapping[str, object] | None = None
    unsigned: bool = False
    warnings: tuple[str, ...] = ()


def timestamp(value: object) -> datetime | None:
    """Seconds since the epoch as an aware UTC datetime; None for anything that is not a sane
    number (bool, NaN, out of range), because claims come from untrusted input."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
