"""Helpers shared by the tests (a module of its own: conftest.py files share one import name).

A test that needs a system part (Xvfb, a D-Bus session, gnome-keyring, a notification daemon)
calls :func:`require_system`. On a laptop without it the test skips; with
``VAULT_APP_REQUIRE_SYSTEM=1`` (set by CI) the skip becomes a failure, so CI always runs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSPHRASE = "correct horse battery staple"
REQUIRE_SYSTEM = os.environ.get("VAULT_APP_REQUIRE_SYSTEM") == "1"


def require_system(*commands: str, why: str = "") -> None:
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        message = f"needs {', '.join(missing)}" + (f" ({why})" if why else "")
        if REQUIRE_SYSTEM:
            pytest.fail(f"VAULT_APP_REQUIRE_SYSTEM=1 but this machine lacks it: {message}")
        pytest.skip(message)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class Cli:
    """Runs ``python -m vault_app`` as a real process: argv, stdin, env and exit code as a user has them."""

    home: Path
    env: dict[str, str]

    def __call__(self, *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None,
                 timeout: float = 60) -> Result:
        full_env = {**self.env, **(env or {})}
        data = input.encode() if isinstance(input, str) else input
        proc = subprocess.run(
            [sys.executable, "-m", "vault_app", *args],
            check=False,
            input=data if data is not None else b"",
            capture_output=True,
            env=full_env,
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())

    def ok(self, *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None) -> Result:
        result = self(*args, input=input, env=env)
        assert result.code == 0, f"vault-app {' '.join(args)} failed: {result.err}"
        return result


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_APP_")}
    # No keyring unless a test brings its own Secret Service: a developer's real keyring must
    # never be touched by the test suite.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["HOME"] = str(tmp_path / "user-home")
    env["XDG_DATA_HOME"] = str(tmp_path / "user-home" / "data")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    src = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


