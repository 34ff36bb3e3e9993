"""The clipboard as other programs see it, on a real X server (Xvfb): a second process reads
the value and the password-manager hint, and finds the clipboard empty after the delay."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gui_support import NOW, PASSPHRASE, VALUES, make_vault, run_python  # type: ignore[import-not-found]

pytestmark = pytest.mark.system

APP = r"""
import sys, time
from datetime import datetime
from PySide6.QtCore import QSettings
from vault_app.core.clock import FixedClock
from vault_app.core.model import RecordRef
from vault_app.gui.app import application, create_window
from vault_app.gui.main_window import Options

home, settings, now = sys.argv[1:4]
app = application()
window = create_window(home, QSettings(settings, QSettings.Format.IniFormat),
    Options(clock=FixedClock(datetime.fromisoformat(now)), use_keyring=False,
            watch_screen_lock=False, clipboard_delay_ms=4000))
window.show()
window.start()
end = time.monotonic() + 20
while window.vault is None or window.model.rowCount() == 0:
    app.processEvents(); time.sleep(0.01)
    if time.monotonic() > end: raise SystemExit("not unlocked")
window.select(RecordRef("GITHUB_TOKEN", "dev"))
assert window.copy_selected()
print("COPIED", flush=True)
end = time.monotonic() + 8
while time.monotonic() < end:
    app.processEvents(); time.sleep(0.02)
window.close()
print("DONE", flush=True)
"""

READER = r"""
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
data = QGuiApplication.clipboard().mimeData()
print("FORMATS", sorted(data.formats()) if data else [])
print("HINT", bytes(data.data("x-kde-passwordManagerHint")).decode() if data else "")
print("TEXT", QGuiApplication.clipboard().text())
"""


def test_another_process_sees_the_hint_and_the_clear(xvfb_display, tmp_path):
    home = make_vault(tmp_path / "v")
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb"}
    app_env = {**env, "VAULT_APP_PASSPHRASE": PASSPHRASE}
    proc = subprocess.Popen(
        [sys.executable, "-c", APP, str(home), str(tmp_path / "s.ini"), NOW.isoformat()],
        env=app_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(Path(__file__).resolve().parents[2]),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "COPIED"
        first = run_python(READER, env).stdout
        assert "x-kde-passwordManagerHint" in first
        assert "HINT secret" in first
        assert f"TEXT {VALUES[('GITHUB_TOKEN', 'dev')]}" in first
        time.sleep(5)  # past the 4 s delay
        second = run_python(READER, env).stdout
        assert VALUES[("GITHUB_TOKEN", "dev")] not in second
        assert proc.stdout.readline().strip() == "DONE"
    finally:
        proc.kill() if proc.poll() is None else None
        _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err
