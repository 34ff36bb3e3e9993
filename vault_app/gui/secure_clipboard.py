"""Putting a secret on the clipboard so that clipboard managers leave it alone, and clearing it.

Linux clipboard managers (Klipper, GPaste, CopyQ and others) skip data offered with the
``x-kde-passwordManagerHint: secret`` target; macOS managers honour the concealed type
``org.nspasteboard.ConcealedType``. The value is cleared after a delay only if the clipboard
still holds it, so whatever the user copied since is never wiped.
"""

from __future__ import annotations

import hmac

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QClipboard

PASSWORD_HINT = "x-kde-passwordManagerHint"
CONCEALED_TYPE = "application/x-nspasteboard-concealed-type"
# Qt exposes custom macOS pasteboard types through this mime-type mapping.
MAC_CONCEALED = 'application/x-qt-mime-type-name;value="org.nspasteboard.ConcealedType"'


def secret_mime(value: str) -> QMimeData:
    data = QMimeData()
    data.setText(value)
    data.setData(PASSWORD_HINT, b"secret")
    data.setData(MAC_CONCEALED, b"")
    return data


def put(clipboard: QClipboard, value: str) -> None:
    clipboard.setMimeData(secret_mime(value), QClipboard.Mode.Clipboard)
    if clipboard.supportsSelection():
        # The primary selection is a second clipboard on X11; keep the secret out of it.
        clipboard.clear(QClipboard.Mode.Selection)


def still_ours(clipboard: QClipboard, value: str) -> bool:
    current = clipboard.text(QClipboard.Mode.Clipboard)
    return hmac.compare_digest(current.encode(), value.encode())


def clear_if_ours(clipboard: QClipboard, value: str) -> bool:
    """Clear the clipboard when it still holds ``value``; True when it did."""
    if still_ours(clipboard, value):
        clipboard.clear(QClipboard.Mode.Clipboard)
        return True
    return False
