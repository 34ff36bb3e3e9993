"""Expiry and rotation reminders with an injected clock: thresholds, once-only, catch-up, batching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vault_app.core.model import TokenId, TokenRecord
from vault_app.core.reminders import ROTATION, ScheduleEntry, batch, due_reminders, next_wakeup

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LEADS = (timedelta(days=14), timedelta(days=3), timedelta(days=1), timedelta(hours=1), timedelta(0))


def entry(name="GH", env="prod", expires_in=timedelta(days=10), version=1, rotation_due=None, id_=None):
    return ScheduleEntry(id=TokenId(id_ or f"id-{name}-{env}"), name=name, env=env, version=version,
                         expires_at=T0 + expires_in if expires_in is not None else None,
                         rotation_due_at=rotation_due, lead_times=tuple(sorted(LEADS, reverse=True)))


def send(entries, sent, now):
    reminders = due_reminders(entries, sent, now)
    notes = batch(reminders)
    for note in notes:
        sent.update(note.covers)
    return notes


def test_each_threshold_fires_once_in_order():
    e = entry(expires_in=timedelta(days=10))
    sent: set = set()
    fired = []
    now = T0
    while now < T0 + timedelta(days=11):
        fired += [n.title for n in send([e], sent, now)]
        now += timedelta(minutes=30)
    # The 14-day threshold had already passed when the schedule started: it names the time left.
    assert fired == [
        "GH (prod) expires in 10 days",
        "GH (prod) expires in 3 days",
        "GH (prod) expires in 1 day",
        "GH (prod) expires in 1 h",
        "GH (prod) has expired",
    ]


def test_restart_does_not_repeat():
    e = entry(expires_in=timedelta(days=2))
    sent: set = set()
    assert len(send([e], sent, T0)) == 1
    # A "restart": same persisted set, same time: nothing new.
    assert send([e], set(sent), T0) == []
    assert send([e], set(sent), T0 + timedelta(hours=2)) == []


def test_catch_up_after_sleep_is_one_reminder_naming_time_left():
    e = entry(expires_in=timedelta(days=20))
    sent: set = set()
    send([e], sent, T0 + timedelta(days=1))  # the 14-day threshold passes? not yet: 19 days left
    assert sent == set()
    wake = T0 + timedelta(days=19, hours=23, minutes=30)  # slept through 14d, 3d, 1d, 1h
    notes = send([e], sent, wake)
    assert len(notes) == 1 and notes[0].title == "GH (prod) expires in 30 min"
    assert {k[2] for k in sent} == {14 * 86400, 3 * 86400, 86400, 3600}
    assert send([e], sent, wake + timedelta(minutes=1)) == []


def test_new_version_starts_fresh():
    sent: set = set()
    send([entry(expires_in=timedelta(days=2))], sent, T0)
    rotated = entry(expires_in=timedelta(days=2), version=2)
    notes = send([rotated], sent, T0)
    assert len(notes) == 1


def test_batching_many_tokens_at_one_threshold():
    entries = [entry(name=f"T{i}", expires_in=timedelta(days=2, hours=i)) for i in range(7)]
    notes = send(entries, set(), T0)
    assert len(notes) == 1
    assert notes[0].title == "7 tokens expire within 3 days"
    assert notes[0].body.splitlines()[0] == "T0 (prod) expires in 2 days"
    assert notes[0].body.splitlines()[-1] == "and 2 more"
    assert len(notes[0].tokens) == 7


def test_rotation_overdue_reminder_once_per_version():
    e = entry(expires_in=None, rotation_due=T0 - timedelta(days=3))
    sent: set = set()
    notes = send([e], sent, T0)
    assert [n.title for n in notes] == ["GH (prod): rotation overdue"]
    assert (e.id, 1, ROTATION) in sent
    assert send([e], sent, T0 + timedelta(days=1)) == []


def test_next_wakeup_is_computed_not_polled():
    e = entry(expires_in=timedelta(days=10))
    sent: set = set()
    assert next_wakeup([e], sent, T0) == T0 + timedelta(days=7)  # the 3-day threshold
    send([e], sent, T0)  # the 14-day one fires now (10 days left)
    assert next_wakeup([e], sent, T0) == T0 + timedelta(days=7)
    assert next_wakeup([entry(expires_in=None)], set(), T0) is None


def test_schedule_entry_from_record_uses_rotation_default():
    record = TokenRecord(id=TokenId("x"), name="N", env="dev", provider=None, kind=None, fingerprint="f",
                         created_at=T0, updated_at=T0, expires_at=T0 + timedelta(days=5))
    e = ScheduleEntry.of(record, LEADS, 90)
    assert e.rotation_due_at == T0 + timedelta(days=90)
    assert e.lead_times[0] == timedelta(days=14)
    assert ScheduleEntry.of(record, LEADS, None).rotation_due_at is None
