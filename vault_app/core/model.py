"""Domain types of a token record. Frozen, secret-free: a record never holds the secret value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import NewType

TokenId = NewType("TokenId", str)

STANDARD_ENVIRONMENTS = ("dev", "staging", "prod")

#: The constraint dimensions a record carries, in display order.
CONSTRAINT_FIELDS = ("scopes", "cidrs", "countries", "endpoints", "resources")


_MICROSECOND = timedelta(microseconds=1)


class Source(StrEnum):
    """Where a piece of metadata came from, shown next to it so a user knows what to trust."""

    USER = "user"
    TOKEN = "token"
    PROVIDER = "provider"


class Status(StrEnum):
    OK = "ok"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    NO_EXPIRY = "no-expiry"


def _empty_sources() -> Mapping[str, Source]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Constraints:
    """The limits a token is bound to. An empty tuple means "unconstrained" in that dimension."""

    scopes: tuple[str, ...] = ()
    cidrs: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """Everything the vault knows about a token except its value."""

    id: TokenId
    name: str
    env: str
    provider: str | None
    kind: str | None
    fingerprint: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None
    not_before: datetime | None = None
    last_rotated_at: datetime | None = None
    rotate_every_days: int | None = None
    constraints: Constraints = field(default_factory=Constraints)
    tags: tuple[str, ...] = ()
    notes: str = ""
    version: int = 1
    #: field name -> where it came from (expires_at, not_before, provider, kind, scopes, cidrs, ...).
    sources: Mapping[str, Source] = field(default_factory=_empty_sources)
    #: What token intelligence read from the value when it was stored (non-secret, JSON-able):
    #: checksum validity, environment hint, unverified JWT claims, the token's own expiry, warnings.
    token_info: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    #: Settings for the record's provider adapter (e.g. the base URL of a self-hosted GitLab).
    #: Not secret: an option that needs a secret names another record instead.
    provider_options: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def scopes(self) -> tuple[str, ...]:
        return self.constraints.scopes

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.env)

    def seconds_left(self, now: datetime) -> int | None:
        if self.expires_at is None:
            return None
        return whole_seconds((self.expires_at - now) // _MICROSECOND)

    def status(self, now: datetime, expiring_within_seconds: int = 7 * 86400) -> Status:
        return status_for(self.seconds_left(now), expiring_within_seconds)


def whole_seconds(span_us: int) -> int:
    """Whole seconds in a span of microseconds, truncated toward zero like int() of a float, but
    exact (a float loses the microseconds once a span passes ~285 years)."""
    whole = abs(span_us) // 1_000_000
    return whole if span_us >= 0 else -whole


def status_for(seconds_left: int | None, expiring_within_seconds: int) -> Status:
    """The status of a record with this many whole seconds left (None: no expiry)."""
    if seconds_left is None:
        return Status.NO_EXPIRY
    if seconds_left <= 0:
        return Status.EXPIRED
    if seconds_left < expiring_within_seconds:
        return Status.EXPIRING
    return Status.OK


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A pointer to another record, e.g. in ``reused_in``."""

    name: str
    env: str
