"""Reminders for front ends: what to notify now, when to wake next, and remembering what was sent.

The planner keeps only what the schedule needs (names, versions, expiry times) in memory after
an unlock, so the tray keeps reminding while the vault is locked without writing any token
metadata outside the encrypted database. Reminders sent while locked are remembered in memory
and written to the vault at the next unlock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vault_app.core import validate
from vault_app.core.errors import ValidationError
from vault_app.core.model import RecordRef, TokenRecord
from vault_app.core.reminders import (
    Notification,
    ScheduleEntry,
    SentKey,
    batch,
    due_reminders,
    next_wakeup,
)
from vault_app.services.vault import Vault
from vault_app.storage import reminder_store


@dataclass
class ReminderPlanner:
    entries: list[ScheduleEntry] = field(default_factory=list)
    sent: set[SentKey] = field(default_factory=set)
    #: sent while the vault was locked; written at the next unlock
    unsaved: set[SentKey] = field(default_factory=set)
    loaded: bool = False

    def refresh(self, vault: Vault, records: Sequence[TokenRecord] | None = None) -> None:
        """Reload from an unlocked vault, first saving what was sent while it was locked.

        Pass ``records`` when the caller has just read them all (e.g. from ``overview``)."""
        if self.unsaved:
            reminder_store.mark_sent(vault.database, self.unsaved, vault.clock.now())
            self.unsaved.clear()
        policy = vault.policy()
        overrides = reminder_store.lead_overrides(vault.database)
        default_leads = policy.notify_before
        self.entries = [
            ScheduleEntry.of(
                record,
                tuple(timedelta(seconds=s) for s in overrides[record.id])
                if record.id in overrides else default_leads,
                policy.default_rotation_days,
            )
            for record in (vault.records() if records is None else records)
        ]
        self.sent = reminder_store.sent(vault.database)
        self.loaded = True

    def due(self, now: datetime) -> list[Notification]:
        return batch(due_reminders(self.entries, self.sent, now))

    def mark(self, notes: list[Notification], vault: Vault | None, now: datetime) -> None:
        """Remember these as sent: in the vault when it is open, in memory otherwise."""
        keys = {k for n in notes for k in n.covers}
        self.sent |= keys
        if vault is not None:
            reminder_store.mark_sent(vault.database, keys, now)
        else:
            self.unsaved |= keys

    def next_wakeup(self, now: datetime) -> datetime | None:
        return next_wakeup(self.entries, self.sent, now)

    def expiring(self, now: datetime, within: timedelta) -> list[RecordRef]:
        """Tokens expiring within ``within`` (or expired): for the tray icon's state."""
        return [e.ref for e in self.entries if e.expires_at is not None and e.expires_at - within <= now]


def mark_sent(vault: Vault, notes: Sequence[Notification]) -> None:
    """Record reminders as sent without a planner (e.g. ones delivered while locked)."""
    reminder_store.mark_sent(vault.database, {k for n in notes for k in n.covers}, vault.clock.now())


def set_lead_times(vault: Vault, name: str, env: str | None, spans: list[str] | None) -> None:
    """A per-token override of the policy's lead times (``None`` returns to the policy)."""
    record = vault.resolve(name, env)
    seconds = None
    if spans is not None:
        parsed = []
        for span in spans:
            delta = validate.parse_span(span.strip())
            if delta is None:
                raise ValidationError(f"invalid lead time {span!r}: use spans such as 14d, 3d, 1h, 0s")
            parsed.append(int(delta.total_seconds()))
        seconds = tuple(sorted(set(parsed), reverse=True))
    reminder_store.set_lead_override(vault.database, record.id, seconds)
