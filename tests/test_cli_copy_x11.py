"""`vault-app copy` on a real X11 clipboard: the value arrives marked secret and is cleared."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from system_parts import xvfb
from tokens_for_tests import github_pat

READ_CLIPBOARD = """
import json, sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(["reader"])
data = QGuiApplication.clipboard().mimeData()
hint = bytes(data.data("x-kde-passwordManagerHint")).decode() if data else ""
sys.stdout.write(json.dumps([data.text() if data else "", hint]))
"""

HOLD_USER_TEXT = """
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(["owner"])
QGuiApplication.clipboard().setText("user text")
QTimer.singleShot(9000, app.quit)
app.exec()
"""


def read_clipboard(env):
    out = subprocess.run([sys.executable, "-c", READ_CLIPBOARD], capture_output=True, text=True,
                         env=env, timeout=30)
    assert out.returncode == 0, out.stderr
    return tuple(json.loads(out.stdout))


def test_copy_holds_marks_and_clears(vault_cli):
    token = github_pat()
    vault_cli.ok("add", "GH", "--env", "dev", input=token)
    with xvfb() as display:
        env = vault_cli.env | {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        copier = subprocess.Popen([sys.executable, "-m", "vault_app", "copy", "GH", "--clear-after", "4"],
                                  env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 20
            seen = ("", "")
            while time.monotonic() < deadline:
                seen = read_clipboard(env)
                if seen[0]:
                    break
                time.sleep(0.2)
            assert seen == (token, "secret")
            out, err = copier.communicate(timeout=30)
        finally:
            if copier.poll() is None:
                copier.kill()
        assert copier.returncode == 0, err
        assert "clipboard cleared" in err and token not in out + err
        assert read_clipboard(env)[0] == ""
    events = vault_cli.ok("audit", "--json").out
    assert '"copy"' in events


def test_copy_leaves_a_newer_clipboard_alone(vault_cli):
    vault_cli.ok("add", "GH", "--env", "dev", input=github_pat())
    with xvfb() as display:
        env = vault_cli.env | {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        copier = subprocess.Popen([sys.executable, "-m", "vault_app", "copy", "GH", "--clear-after", "5"],
                                  env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not read_clipboard(env)[0]:
                time.sleep(0.2)
            # The user copies something else; it must survive the clear.
            owner = subprocess.Popen([sys.executable, "-c", HOLD_USER_TEXT], env=env)
            _, err = copier.communicate(timeout=30)
            assert "left alone" in err
            assert read_clipboard(env)[0] == "user text"
            owner.kill()
        finally:
            if copier.poll() is None:
                copier.kill()
