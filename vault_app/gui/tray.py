"""The tray icon: the vault's state at a glance, quick copy, lock/unlock, and reminders.

The icon shows one state, the most urgent first: something expired, something expiring soon,
locked, ok. The state comes from the reminder planner's schedule (names and expiry times held
in memory), so it stays right while the vault is locked. The tooltip says when the vault has
not been unlocked since the app started (then nothing is known to remind about yet).

Quick copy goes through the window's own copy path (the same clipboard guard, prod
confirmation, audit entry); the menu lists the pinned and recently copied tokens of the active
environment by name, kept in QSettings (names only, never values).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from vault_app.core.model import RecordRef
from vault_app.core.reminders import ScheduleEntry
from vault_app.gui.icons import icon
from vault_app.gui.main_window import ALL, MainWindow
from vault_app.gui.reminder_scheduler import ReminderScheduler
from vault_app.gui.settings import PINNED, RECENT, load_refs

LOCKED, OK, EXPIRING, EXPIRED = "locked", "ok", "expiring", "expired"
MAX_QUICK = 8


def tray_state(
    entries: Iterable[ScheduleEntry], locked: bool, now: datetime, within: timedelta
) -> tuple[str, int, int]:
    """(state, expired count, expiring count): expired > expiring > locked > ok."""
    expired = expiring = 0
    for entry in entries:
        if entry.expires_at is None:
            continue
        if entry.expires_at <= now:
            expired += 1
        elif entry.expires_at - within <= now:
            expiring += 1
    if expired:
        return EXPIRED, expired, expiring
    if expiring:
        return EXPIRING, expired, expiring
    return (LOCKED if locked else OK), expired, expiring


def next_state_change(
    entries: Iterable[ScheduleEntry], now: datetime, within: timedelta
) -> datetime | None:
    """The next moment a token turns "expiring" or "expired": the icon changes then."""
    best: datetime | None = None
    for entry in entries:
        if entry.expires_at is None:
            continue
        for moment in (entry.expires_at - within, entry.expires_at):
            if moment > now and (best is None or moment < best):
                best = moment
    return best


def tooltip(state: str, locked: bool, loaded: bool, expired: int, expiring: int) -> str:
    lines = ["Vault App"]
    if locked:
        lines.append(
            "Locked. Not unlocked since the app started: no expiry reminders until you unlock."
            if not loaded
            else "Locked. Expiry reminders continue."
        )
    else:
        lines.append("Unlocked.")
    if expired:
        lines.append(f"{expired} token{'s' if expired != 1 else ''} expired")
    if expiring:
        lines.append(f"{expiring} token{'s' if expiring != 1 else ''} expiring soon")
    if loaded and state in (OK, LOCKED) and not (expired or expiring):
        lines.append("Nothing expiring soon.")
    return "\n".join(lines)


class TrayController(QObject):
    """Owns the QSystemTrayIcon and its menu; talks to the window, never to the vault."""

    state_changed = Signal(str)

    def __init__(
        self,
        window: MainWindow,
        scheduler: ReminderScheduler,
        settings: QSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.scheduler = scheduler
        self.settings = settings
        self.state = ""
        self.icon = QSystemTrayIcon(icon("tray-locked"), self)
        self.menu = QMenu(window)
        self.menu.setObjectName("trayMenu")
        self.menu.aboutToShow.connect(self.rebuild_menu)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        window.locked_changed.connect(lambda _locked: self.update())
        window.vault_loaded.connect(self.update)
        scheduler.changed.connect(self.update)
        self.rebuild_menu()
        self.update()

    # -- state ---------------------------------------------------------------------------------
    def _within(self) -> timedelta:
        return timedelta(days=self.window.prefs.expiring_days)

    def next_change(self, now: datetime) -> datetime | None:
        """For the scheduler: wake when the icon would change."""
        return next_state_change(self.scheduler.planner.entries, now, self._within())

    def update(self) -> None:
        now = self.scheduler.clock.now()
        planner = self.scheduler.planner
        locked = self.window.locked
        state, expired, expiring = tray_state(planner.entries, locked, now, self._within())
        self.icon.setToolTip(tooltip(state, locked, planner.loaded, expired, expiring))
        if state != self.state:
            self.state = state
            self.icon.setIcon(icon(f"tray-{state}"))
            self.state_changed.emit(state)

    # -- menu ----------------------------------------------------------------------------------
    def quick_refs(self) -> tuple[list[RecordRef], list[RecordRef]]:
        """(pinned, recent) of the active environment (all environments when "All")."""
        env = self.window.proxy.environment
        pinned = [r for r in load_refs(self.settings, PINNED) if env is None or r.env == env]
        recent = [
            r
            for r in load_refs(self.settings, RECENT)
            if (env is None or r.env == env) and r not in pinned
        ]
        return pinned[:MAX_QUICK], recent[:MAX_QUICK]

    def rebuild_menu(self) -> None:
        menu = self.menu
        menu.clear()
        window = self.window
        visible = window.isVisible() and not window.isMinimized()
        show = menu.addAction("&Hide window" if visible else "&Show window")
        show.setObjectName("trayShow")
        show.triggered.connect(self.toggle_window)
        menu.addSeparator()

        envs = menu.addMenu(f"&Environment: {window.env_selector.currentText() or ALL}")
        envs.setObjectName("trayEnvironments")
        group = QActionGroup(envs)
        for index in range(window.env_selector.count()):
            action = envs.addAction(window.env_selector.itemText(index))
            action.setCheckable(True)
            action.setChecked(index == window.env_selector.currentIndex())
            action.triggered.connect(partial(window.choose_environment, index))
            group.addAction(action)

        pinned, recent = self.quick_refs()
        locked = window.locked
        for title, refs in (("Pinned", pinned), ("Recently copied", recent)):
            if not refs:
                continue
            menu.addSection(title)
            for ref in refs:
                action = menu.addAction(icon("action-copy"), f"Copy {ref.name} ({ref.env})")
                action.setObjectName(f"trayCopy:{ref.name}:{ref.env}")
                action.setEnabled(not locked)
                if locked:
                    action.setToolTip("Unlock the vault to copy")
                action.triggered.connect(partial(self.quick_copy, ref))
        if not (pinned or recent):
            hint = menu.addAction("No pinned or recent tokens here")
            hint.setEnabled(False)
        menu.addSeparator()

        if locked:
            unlock = menu.addAction(icon("action-lock"), "&Unlock…")
            unlock.setObjectName("trayUnlock")
            unlock.triggered.connect(self.unlock)
        else:
            lock = menu.addAction(icon("action-lock"), "&Lock")
            lock.setObjectName("trayLock")
            lock.triggered.connect(lambda _c=False: window.lock("tray"))
        keep = QAction("&Keep running in the tray when the window closes", menu)
        keep.setCheckable(True)
        keep.setChecked(window.prefs.close_to_tray)
        keep.toggled.connect(self.set_close_to_tray)
        menu.addAction(keep)
        menu.addSeparator()
        quit_action = menu.addAction("&Quit")
        quit_action.setObjectName("trayQuit")
        quit_action.triggered.connect(window.quit_app)

    def actions(self) -> dict[str, QAction]:
        """The menu's actions by text (for tests and accessibility checks)."""
        return {a.text(): a for a in self.menu.actions() if a.text()}

    # -- doing ---------------------------------------------------------------------------------
    def quick_copy(self, ref: RecordRef) -> bool:
        return self.window.copy_ref(ref)

    def toggle_window(self) -> None:
        window = self.window
        if window.isVisible() and not window.isMinimized():
            window.save_geometry()
            window.hide()
        else:
            window.show_window()

    def unlock(self) -> None:
        self.window.show_window()
        self.window.start()

    def set_close_to_tray(self, on: bool) -> None:
        from dataclasses import replace

        self.window.apply_preferences(replace(self.window.prefs, close_to_tray=on))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.toggle_window()

    def show(self) -> None:
        self.icon.show()
        self.window.close_to_tray = True

    def hide(self) -> None:
        self.icon.hide()
        self.window.close_to_tray = False
