"""PySide6 6.12.0 on CPython 3.11 loses a reference to None on each call returning nothing, and the
process later aborts (none_dealloc). pyproject pins around it; this fails if the installed pair leaks."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("PySide6")


def test_calls_returning_none_do_not_leak_none():
    code = textwrap.dedent("""
        import sys
        from PySide6.QtWidgets import QApplication, QLabel
        app = QApplication(["t"])
        label = QLabel()
        for _ in range(10): label.setText("warm")
        before = sys.getrefcount(None)
        for i in range(1000): label.setText("x")
        after = sys.getrefcount(None)
        print(before - after)
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    lost = int(result.stdout.strip().splitlines()[-1])
    assert lost < 50, f"{lost} references to None lost in 1000 QLabel.setText calls"
