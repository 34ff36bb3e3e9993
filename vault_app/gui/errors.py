"""The one place where an error becomes something a user reads: a dialog, never a traceback."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from vault_app.core.errors import VaultError

log = logging.getLogger("vault_app.gui")

GENERIC = "Something went wrong inside Vault App (an internal error). Please try again."


def user_message(exc: BaseException) -> str:
    """VaultError messages are written for people; anything else is a bug and gets a generic line."""
    if isinstance(exc, VaultError):
        return str(exc)
    # Only the class name: a foreign exception's text could carry anything.
    log.error("internal error (%s)", type(exc).__name__)
    log.debug("internal error details", exc_info=(type(exc), exc, exc.__traceback__))
    return GENERIC


def show_error(parent: QWidget | None, exc: BaseException, title: str = "Vault App") -> str:
    message = user_message(exc)
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("errorDialog")
    box.setAccessibleName("Error")
    box.open()
    return message


def install_excepthook(parent: QWidget | None = None) -> None:
    """Exceptions escaping Qt slots go to the same dialog instead of a traceback on stderr."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        show_error(parent, exc)

    sys.excepthook = hook
