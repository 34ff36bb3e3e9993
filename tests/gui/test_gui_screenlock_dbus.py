"""The screen-lock watcher on a private D-Bus session: a ScreenSaver ActiveChanged(true) signal
locks. Skips without dbus-run-session unless VAULT_APP_REQUIRE_SYSTEM=1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.system

SCRIPT = r"""
import subprocess, time
from PySide6.QtWidgets import QApplication
from vault_app.gui.locking import ScreenLockWatcher
app = QApplication([])
watcher = ScreenLockWatcher()
got = []
watcher.locked.connect(lambda: got.append(True))
assert "org.freedesktop.ScreenSaver" in watcher.listening, watcher.listening
subprocess.run(["dbus-send", "--session", "--type=signal", "/org/freedesktop/ScreenSaver",
                "org.freedesktop.ScreenSaver.ActiveChanged", "boolean:true"], check=True)
end = time.monotonic() + 5
while not got and time.monotonic() < end:
    app.processEvents(); time.sleep(0.01)
print("LOCKED" if got else "NOT LOCKED")
"""


def test_screensaver_signal_locks():
    if not (shutil.which("dbus-run-session") and shutil.which("dbus-send")):
        if os.environ.get("VAULT_APP_REQUIRE_SYSTEM") == "1":
            pytest.fail("dbus-run-session and dbus-send are required but not installed")
        pytest.skip("no dbus-run-session here")
    result = subprocess.run(
        ["dbus-run-session", "--", sys.executable, "-c", SCRIPT],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=str(Path(__file__).resolve().parents[2]),
    )
    assert "LOCKED" in result.stdout and "NOT LOCKED" not in result.stdout, result.stderr[-2000:]
