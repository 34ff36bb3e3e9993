"""When to remind the user about expiring tokens and overdue rotations. Pure: ``now`` is passed in.

Each (token, version, threshold) is reminded once; the caller persists what was sent, so a
restart does not repeat a reminder and a rotated token (new version) starts afresh. A laptop
that slept through several thresholds gets one catch-up reminder naming the time left, not a
flood of stale ones. Reminders due at the same moment for the same threshold are batched into
one notification. The next wake-up is computed, so nothing polls every second.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from vault_app.core.model import RecordRef, TokenId, TokenRecord

#: The threshold used for "rotation overdue" reminders in the sent-state.
ROTATION = -1
MAX_LISTED = 5


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    """What the schedule needs of a record: held in memory while the vault is locked."""

    id: TokenId
    name: str
    env: str
    version: int
    expires_at: datetime | None
    rotation_due_at: datetime | None
    lead_times: tuple[timedelta, ...]

    @classmethod
    def of(cls, record: TokenRecord, lead_times: Sequence[timedelta],
           default_rotation_days: int | None) -> ScheduleEntry:
        days = record.rotate_every_days or default_rotation_days
        since = record.last_rotated_at or record.created_at
        return cls(
            id=record.id, name=record.name, env=record.env, version=record.version,
            expires_at=record.expires_at,
            rotation_due_at=since + timedelta(days=days) if days else None,
            lead_times=tuple(sorted(set(lead_times), reverse=True)),
        )

    @property
    def ref(self) -> RecordRef:
        return RecordRef(self.name, self.env)


#: (token id, version, threshold in seconds; ROTATION for rotation reminders)
SentKey = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class Reminder:
    entry: ScheduleEntry
    kind: str  # "expiry" | "rotation"
    threshold: int  # seconds before expiry; ROTATION for rotation
    seconds_left: int  # at the time it fires (negative: expired / overdue)
    covers: tuple[SentKey, ...]  # every sent-key this reminder settles (catch-up included)


@dataclass(frozen=True, slots=True)
class Notification:
    title: str
    body: str
    tokens: tuple[RecordRef, ...]
    kind: str
    covers: tuple[SentKey, ...]


def due_reminders(entries: Iterable[ScheduleEntry], sent: set[SentKey] | frozenset[SentKey],
                  now: datetime) -> list[Reminder]:
    """Reminders to send now: at most one expiry and one rotation reminder per token."""
    out: list[Reminder] = []
    for entry in entries:
        if entry.expires_at is not None:
            passed = [int(lead.total_seconds()) for lead in entry.lead_times
                      if entry.expires_at - lead <= now]
            keys = tuple((entry.id, entry.version, t) for t in passed)
            fresh = [k for k in keys if k not in sent]
            if fresh:
                # Catch-up: only the most urgent threshold passed speaks; the older ones are
                # settled with it so they never fire late.
                most_urgent = min(t for _, _, t in fresh)
                left = int((entry.expires_at - now).total_seconds())
                out.append(Reminder(entry, "expiry", most_urgent, left, tuple(fresh)))
        if entry.rotation_due_at is not None and entry.rotation_due_at <= now:
            key = (entry.id, entry.version, ROTATION)
            if key not in sent:
                left = int((entry.rotation_due_at - now).total_seconds())
                out.append(Reminder(entry, "rotation", ROTATION, left, (key,)))
    return out


def next_wakeup(entries: Iterable[ScheduleEntry], sent: set[SentKey] | frozenset[SentKey],
                now: datetime) -> datetime | None:
    """The earliest future moment at which a reminder becomes due, or None."""
    best: datetime | None = None
    for entry in entries:
        moments: list[datetime] = []
        if entry.expires_at is not None:
            moments += [entry.expires_at - lead for lead in entry.lead_times
                        if (entry.id, entry.version, int(lead.total_seconds())) not in sent]
        if entry.rotation_due_at is not None and (entry.id, entry.version, ROTATION) not in sent:
            moments.append(entry.rotation_due_at)
        for moment in moments:
            if moment > now and (best is None or moment < best):
                best = moment
    return best


def batch(reminders: Sequence[Reminder]) -> list[Notification]:
    """One notification per (kind, threshold): "3 tokens expire within 3 days" with the list."""
    groups: defaultdict[tuple[str, int], list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        groups[(reminder.kind, reminder.threshold)].append(reminder)
    out = []
    for (kind, threshold), items in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        items.sort(key=lambda r: (r.seconds_left, r.entry.name, r.entry.env))
        refs = tuple(r.entry.ref for r in items)
        covers = tuple(k for r in items for k in r.covers)
        out.append(Notification(_title(kind, threshold, items), _body(kind, items), refs, kind,
                                covers))
    return out


def _title(kind: str, threshold: int, items: Sequence[Reminder]) -> str:
    if kind == "rotation":
        if len(items) == 1:
            return f"{_who(items[0])}: rotation overdue"
        return f"{len(items)} tokens are overdue for rotation"
    if len(items) == 1:
        r = items[0]
        return f"{_who(r)} {_left(r.seconds_left)}"
    if threshold <= 0 or all(r.seconds_left <= 0 for r in items):
        return f"{len(items)} tokens have expired"
    return f"{len(items)} tokens expire within {human_span(threshold)}"


def _body(kind: str, items: Sequence[Reminder]) -> str:
    lines = []
    for r in items[:MAX_LISTED]:
        if kind == "rotation":
            lines.append(f"{_who(r)}: rotation due {human_span(-r.seconds_left)} ago"
                         if r.seconds_left < 0 else f"{_who(r)}: rotation due now")
        else:
            lines.append(f"{_who(r)} {_left(r.seconds_left)}")
    if len(items) > MAX_LISTED:
        lines.append(f"and {len(items) - MAX_LISTED} more")
    return "\n".join(lines)


def _who(r: Reminder) -> str:
    return f"{r.entry.name} ({r.entry.env})"


def _left(seconds: int) -> str:
    if seconds <= 0:
        return "has expired" if seconds > -60 else f"expired {human_span(-seconds)} ago"
    return f"expires in {human_span(seconds)}"


def human_span(seconds: int) -> str:
    """"3 days", "2 h 10 min", "45 min": the two largest units a person cares about."""
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours and days < 3 else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{max(minutes, 1)} min"
