"""One app per vault, under Xvfb with real processes: a second start raises the first and exits
0, a ``--tray`` start does not raise, a CLI write works next to the running app, and an app that
died leaves nothing that stops the next start."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from desktop_parts import ROOT, App, private_runtime, wait_until  # type: ignore[import-not-found]
from gui_support import PASSPHRASE, make_vault  # type: ignore[import-not-found]
from support import base_env  # type: ignore[import-not-found]

from vault_app.gui.single_instance import instance_key

pytestmark = pytest.mark.system


def _env(tmp_path: Path, display: str) -> dict[str, str]:
    env = base_env(tmp_path)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    # A short runtime folder, as /run/user/UID is (a socket path has a length limit).
    runtime = Path(tempfile.mkdtemp(prefix="va-rt-"))
    return {**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
            "VAULT_APP_PASSPHRASE": PASSPHRASE, "XDG_RUNTIME_DIR": private_runtime(runtime)}


def _run(env: dict[str, str], *args: str, input: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vault_app", *args], env=env, input=input,
                          capture_output=True, text=True, timeout=60, check=False, cwd=str(ROOT))


def test_second_start_raises_the_first_and_the_cli_still_writes(tmp_path, xvfb_display):
    home = make_vault(tmp_path / "vault")
    env = _env(tmp_path, xvfb_display)
    socket = Path(env["XDG_RUNTIME_DIR"]) / "vault-app" / f"{instance_key(home)}.sock"
    first = App(home, env, tmp_path / "first.log")
    try:
        first.wait_for("reminder schedule loaded")
        assert socket.exists()
        assert oct(socket.parent.stat().st_mode & 0o777) == "0o700"

        second = _run(env, "--home", str(home), "gui")
        assert second.returncode == 0, second.stderr
        assert "already running on this vault; its window was raised" in second.stderr
        first.wait_for("another start on this vault: showing the window")

        # A --tray start (the autostart entry) finds the app and leaves its window alone.
        tray = _run(env, "--home", str(home), "gui", "--tray")
        assert tray.returncode == 0, tray.stderr
        assert "already running" in tray.stderr and "raised" not in tray.stderr
        assert first.text().count("showing the window") == 1

        # The CLI does not go through the single-instance lock: it writes next to the app.
        added = _run(env, "--home", str(home), "add", "FROM_CLI", "--env", "dev",
                     input="cli-written-value-1234567890")
        assert added.returncode == 0, added.stderr
        listed = _run(env, "--home", str(home), "list")
        assert listed.returncode == 0 and "FROM_CLI" in listed.stdout
        assert first.proc.poll() is None
    finally:
        assert first.stop() == 0, first.text()


def test_a_killed_app_leaves_no_stale_lock_or_socket(tmp_path, xvfb_display):
    home = make_vault(tmp_path / "vault")
    env = _env(tmp_path, xvfb_display)
    first = App(home, env, tmp_path / "first.log")
    first.wait_for("reminder schedule loaded")
    first.proc.kill()  # no clean-up at all: lock file and socket stay behind
    first.proc.wait(10)
    first.stop()
    folder = Path(env["XDG_RUNTIME_DIR"]) / "vault-app"
    assert (folder / f"{instance_key(home)}.sock").exists()
    again = App(home, env, tmp_path / "again.log")
    try:
        again.wait_for("reminder schedule loaded")
        third = _run(env, "--home", str(home), "gui")
        assert third.returncode == 0 and "already running" in third.stderr, third.stderr
        wait_until(lambda: "showing the window" in again.text(), 10, "the raise")
    finally:
        assert again.stop() == 0, again.text()


def test_a_deep_runtime_folder_falls_back_to_a_private_temp_folder(tmp_path, monkeypatch):
    from vault_app.gui.single_instance import SingleInstance

    deep = tmp_path / ("d" * 90)
    deep.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    instance = SingleInstance(tmp_path / "vault")
    assert len(instance.socket_name) <= 100
    assert (instance.folder.stat().st_mode & 0o777) == 0o700


def test_another_vault_gets_its_own_app(tmp_path, xvfb_display):
    one = make_vault(tmp_path / "one")
    two = make_vault(tmp_path / "two")
    assert instance_key(one) != instance_key(two)
    assert instance_key(one) == instance_key(tmp_path / "one" / ".." / "one")
    env = _env(tmp_path, xvfb_display)
    first = App(one, env, tmp_path / "one.log")
    other = App(two, env, tmp_path / "two.log")
    try:
        first.wait_for("reminder schedule loaded")
        other.wait_for("reminder schedule loaded")
        assert first.proc.poll() is None and other.proc.poll() is None
    finally:
        assert first.stop() == 0
        assert other.stop() == 0
