"""GUI tests run on Qt's offscreen platform; the ones that need a real X server start Xvfb."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_support import (  # noqa: F401 - re-exported for fixtures below
    NOW,
    PASSPHRASE,
    VALUES,
    make_vault,
    require_xvfb,
    run_python,
    xvfb_available,
)


def pytest_configure(config: pytest.Config) -> None:
    # Before any QApplication exists (pytest-qt makes it lazily, in the qapp fixture).
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.pop("VAULT_APP_PASSPHRASE", None)


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "v")


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(qtbot, settings_file: Path):  # type: ignore[no-untyped-def]
    """Build a MainWindow over a vault folder with injected clock, timers and passphrase."""
    from PySide6.QtCore import QSettings

    from vault_app.core.clock import FixedClock
    from vault_app.gui.main_window import MainWindow, Options
    from vault_app.services.home import VaultHome

    made = []

    def build(root: Path, *, unlock: bool = True, passphrase: str | None = PASSPHRASE, **kw):  # type: ignore[no-untyped-def]
        options = Options(
            clock=kw.pop("clock", FixedClock(NOW)),
            use_keyring=False,
            watch_screen_lock=False,
            passphrase_env=lambda: passphrase,
            **kw,
        )
        settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
        window = MainWindow(VaultHome(root), settings, options)
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        if unlock:
            with qtbot.waitSignal(window.rows_shown, timeout=10_000):
                window.start()
        return window

    yield build
    for window in made:
        if window.isVisible():
            window.close()
        window.background.wait_idle()


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    """A private X server on a free display number, for tests that need a real clipboard."""
    require_xvfb()
    for number in range(140, 400):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        display = f":{number}"
        proc = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                break
            time.sleep(0.05)
        if proc.poll() is None:
            try:
                yield display
            finally:
                proc.terminate()
                proc.wait(5)
            return
    pytest.fail("no free X display for Xvfb")


