"""When the desktop app wakes up to remind: one single-shot timer set to the next computed moment.

A :class:`ReminderPlanner` (services) holds what the schedule needs in memory, so reminders keep
coming while the vault is locked; what was sent while locked is written at the next unlock.
Nothing polls: the timer is set to the planner's next wake-up (or to a moment the tray icon
changes), capped at an hour so a clock jump or a sleep is caught up within the hour, and a
resume from suspend (logind's ``PrepareForSleep(false)``) checks at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import SLOT, QObject, Qt, QTimer, Signal, Slot

from vault_app.core.clock import Clock
from vault_app.core.reminders import Notification
from vault_app.gui.background import Background
from vault_app.services.reminders import ReminderPlanner
from vault_app.services.vault import Vault

log = logging.getLogger(__name__)

#: the longest the timer sleeps: a wall-clock jump or a suspend is noticed within this
MAX_SLEEP_MS = 3_600_000
#: fire a little after the moment, never before it (the clock has whole seconds)
SLACK_MS = 250


class ReminderScheduler(QObject):
    """Asks the planner what is due when the timer fires, delivers it, and sets the next wake-up."""

    #: each notification delivered (after it was marked as sent)
    delivered = Signal(object)
    #: the planner was reloaded or checked: the tray's icon and tooltip may change
    changed = Signal()

    def __init__(
        self,
        clock: Clock,
        background: Background,
        vault: Callable[[], Vault | None],
        deliver: Callable[[Notification], object],
        *,
        extra_moment: Callable[[datetime], datetime | None] | None = None,
        watch_resume: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.planner = ReminderPlanner()
        self._background = background
        self._vault = vault
        self._deliver = deliver
        self._extra_moment = extra_moment
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.check)
        #: when the timer is due to fire (by the injected clock), for tests and the tooltip
        self.wakes_at: datetime | None = None
        self.resume: ResumeWatcher | None = None
        if watch_resume:
            self.resume = ResumeWatcher(self)
            self.resume.resumed.connect(self.check)

    @property
    def loaded(self) -> bool:
        """False until the first unlock since start: nothing is known to remind about."""
        return self.planner.loaded

    # -- loading -------------------------------------------------------------------------------
    def refresh(self, vault: Vault) -> None:
        """Reload the schedule from an open vault (after an unlock or a change), on the worker.

        The reload works on a fresh planner, so the one in use is never changed from two
        threads; reminders marked while it ran are carried over when it is swapped in.
        """
        pending = set(self.planner.unsaved)

        def work() -> ReminderPlanner:
            fresh = ReminderPlanner(unsaved=set(pending))
            fresh.refresh(vault)  # writes ``pending`` first
            return fresh

        def done(fresh: ReminderPlanner) -> None:
            current = self.planner
            fresh.sent |= current.sent
            fresh.unsaved = current.unsaved - pending
            self.planner = fresh
            self.check()
            log.info(
                "reminder schedule loaded: %d tokens, next check in %d s",
                len(fresh.entries),
                self.timer.interval() // 1000,
            )

        def failed(exc: BaseException) -> None:
            log.warning("reminder schedule not reloaded (%s)", type(exc).__name__)

        self._background.run(work, done, failed)

    # -- firing --------------------------------------------------------------------------------
    def check(self) -> list[Notification]:
        """Deliver whatever is due now, then set the next wake-up."""
        now = self.clock.now()
        notes = self.planner.due(now) if self.planner.loaded else []
        if notes:
            self._mark(notes, now)
            for note in notes:
                log.info("reminder: %s", note.title)
                self._deliver(note)
                self.delivered.emit(note)
        self.reschedule(now)
        self.changed.emit()
        return notes

    def _mark(self, notes: list[Notification], now: datetime) -> None:
        """Remembered in memory at once (so it never repeats); written to the vault when open."""
        self.planner.mark(notes, None, now)
        vault = self._vault()
        if vault is None:
            return  # saved by the next refresh, after the next unlock
        keys = {k for n in notes for k in n.covers}

        def saved(_result: None) -> None:
            self.planner.unsaved -= keys

        def failed(exc: BaseException) -> None:
            log.warning("sent reminders not saved yet (%s)", type(exc).__name__)

        # A throwaway planner writes the keys: the one in use stays on the UI thread.
        self._background.run(
            lambda: ReminderPlanner().mark(notes, vault, now), saved, failed
        )

    def reschedule(self, now: datetime | None = None) -> int:
        """Set the single-shot timer to the next moment anything changes; returns its delay."""
        now = now or self.clock.now()
        moments = [self.planner.next_wakeup(now) if self.planner.loaded else None]
        if self._extra_moment is not None:
            moments.append(self._extra_moment(now))
        delay_ms = MAX_SLEEP_MS
        for moment in moments:
            if moment is not None:
                ms = int((moment - now).total_seconds() * 1000) + SLACK_MS
                delay_ms = min(delay_ms, max(ms, 0))
        self.timer.start(delay_ms)
        self.wakes_at = now + timedelta(milliseconds=delay_ms)
        return delay_ms

    def stop(self) -> None:
        self.timer.stop()
        self.wakes_at = None


class ResumeWatcher(QObject):
    """Emits ``resumed`` when logind says the machine woke up; silent where there is no bus."""

    resumed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.listening = False
        try:
            from PySide6.QtDBus import QDBusConnection

            system = QDBusConnection.systemBus()
            # PySide6 takes the SLOT() text (a str) at run time; its stubs say bytes.
            self.listening = system.isConnected() and system.connect(  # type: ignore[call-overload]
                "org.freedesktop.login1",
                "/org/freedesktop/login1",
                "org.freedesktop.login1.Manager",
                "PrepareForSleep",
                self,
                SLOT("_on_prepare_for_sleep(bool)"),
            )
        except Exception as exc:  # a broken bus must never stop the app; the 1 h cap still works
            log.debug("resume signal unavailable (%s)", type(exc).__name__)

    @Slot(bool)
    def _on_prepare_for_sleep(self, going_to_sleep: bool) -> None:
        if not going_to_sleep:
            self.resumed.emit()
