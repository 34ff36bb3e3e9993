"""The desktop integration files pass the freedesktop validators."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support import require_system

LINUX = Path(__file__).resolve().parents[1] / "packaging" / "linux"


@pytest.mark.parametrize("name", ["io.github.vault_app.VaultApp.desktop", "vault-app-autostart.desktop"])
def test_desktop_files_validate(name):
    require_system("desktop-file-validate", why="Debian's desktop-file-utils")
    result = subprocess.run(["desktop-file-validate", str(LINUX / name)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout


def test_metainfo_validates():
    require_system("appstreamcli", why="Debian's appstream")
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(LINUX / "io.github.vault_app.VaultApp.metainfo.xml")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_autostart_starts_in_the_tray_and_desktop_file_names_the_binary():
    autostart = (LINUX / "vault-app-autostart.desktop").read_text()
    assert "Exec=vault-app gui --tray" in autostart
    desktop = (LINUX / "io.github.vault_app.VaultApp.desktop").read_text()
    assert "Exec=vault-app\n" in desktop and "Icon=vault-app\n" in desktop
