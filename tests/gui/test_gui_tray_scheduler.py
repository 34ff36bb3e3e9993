"""Reminder scheduling in the window with an injected clock: one single-shot timer set to the
computed next wake-up (never a poll), each reminder once, and the locked path (in memory, saved
at the next unlock)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from gui_support import NOW, PASSPHRASE  # type: ignore[import-not-found]

from vault_app.core.clock import FixedClock
from vault_app.core.model import RecordRef
from vault_app.core.reminders import Notification
from vault_app.core.secret import Secret
from vault_app.gui.notifier import Notifier
from vault_app.gui.reminder_scheduler import MAX_SLEEP_MS, SLACK_MS, ReminderScheduler
from vault_app.services.home import VaultHome
from vault_app.services.inputs import TokenFields
from vault_app.services.reminders import ReminderPlanner
from vault_app.services.vault import Vault

SOON_VALUE = "soon-secret-value-0123456789abcdef"


def soon_vault(root: Path) -> Path:
    """One token that expires 90 minutes after NOW (and is not due for rotation for 90 days)."""
    with Vault.create(
        VaultHome(root), passphrase_value=Secret(PASSPHRASE), use_keyring=False,
        clock=FixedClock(NOW),
    ) as vault:
        vault.add("SOON", "prod", Secret(SOON_VALUE),
                  TokenFields(expires_at=NOW + timedelta(minutes=90)))
    return root


@pytest.fixture
def scheduled(qtbot, make_window, tmp_path):  # type: ignore[no-untyped-def]
    clock = FixedClock(NOW)
    window = make_window(soon_vault(tmp_path / "v"), clock=clock)
    got: list[Notification] = []
    scheduler = ReminderScheduler(
        clock, window.background, lambda: window.vault, got.append, watch_resume=False,
        parent=window,
    )
    with qtbot.waitSignal(scheduler.changed, timeout=10_000):
        scheduler.refresh(window.vault)
    return window, scheduler, clock, got


def test_catch_up_then_timer_set_to_the_next_threshold(scheduled):
    _window, scheduler, _clock, got = scheduled
    # 14 d, 3 d and 1 d have all passed: one catch-up reminder, naming the time left.
    assert [n.title for n in got] == ["SOON (prod) expires in 1 h 30 min"]
    assert all(SOON_VALUE not in n.title + n.body for n in got)
    # Next: the 1 h threshold, 30 minutes away. One single-shot timer, set to exactly that.
    timer = scheduler.timer
    assert timer.isActive() and timer.isSingleShot()
    assert timer.interval() == 30 * 60 * 1000 + SLACK_MS
    assert scheduler.wakes_at is not None
    assert scheduler.wakes_at - NOW == timedelta(minutes=30, milliseconds=SLACK_MS)


def test_fires_once_per_threshold_and_caps_the_sleep(scheduled):
    _window, scheduler, clock, got = scheduled
    got.clear()
    clock.advance(timedelta(minutes=30))
    scheduler.timer.timeout.emit()  # what the timer does when it fires
    assert [n.title for n in got] == ["SOON (prod) expires in 1 h"]
    # Firing again (a spurious wake-up) sends nothing more.
    scheduler.timer.timeout.emit()
    assert len(got) == 1
    # The next threshold (expiry) is an hour away: the sleep is capped at one hour.
    assert scheduler.timer.interval() == min(60 * 60 * 1000 + SLACK_MS, MAX_SLEEP_MS)


def test_an_early_wake_sends_nothing_and_sets_the_rest(scheduled):
    _window, scheduler, clock, got = scheduled
    got.clear()
    clock.advance(timedelta(minutes=20))  # e.g. woke from sleep before the moment
    assert scheduler.check() == []
    assert scheduler.timer.interval() == 10 * 60 * 1000 + SLACK_MS


def test_locked_reminders_are_kept_in_memory_and_saved_at_unlock(qtbot, scheduled):
    window, scheduler, clock, got = scheduled
    got.clear()
    window.lock("test")
    window.background.wait_idle()
    assert window.vault is None
    clock.advance(timedelta(minutes=31))
    notes = scheduler.check()
    assert [n.title for n in notes] == ["SOON (prod) expires in 59 min"]
    assert scheduler.planner.unsaved  # not written: the vault is locked
    assert scheduler.check() == []  # and not repeated while locked
    with qtbot.waitSignal(window.rows_shown, timeout=10_000):
        window.start()
    with qtbot.waitSignal(scheduler.changed, timeout=10_000):
        scheduler.refresh(window.vault)
    assert not scheduler.planner.unsaved
    assert scheduler.check() == []
    # A fresh planner (a restart) reads the sent state from the vault: nothing to repeat.
    fresh = ReminderPlanner()
    fresh.refresh(window.vault)
    assert fresh.due(clock.now()) == []


def test_a_reminder_while_unlocked_is_written_to_the_vault(qtbot, scheduled):
    window, scheduler, clock, _got = scheduled
    clock.advance(timedelta(minutes=30))
    scheduler.check()
    assert window.background.wait_idle()
    assert not scheduler.planner.unsaved
    fresh = ReminderPlanner()
    fresh.refresh(window.vault)
    assert fresh.due(clock.now()) == []


def test_no_tray_and_no_bus_logs_a_line_without_the_value(caplog):
    class NoDesktop:
        available = False

        def close(self) -> None:
            pass

    notifier = Notifier(tray=None, desktop=NoDesktop())  # type: ignore[arg-type]
    note = Notification("SOON (prod) expires in 30 min", "SOON (prod) expires in 30 min",
                        (RecordRef("SOON", "prod"),), "expiry", ())
    with caplog.at_level(logging.WARNING):
        assert notifier.notify(note) == "none"
    assert "no system tray" in caplog.text and "SOON (prod)" in caplog.text
    assert SOON_VALUE not in caplog.text
