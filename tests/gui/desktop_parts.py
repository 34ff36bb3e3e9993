"""Real desktop parts for the tray tests: a notification daemon (dunst) on a private session bus,
and the app started as a user starts it (``python -m vault_app --home DIR gui``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DUNSTRC = """\
[global]
    history_length = 100
    # notifications go to the history when they time out: what `dunstctl history` lists
[urgency_low]
    timeout = 1
[urgency_normal]
    timeout = 1
[urgency_critical]
    timeout = 1
"""


def wait_until(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def dunst(tmp: Path, env: dict[str, str]) -> Iterator[None]:
    """dunst on the bus and display in ``env``, with a minimal config in ``tmp``."""
    config = tmp / "dunstrc"
    config.write_text(DUNSTRC)
    log = (tmp / "dunst.log").open("w")
    proc = subprocess.Popen(["dunst", "-config", str(config)], env=env, stdout=log, stderr=log)
    try:
        wait_until(lambda: _dunstctl(env, "count").returncode == 0, 15, "dunst on the bus")
        yield
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def _dunstctl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["dunstctl", *args], env=env, capture_output=True, text=True, timeout=10, check=False
    )


def notifications(env: dict[str, str], app_name: str = "Vault App") -> list[dict[str, str]]:
    """What dunst has shown for ``app_name``, closed ones (history) and open ones alike."""
    _dunstctl(env, "close-all")
    out = _dunstctl(env, "history").stdout
    found = []
    for item in json.loads(out)["data"][0] if out.strip() else []:
        fields = {key: str(value.get("data", "")) for key, value in item.items()}
        if fields.get("appname") == app_name:
            found.append(fields)
    return found


class App:
    """The desktop app as a child process; its log (stderr) goes to a file we can read."""

    def __init__(self, home: Path, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        self._file = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vault_app", "--home", str(home), "gui", *args],
            env=env, stdout=self._file, stderr=subprocess.STDOUT, cwd=str(ROOT),
        )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, needle: str, timeout: float = 30) -> None:
        def seen() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"the app exited ({self.proc.returncode}): {self.text()}")
            return needle in self.text()

        wait_until(seen, timeout, f"{needle!r} in the app's log")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: the app quits cleanly
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._file.close()
        return self.proc.returncode


def private_runtime(tmp: Path) -> str:
    runtime = tmp / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.chmod(runtime, 0o700)
    return str(runtime)
