"""Persisted reminder state: which (token, version, threshold) reminders were already sent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from vault_app.storage.database import Database


def sent(db: Database) -> set[tuple[str, int, int]]:
    return {(t, v, th) for t, v, th in db.execute("SELECT token_id, version, threshold FROM reminders_sent")}


def mark_sent(db: Database, keys: Iterable[tuple[str, int, int]], at: datetime) -> None:
    stamp = int(at.timestamp())
    with db.transaction() as conn:
        # A token deleted since the reminder was computed simply has nothing to mark.
        conn.executemany(
            "INSERT OR IGNORE INTO reminders_sent (token_id, version, threshold, sent_at) "
            "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM tokens WHERE id = ?)",
            [(t, v, th, stamp, t) for t, v, th in keys],
        )


def lead_overrides(db: Database) -> dict[str, tuple[int, ...]]:
    import json

    return {
        token_id: tuple(int(x) for x in json.loads(raw))
        for token_id, raw in db.execute(
            "SELECT id, notify_before FROM tokens WHERE notify_before IS NOT NULL"
        )
    }


def set_lead_override(db: Database, token_id: str, seconds: tuple[int, ...] | None) -> None:
    import json

    with db.transaction() as conn:
        conn.execute(
            "UPDATE tokens SET notify_before = ? WHERE id = ?",
            (json.dumps(list(seconds)) if seconds is not None else None, token_id),
        )
