"""Starting the desktop app: ``run(home)`` is what ``vault-app`` (no arguments) calls."""

from __future__ import annotations

import signal
import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from vault_app.gui.errors import install_excepthook
from vault_app.gui.icons import app_icon
from vault_app.gui.main_window import MainWindow, Options
from vault_app.services.home import VaultHome

ORGANIZATION = "vault-app"
APPLICATION = "Vault App"


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationName(APPLICATION)
    QApplication.setDesktopFileName("vault-app")
    app = QApplication(sys.argv[:1])
    app.setWindowIcon(app_icon())
    return app


def create_window(
    home: str | None, settings: QSettings | None = None, options: Options | None = None
) -> MainWindow:
    application()
    window = MainWindow(
        VaultHome.resolve(home), settings or QSettings(ORGANIZATION, "vault-app"), options
    )
    install_excepthook(window)
    return window


def run(home: str | None = None) -> int:
    app = application()
    window = create_window(home)
    window.show()
    QTimer.singleShot(0, window.start)
    # Ctrl+C in the terminal: quit cleanly (clears our clipboard content, closes the vault).
    signal.signal(signal.SIGINT, lambda *_: window.close())
    signal.signal(signal.SIGTERM, lambda *_: window.close())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(250)
    app.setQuitOnLastWindowClosed(True)
    return int(app.exec())
