"""Starting the desktop app: ``run(home)`` is what ``vault-app`` (no arguments) calls."""

from __future__ import annotations

import signal
import sys

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
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


def use_color_scheme(app: QApplication, scheme: Qt.ColorScheme) -> None:
    """Ask for light or dark; where the platform has no theme to switch (a bare X server), set
    a matching Fusion palette so the app still follows the request."""
    app.styleHints().setColorScheme(scheme)
    is_dark = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
    if (scheme == Qt.ColorScheme.Dark) != is_dark:
        app.setStyle("Fusion")
        app.setPalette(
            dark_palette() if scheme == Qt.ColorScheme.Dark else app.style().standardPalette()
        )


def dark_palette() -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    colours = {
        role.Window: "#2b2d31",
        role.WindowText: "#e6e6e6",
        role.Base: "#1e1f22",
        role.AlternateBase: "#26282c",
        role.ToolTipBase: "#2b2d31",
        role.ToolTipText: "#e6e6e6",
        role.Text: "#e6e6e6",
        role.Button: "#33363b",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff6b6b",
        role.Highlight: "#2f6fba",
        role.HighlightedText: "#ffffff",
        role.Link: "#6ea8ff",
        role.PlaceholderText: "#8a8f98",
        role.Mid: "#44474d",
        role.Dark: "#18191b",
        role.Light: "#4a4d53",
    }
    for r, colour in colours.items():
        palette.setColor(r, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor("#75787e"))
    palette.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor("#75787e"))
    palette.setColor(QPalette.ColorGroup.Disabled, role.WindowText, QColor("#75787e"))
    return palette


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
