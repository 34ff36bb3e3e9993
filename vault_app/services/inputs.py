"""What a front end hands the service to add or change a record. ``None`` means "not given"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime

from vault_app.core import validate
from vault_app.core.errors import ValidationError

#: A value for :attr:`TokenFields.expires_at` that removes an expiry on edit.
CLEAR = "clear"


@dataclass(frozen=True, slots=True)
class TokenFields:
    """User-given fields; each has been validated by :func:`parse_fields` or the caller."""

    provider: str | None = None
    kind: str | None = None
    expires_at: datetime | str | None = None  # a datetime, CLEAR, or None
    not_before: datetime | str | None = None
    rotate_every_days: int | None = None
    scopes: tuple[str, ...] | None = None
    cidrs: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None
    endpoints: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    notes: str | None = None
    provider_options: tuple[tuple[str, str], ...] | None = None

    def given(self) -> dict[str, object]:
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


_NEVER = {"never", "none", "no", "clear"}


def parse_fields(
    now: datetime,
    *,
    provider: str | None = None,
    kind: str | None = None,
    expires: str | None = None,
    not_before: str | None = None,
    rotate_every: int | None = None,
    scopes: list[str] | None = None,
    cidrs: list[str] | None = None,
    countries: list[str] | None = None,
    endpoints: list[str] | None = None,
    resources: list[str] | None = None,
    tags: list[str] | None = None,
    notes: str | None = None,
    provider_options: list[str] | None = None,
) -> TokenFields:
    """Validate raw front-end input in one place, so the CLI and the GUI reject the same things."""

    def many(
        values: list[str] | None, check: Callable[[str], str], *, split: bool = True
    ) -> tuple[str, ...] | None:
        if values is None:
            return None
        out: list[str] = []
        for value in values:
            # "--scope a,b" and "--scope a --scope b" both work; an empty string clears the list.
            parts = value.split(",") if split else [value]
            out.extend(check(part) for part in parts if part.strip())
        return validate.unique(out)

    def moment(value: str | None) -> datetime | str | None:
        if value is None:
            return None
        if value.strip().lower() in _NEVER:
            return CLEAR
        return validate.when(value, now)

    if provider is not None and (not provider.strip() or len(provider) > 64):
        raise ValidationError("invalid provider: 1-64 characters")
    if notes is not None and len(notes) > 10_000:
        raise ValidationError("notes are too long: at most 10,000 characters")
    return TokenFields(
        provider=provider.strip().lower() if provider else None,
        kind=kind.strip() if kind else None,
        expires_at=moment(expires),
        not_before=moment(not_before),
        rotate_every_days=validate.rotation_days(rotate_every)
        if rotate_every is not None
        else None,
        scopes=many(scopes, validate.scope),
        cidrs=many(cidrs, validate.cidr),
        countries=many(countries, validate.country),
        endpoints=many(endpoints, validate.endpoint, split=False),
        resources=many(resources, validate.resource, split=False),
        tags=many(tags, validate.tag),
        notes=notes,
        provider_options=_options(provider_options),
    )


def _options(values: list[str] | None) -> tuple[tuple[str, str], ...] | None:
    """``KEY=VALUE`` pairs; ``KEY=`` removes that option on edit."""
    if values is None:
        return None
    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.replace("_", "").replace("-", "").isalnum() or len(key) > 64:
            raise ValidationError(
                f"invalid provider option {item[:40]!r}: expected KEY=VALUE, e.g. url=https://gitlab.example.com"
            )
        if len(value) > 2000:
            raise ValidationError(f"provider option {key} is too long")
        pairs[key] = value
    return tuple(pairs.items())
