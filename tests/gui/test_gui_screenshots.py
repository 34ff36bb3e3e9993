"""Screenshots of the real window under Xvfb: main window light and dark, detail panel, add
dialog. PNGs go to $VAULT_APP_SCREENSHOTS (default: the test's tmp_path); look at them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gui_support import NOW, PASSPHRASE, VALUES, make_vault  # type: ignore[import-not-found]

pytestmark = pytest.mark.system

SCRIPT = r"""
import sys, time
from datetime import datetime
from pathlib import Path
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from vault_app.core.clock import FixedClock
from vault_app.core.model import RecordRef
from vault_app.gui.app import application, create_window
from vault_app.gui.main_window import Options

home, out, settings, now, scheme, value = sys.argv[1:7]
out = Path(out)
app = application()
from vault_app.gui.app import use_color_scheme
app.setStyle("Fusion")
use_color_scheme(app, Qt.ColorScheme.Dark if scheme == "dark" else Qt.ColorScheme.Light)
clock = FixedClock(datetime.fromisoformat(now))
window = create_window(
    home,
    QSettings(settings, QSettings.Format.IniFormat),
    Options(clock=clock, use_keyring=False, watch_screen_lock=False),
)
window.resize(1360, 780)
window.show()
window.start()

def wait(cond, seconds=15):
    end = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > end:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.01)

wait(lambda: window.health is not None)
window.select(RecordRef("GITHUB_TOKEN", "prod"))
window.tick()
for _ in range(20):
    app.processEvents()
    time.sleep(0.02)
window.grab().save(str(out / f"main-window-{scheme}.png"))
if scheme == "light":
    window.detail.grab().save(str(out / "detail-panel.png"))
    dialog = window.add_token()
    dialog.name.setText("CI_DEPLOY_TOKEN")
    dialog.env.setCurrentText("staging")
    dialog.value.setText(value)
    dialog.inputs["tags"].setText("deploy, ci")
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    dialog.grab().save(str(out / "add-dialog.png"))
    dialog.reject()
window.close()
print("OK")
"""


def test_screenshots(xvfb_display, tmp_path):
    out = Path(os.environ.get("VAULT_APP_SCREENSHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    home = make_vault(tmp_path / "v")
    env = {
        **os.environ,
        "DISPLAY": xvfb_display,
        "QT_QPA_PLATFORM": "xcb",
        "VAULT_APP_PASSPHRASE": PASSPHRASE,
    }
    reused = VALUES[("GITHUB_TOKEN", "dev")]
    for scheme in ("light", "dark"):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                SCRIPT,
                str(home),
                str(out),
                str(tmp_path / f"{scheme}.ini"),
                NOW.isoformat(),
                scheme,
                reused,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
            cwd=str(Path(__file__).resolve().parents[2]),
        )
        assert result.returncode == 0 and "OK" in result.stdout, result.stderr[-2000:]
        assert "Traceback" not in result.stderr
    for name in ("main-window-light", "main-window-dark", "detail-panel", "add-dialog"):
        png = out / f"{name}.png"
        assert png.exists() and png.stat().st_size > 10_000, name
    from PySide6.QtGui import QImage

    light = QImage(str(out / "main-window-light.png"))
    dark = QImage(str(out / "main-window-dark.png"))
    assert light.width() >= 1000 and dark.width() >= 1000
    # the dark one really is darker (its table background)
    probe = (light.width() // 3, light.height() // 2)
    assert dark.pixelColor(*probe).lightness() < light.pixelColor(*probe).lightness()
