"""Records as plain data for front ends: the JSON contract of ``list``/``show`` and its helpers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from vault_app.core.model import RecordRef, TokenRecord

if TYPE_CHECKING:
    from vault_app.core.health import Finding


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else _iso(moment)


@lru_cache(maxsize=8192)
def _iso(moment: datetime) -> str:
    # Cached: a list of 10,000 records repeats the same creation and update times many times.
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def record_json(
    record: TokenRecord,
    now: datetime,
    reused_in: tuple[RecordRef, ...] = (),
    *,
    expiring_within_seconds: int = 7 * 86400,
    findings: Sequence[Finding] = (),
) -> dict[str, object]:
    c = record.constraints
    # Tuples go to JSON as arrays as they are: no copies, since this runs for every record.
    return {
        "name": record.name,
        "env": record.env,
        "provider": record.provider,
        "kind": record.kind,
        "expires_at": iso(record.expires_at),
        "not_before": iso(record.not_before),
        "seconds_left": record.seconds_left(now),
        "status": str(record.status(now, expiring_within_seconds)),
        "scopes": c.scopes,
        "cidrs": c.cidrs,
        "countries": c.countries,
        "endpoints": c.endpoints,
        "resources": c.resources,
        "tags": record.tags,
        "notes": record.notes,
        "rotate_every_days": record.rotate_every_days,
        "reused_in": [{"name": r.name, "env": r.env} for r in reused_in],
        "findings": [{"code": f.code, "severity": str(f.severity), "message": f.message}
                     for f in findings],
        "sources": dict(sorted(record.sources.items())),
        "provider_options": dict(record.provider_options),
        "version": record.version,
        "fingerprint": record.fingerprint[:12],
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "last_rotated_at": iso(record.last_rotated_at),
    }


def countdown(seconds: int | None) -> str:
    """ "3d 4h", "12m 05s", "expired 2d ago", "never": what a person reads at a glance."""
    if seconds is None:
        return "never"
    if seconds <= 0:
        return f"expired {_span(-seconds)} ago" if seconds < 0 else "expired"
    return _span(seconds)


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days >= 1:
        return f"{days}d {hours}h" if days < 30 else f"{days}d"
    if hours >= 1:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"
