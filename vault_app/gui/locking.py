"""When to lock by itself: after an idle time, and when the desktop session's screen locks."""

from __future__ import annotations

import logging

from PySide6.QtCore import SLOT, QEvent, QObject, QTimer, Signal, Slot

log = logging.getLogger(__name__)

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` after ``interval_ms`` without keyboard or mouse input in the app."""

    idle = Signal()

    def __init__(
        self, interval_ms: int, timer: QTimer | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._timer = timer or QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._holds = 0
        self.set_interval(interval_ms)

    @property
    def timer(self) -> QTimer:
        return self._timer

    def set_interval(self, interval_ms: int) -> None:
        """0 turns idle locking off."""
        self._interval = interval_ms
        self._timer.stop()
        if interval_ms > 0 and not self._holds:
            self._timer.start(interval_ms)

    def poke(self) -> None:
        if self._interval > 0 and not self._holds:
            self._timer.start(self._interval)

    def hold(self) -> None:
        """No idle lock until :meth:`release`: the user is away on purpose (e.g. on a provider's
        page fetching a token that is shown only once, to paste it into a waiting dialog)."""
        self._holds += 1
        self._timer.stop()

    def release(self) -> None:
        self._holds = max(0, self._holds - 1)
        self.poke()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT:
            self.poke()
        return False


class ScreenLockWatcher(QObject):
    """Emits ``locked`` when the session's screensaver activates or logind asks to lock.

    Listens on the session bus (``org.freedesktop.ScreenSaver.ActiveChanged``, as GNOME, KDE
    and others send it) and the system bus (``org.freedesktop.login1.Session.Lock``). Where there
    is no D-Bus, it does nothing.
    """

    locked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.listening: list[str] = []
        try:
            self._connect()
        except Exception as exc:  # a broken bus must never stop the app; idle lock still works
            log.warning("screen lock signals unavailable (%s)", type(exc).__name__)

    def _connect(self) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # pragma: no cover - QtDBus ships with PySide6-Essentials on Linux
            return
        # PySide6 takes the SLOT() text (a str) at run time; its stubs say bytes.
        session = QDBusConnection.sessionBus()
        if session.isConnected():
            for service in ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"):
                if session.connect(  # type: ignore[call-overload]
                    "",
                    "/" + service.replace(".", "/"),
                    service,
                    "ActiveChanged",
                    self,
                    SLOT("_on_active_changed(bool)"),
                ):
                    self.listening.append(service)
        system = QDBusConnection.systemBus()
        if system.isConnected() and system.connect(  # type: ignore[call-overload]
            "org.freedesktop.login1",
            "",
            "org.freedesktop.login1.Session",
            "Lock",
            self,
            SLOT("_on_session_lock()"),
        ):
            self.listening.append("org.freedesktop.login1")
        log.debug("screen lock signals: %s", ", ".join(self.listening) or "none")

    @Slot(bool)
    def _on_active_changed(self, active: bool) -> None:
        if active:
            self.locked.emit()

    @Slot()
    def _on_session_lock(self) -> None:
        self.locked.emit()
