"""Copying a secret: mark it for clipboard managers, count the clear down, clear it if still ours.

The guard never keeps the value: it keeps a keyed digest (random key per run) to tell whether
the clipboard still holds what we put there.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QClipboard

from vault_app.gui import secure_clipboard


class ClipboardGuard(QObject):
    #: seconds left before the clear; 0 when the clipboard was cleared or left alone
    countdown = Signal(int)
    #: True when our value was removed, False when the clipboard had changed since
    finished = Signal(bool)

    def __init__(
        self, clipboard: QClipboard, delay_ms: int = 30_000, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._clipboard = clipboard
        self.delay_ms = delay_ms
        self._pepper = os.urandom(32)
        self._digest: bytes | None = None
        self._remaining_ms = 0
        self._clear_timer = QTimer(self)
        self._clear_timer.setSingleShot(True)
        self._clear_timer.timeout.connect(self.clear_now)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(1000)
        self._tick_timer.timeout.connect(self._tick)

    @property
    def active(self) -> bool:
        return self._digest is not None

    def _hash(self, text: str) -> bytes:
        return hmac.new(self._pepper, text.encode(), hashlib.sha256).digest()

    def copy(self, value: str) -> None:
        secure_clipboard.put(self._clipboard, value)
        self._digest = self._hash(value)
        self._remaining_ms = self.delay_ms
        self._clear_timer.start(self.delay_ms)
        self._tick_timer.start()
        self.countdown.emit(self.seconds_left())

    def seconds_left(self) -> int:
        if not self.active:
            return 0
        return max(1, (self._clear_timer.remainingTime() + 999) // 1000)

    def still_ours(self) -> bool:
        if self._digest is None:
            return False
        current = self._clipboard.text(QClipboard.Mode.Clipboard)
        return hmac.compare_digest(self._hash(current), self._digest)

    def clear_now(self) -> bool:
        """Clear the clipboard if it still holds our value; True when it did."""
        if self._digest is None:
            return False
        ours = self.still_ours()
        if ours:
            self._clipboard.clear(QClipboard.Mode.Clipboard)
        self._digest = None
        self._clear_timer.stop()
        self._tick_timer.stop()
        self.countdown.emit(0)
        self.finished.emit(ours)
        return ours

    def _tick(self) -> None:
        if self.active:
            self.countdown.emit(self.seconds_left())
