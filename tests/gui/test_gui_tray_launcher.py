"""`vault-app gui --tray` (the autostart entry's command) reaches the app with tray=True."""

from __future__ import annotations

from pathlib import Path

import pytest

from vault_app import launcher

AUTOSTART = Path(__file__).resolve().parents[2] / "packaging/linux/vault-app-autostart.desktop"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], (None, False)),
        (["gui"], (None, False)),
        (["gui", "--tray"], (None, True)),
        (["--home", "/v", "gui", "--tray"], ("/v", True)),
        (["--home", "/v"], ("/v", False)),
    ],
)
def test_gui_arguments(monkeypatch, argv, expected):
    calls = []
    import vault_app.gui.app as app

    monkeypatch.setattr(app, "run", lambda home=None, tray=False: calls.append((home, tray)) or 0)
    assert launcher.main(argv) == 0
    assert calls == [expected]


def test_the_autostart_entry_uses_the_tray_form():
    exec_line = next(
        line for line in AUTOSTART.read_text().splitlines() if line.startswith("Exec=")
    )
    assert exec_line.split("=", 1)[1].split()[1:] == ["gui", "--tray"]
