"""Putting a reminder in front of the user: the tray's balloon, else the desktop's notification
service, else a log line. The text names tokens, environments and time left, never a value.

Where a system tray is shown, :meth:`QSystemTrayIcon.showMessage` is used (on desktops with a
StatusNotifier host Qt itself forwards it to the notification service). Without a tray, the
notification goes straight to ``org.freedesktop.Notifications`` on the session bus with a
"default" action, and ``ActionInvoked`` opens the window on the token.

Why jeepney and not QtDBus for that call: ``Notify`` takes ``replaces_id`` as a D-Bus ``uint32``,
and PySide6's QtDBus marshals every Python ``int`` as ``int32`` (or ``uint16`` inside a
QDBusArgument), which strict daemons (dunst, GNOME) reject: "Type of message '(sisssasa{sv}i)'
does not match expected type '(susssasa{sv}i)'". The daemon sends ``ActionInvoked`` only to the
connection that sent ``Notify``, so both go through the same jeepney connection. jeepney is
pure Python and already installed wherever ``keyring`` is on Linux.
"""

from __future__ import annotations

import logging
from queue import Queue
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from vault_app.core.model import RecordRef
from vault_app.core.reminders import Notification

log = logging.getLogger(__name__)

APP_NAME = "Vault App"
DESKTOP_ENTRY = "io.github.vault_app.VaultApp"
_SERVICE = "org.freedesktop.Notifications"
_PATH = "/org/freedesktop/Notifications"


class Notifier(QObject):
    """``notify(note)`` returns how it was shown: "tray", "dbus" or "none"."""

    #: the user clicked a notification: open the window on this token
    open_requested = Signal(object)

    def __init__(
        self,
        tray: QSystemTrayIcon | None = None,
        desktop: DesktopNotifications | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tray = tray
        self._desktop = desktop
        self._last_tray_note: Notification | None = None
        if tray is not None:
            self.set_tray(tray)

    def set_tray(self, tray: QSystemTrayIcon) -> None:
        self.tray = tray
        tray.messageClicked.connect(self._tray_message_clicked)

    def _tray_usable(self) -> bool:
        return (
            self.tray is not None
            and self.tray.isVisible()
            and QSystemTrayIcon.isSystemTrayAvailable()
            and QSystemTrayIcon.supportsMessages()
        )

    def desktop(self) -> DesktopNotifications | None:
        if self._desktop is None:
            self._desktop = DesktopNotifications(self)
            self._desktop.invoked.connect(self.open_requested)
        return self._desktop if self._desktop.available else None

    def notify(self, note: Notification) -> str:
        if self._tray_usable() and self.tray is not None:
            self._last_tray_note = note
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if note.kind == "expiry" and "expired" in note.title
                else QSystemTrayIcon.MessageIcon.Warning
            )
            self.tray.showMessage(note.title, note.body, icon, 15_000)
            return "tray"
        desktop = self.desktop()
        if desktop is not None and desktop.notify(note):
            return "dbus"
        # Names only (the title), never a value: the user still learns from the log.
        log.warning(
            "reminder not shown: no system tray and no org.freedesktop.Notifications service "
            "on the session bus: %s",
            note.title,
        )
        return "none"

    def _tray_message_clicked(self) -> None:
        note = self._last_tray_note
        if note is not None and note.tokens:
            self.open_requested.emit(note.tokens[0])

    def close(self) -> None:
        if self._desktop is not None:
            self._desktop.close()


class _SignalQueue(Queue):  # type: ignore[type-arg]
    """jeepney's receiver thread puts matched messages here; they go out as a Qt signal
    (delivered on the UI thread through a queued connection), so no thread waits on a queue."""

    def __init__(self, emit: Any) -> None:
        super().__init__()
        self._emit = emit

    def put_nowait(self, item: Any) -> None:
        self._emit(item)


class DesktopNotifications(QObject):
    """``org.freedesktop.Notifications`` on the session bus, opened on first use."""

    invoked = Signal(object)  # RecordRef
    _message = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._refs: dict[int, RecordRef] = {}
        self._conn: Any = None
        self._router: Any = None
        self._filter: Any = None
        self.available = self._open()
        self._message.connect(self._on_message)

    def _open(self) -> bool:
        try:
            from jeepney import MatchRule  # type: ignore[import-untyped]
            from jeepney.io.threading import (  # type: ignore[import-untyped]
                DBusRouter,
                open_dbus_connection,
            )
        except ImportError:
            log.info("desktop notifications unavailable: jeepney is not installed")
            return False
        try:
            self._conn = open_dbus_connection(bus="SESSION")
        except Exception as exc:  # no session bus here: a normal state, not a crash
            log.info("desktop notifications unavailable: no session bus (%s)", type(exc).__name__)
            return False
        self._router = DBusRouter(self._conn)
        rule = MatchRule(type="signal", interface=_SERVICE, path=_PATH)
        self._filter = self._router.filter(rule, queue=_SignalQueue(self._message.emit))
        return True

    def notify(self, note: Notification) -> bool:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import (  # type: ignore[import-untyped]
            DBusErrorResponse,
            unwrap_msg,
        )

        address = DBusAddress(_PATH, bus_name=_SERVICE, interface=_SERVICE)
        urgency = 2 if "expired" in note.title else 1
        hints = {"urgency": ("y", urgency), "desktop-entry": ("s", DESKTOP_ENTRY)}
        message = new_method_call(
            address,
            "Notify",
            "susssasa{sv}i",
            (APP_NAME, 0, "dialog-warning", note.title, note.body, ["default", "Open"], hints, -1),
        )
        try:
            reply = self._router.send_and_get_reply(message, timeout=5)
            (notification_id,) = unwrap_msg(reply)
        except (DBusErrorResponse, TimeoutError, OSError) as exc:
            log.info("notification service did not take it (%s)", type(exc).__name__)
            return False
        except Exception as exc:  # the router stopped, a bus went away: log, never crash
            log.info("notification service unreachable (%s)", type(exc).__name__)
            return False
        if note.tokens:
            self._refs[int(notification_id)] = note.tokens[0]
        return True

    def _on_message(self, message: Any) -> None:
        member = message.header.fields.get(_member_field())
        body = message.body
        if member == "ActionInvoked" and len(body) == 2:
            ref = self._refs.get(int(body[0]))
            if ref is not None and body[1] == "default":
                log.info("notification clicked: opening %s (%s)", ref.name, ref.env)
                self.invoked.emit(ref)
        elif member == "NotificationClosed" and body:
            # Closed by the user or expired; keep the click target only while it can be clicked.
            reason = int(body[1]) if len(body) > 1 else 0
            if reason != 2:  # 2 = dismissed by the user; others may still be in a history
                return
            self._refs.pop(int(body[0]), None)

    def close(self) -> None:
        if self._filter is not None:
            self._filter.close()
        if self._router is not None:
            self._router.close()
        if self._conn is not None:
            self._conn.close()
        self._filter = self._router = self._conn = None
        self.available = False


def _member_field() -> Any:
    from jeepney.low_level import HeaderFields  # type: ignore[import-untyped]

    return HeaderFields.member
