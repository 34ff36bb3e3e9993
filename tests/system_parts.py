"""Real system parts for tests: a private D-Bus session bus and gnome-keyring's Secret Service."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support import require_system


@contextmanager
def dbus_session(tmp: Path) -> Iterator[dict[str, str]]:
    """A private session bus; yields the environment variables that point at it."""
    require_system("dbus-daemon", why="a D-Bus session bus")
    runtime = tmp / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    proc = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1", "--nopidfile"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
    )
    assert proc.stdout is not None
    address = proc.stdout.readline().strip()
    try:
        assert address, "dbus-daemon printed no address"
        yield {"DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": str(runtime)}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def gnome_keyring(tmp: Path) -> Iterator[dict[str, str]]:
    """gnome-keyring-daemon serving org.freedesktop.secrets on a private bus, login keyring unlocked."""
    require_system("gnome-keyring-daemon", "dbus-daemon", why="a real Secret Service")
    with dbus_session(tmp) as bus:
        data = tmp / "keyring-data"
        data.mkdir(exist_ok=True)
        env = {**os.environ, **bus, "XDG_DATA_HOME": str(data), "HOME": str(tmp)}
        env.pop("PYTHON_KEYRING_BACKEND", None)
        proc = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )
        assert proc.stdin is not None
        proc.stdin.write(b"keyring-test-password")
        proc.stdin.close()
        try:
            _wait_for_name(env, "org.freedesktop.secrets")
            yield {**bus, "XDG_DATA_HOME": str(data)}
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _wait_for_name(env: dict[str, str], name: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
             "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames"],
            capture_output=True, text=True, env=env,
        ).stdout
        if f'"{name}"' in out:
            return
        time.sleep(0.1)
    raise AssertionError(f"{name} did not appear on the session bus")


@contextmanager
def xvfb() -> Iterator[str]:
    """A private X server on a free display number; yields the DISPLAY value."""
    require_system("Xvfb", why="a virtual X server")
    for number in range(400, 700):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        display = f":{number}"
        proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                break
            time.sleep(0.05)
        if proc.poll() is not None:
            continue  # lost a race for that display number: try the next
        try:
            yield display
        finally:
            proc.terminate()
            proc.wait(5)
        return
    raise AssertionError("no free X display for Xvfb")
