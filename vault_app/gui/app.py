"""Starting the desktop app: ``run(home)`` is what ``vault-app`` (no arguments) calls.

``run(home, tray=True)`` (``vault-app gui --tray``, the autostart entry) starts hidden in the
tray and never asks for a passphrase by itself. A second start on the same vault asks the
first to show its window (a ``--tray`` start only checks it is there) and exits 0.
"""

from __future__ import annotations

import logging
import signal
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from vault_app.gui.errors import install_excepthook
from vault_app.gui.icons import app_icon
from vault_app.gui.main_window import MainWindow, Options
from vault_app.services.home import VaultHome

if TYPE_CHECKING:  # imported where used: a bare window (create_window) needs none of them
    from vault_app.gui.notifier import Notifier
    from vault_app.gui.reminder_scheduler import ReminderScheduler
    from vault_app.gui.tray import TrayController

log = logging.getLogger("vault_app.gui")

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


@dataclass
class Desktop:
    """The running app's parts, wired together (tests build one the same way)."""

    window: MainWindow
    scheduler: ReminderScheduler
    notifier: Notifier
    tray: TrayController | None


def assemble(
    window: MainWindow, *, use_tray: bool | None = None, watch_resume: bool = True
) -> Desktop:
    """Reminders, notifications and (where the desktop has one) the tray, around a window."""
    from PySide6.QtWidgets import QSystemTrayIcon

    from vault_app.gui.notifier import Notifier
    from vault_app.gui.reminder_scheduler import ReminderScheduler
    from vault_app.gui.tray import TrayController

    if use_tray is None:
        use_tray = QSystemTrayIcon.isSystemTrayAvailable()
    holder: list[TrayController] = []

    def icon_moment(now: datetime) -> datetime | None:
        return holder[0].next_change(now) if holder else None

    notifier = Notifier(parent=window)
    scheduler = ReminderScheduler(
        window.options.clock,
        window.background,
        lambda: window.vault,
        notifier.notify,
        extra_moment=icon_moment,
        watch_resume=watch_resume,
        parent=window,
    )
    tray = None
    if use_tray:
        tray = TrayController(window, scheduler, window.settings, parent=window)
        holder.append(tray)
        notifier.set_tray(tray.icon)
        tray.show()
    notifier.open_requested.connect(window.open_token)

    def loaded() -> None:
        if window.vault is not None:
            scheduler.refresh(window.vault)

    window.vault_loaded.connect(loaded)
    window.closed.connect(scheduler.stop)
    scheduler.reschedule()
    return Desktop(window, scheduler, notifier, tray)


def run(home: str | None = None, tray: bool = False) -> int:
    from vault_app.gui.single_instance import RAISE, TRAY, SingleInstance

    logging.basicConfig(level=logging.INFO, format="vault-app: %(message)s")
    app = application()
    vault_home = VaultHome.resolve(home)
    instance = SingleInstance(vault_home.root)
    if not instance.claim():
        answer = instance.send(TRAY if tray else RAISE)
        if answer is not None:
            print(
                "vault-app: already running on this vault"
                + ("; its window was raised" if answer == "raised" else ""),
                file=sys.stderr,
            )
            return 0
        if not instance.claim():
            print("vault-app: error: another app holds this vault but does not answer",
                  file=sys.stderr)
            return 1
    window = create_window(str(vault_home.root))
    desktop = assemble(window)
    in_tray = tray and desktop.tray is not None
    if tray and desktop.tray is None:
        log.info("no system tray here: showing the window instead of starting hidden")

    def message(kind: str) -> None:
        if kind == RAISE:
            log.info("another start on this vault: showing the window")
            window.show_window()

    instance.message_received.connect(message)
    if not in_tray:
        window.show()
    QTimer.singleShot(0, lambda: window.start(interactive=not in_tray))
    # Ctrl+C in the terminal: quit cleanly (clears our clipboard content, closes the vault).
    signal.signal(signal.SIGINT, lambda *_: window.quit_app())
    signal.signal(signal.SIGTERM, lambda *_: window.quit_app())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(250)
    # The app ends with Quit, not when its last window hides (it may live in the tray).
    app.setQuitOnLastWindowClosed(False)
    window.closed.connect(app.quit)
    try:
        return int(app.exec())
    finally:
        desktop.notifier.close()
        instance.release()
