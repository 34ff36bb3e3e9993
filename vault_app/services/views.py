"""Records as plain data for front ends: the JSON contract of ``list``/``show`` and its helpers."""

from __future__ import annotations

import json
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
    head, mid, tail = _static_members(record)
    return {
        **head,
        "seconds_left": record.seconds_left(now),
        "status": str(record.status(now, expiring_within_seconds)),
        **mid,
        "reused_in": [{"name": r.name, "env": r.env} for r in reused_in],
        "findings": [finding_json(f) for f in findings],
        **tail,
    }


def finding_json(finding: Finding) -> dict[str, str]:
    return {"code": finding.code, "severity": str(finding.severity), "message": finding.message}


def static_parts(record: TokenRecord) -> tuple[str, str, str]:
    """The members of :func:`record_json` that change with neither the clock nor other records,
    as compact JSON text (no braces) in three runs around the ones that do: ``list`` keeps them
    per record and splices in seconds_left/status and reused_in/findings (services/listing.py).
    """
    head, mid, tail = _static_members(record)
    return compact(head)[1:-1], compact(mid)[1:-1], compact(tail)[1:-1]


def compact(data: object) -> str:
    """The JSON text that pipes get: no spaces, UTF-8 as is."""
    return _COMPACT(data)


# One encoder for every call: json.dumps with non-default options builds a new one each time,
# and building the views of 10,000 records encodes 40,000 small objects.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _static_members(
    record: TokenRecord,
) -> tuple[dict[str, object], dict[str, object], dict[str, object]]:
    c = record.constraints
    # Tuples go to JSON as arrays as they are: no copies, since this runs for every record.
    head: dict[str, object] = {
        "name": record.name,
        "env": record.env,
        "provider": record.provider,
        "kind": record.kind,
        "expires_at": iso(record.expires_at),
        "not_before": iso(record.not_before),
    }
    mid: dict[str, object] = {
        "scopes": c.scopes,
        "cidrs": c.cidrs,
        "countries": c.countries,
        "endpoints": c.endpoints,
        "resources": c.resources,
        "tags": record.tags,
        "notes": record.notes,
        "rotate_every_days": record.rotate_every_days,
    }
    tail: dict[str, object] = {
        "sources": dict(sorted(record.sources.items())),
        "provider_options": dict(record.provider_options),
        "version": record.version,
        "fingerprint": record.fingerprint[:12],
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "last_rotated_at": iso(record.last_rotated_at),
    }
    return head, mid, tail


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
