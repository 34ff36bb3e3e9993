"""GUI tests run on Qt's offscreen platform; the ones that need a real X server start Xvfb."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

PASSPHRASE = "correct horse battery staple"
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
#: token values used by the sample vault; tests assert none of them leaks into the GUI's data
VALUES = {
    ("GITHUB_TOKEN", "dev"): "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    ("GITHUB_TOKEN", "prod"): "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2",
    ("STRIPE_KEY", "prod"): "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    ("STRIPE_KEY", "staging"): "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc",
    ("SLACK_BOT", "qa"): "xoxb-1234567890-1234567890123-" + "a" * 24,
    ("SHARED_SECRET", "dev"): "same-value-everywhere-123456",
    ("SHARED_SECRET", "prod"): "same-value-everywhere-123456",
}


def pytest_configure(config: pytest.Config) -> None:
    # Before any QApplication exists (pytest-qt makes it lazily, in the qapp fixture).
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.pop("VAULT_APP_PASSPHRASE", None)


def make_vault(root: Path, *, extra: int = 0) -> Path:
    from vault_app.core.clock import FixedClock
    from vault_app.core.secret import Secret
    from vault_app.services.home import VaultHome
    from vault_app.services.inputs import parse_fields
    from vault_app.services.vault import Vault

    clock = FixedClock(NOW)
    fields = {
        ("GITHUB_TOKEN", "dev"): dict(expires="45d", scopes=["repo", "read:org"], tags=["ci"]),
        ("GITHUB_TOKEN", "prod"): dict(
            expires="3d", scopes=["read:packages"], cidrs=["203.0.113.0/24"]
        ),
        ("STRIPE_KEY", "prod"): dict(tags=["billing"]),
        ("STRIPE_KEY", "staging"): dict(expires="200d"),
        ("SLACK_BOT", "qa"): dict(expires=(NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("SHARED_SECRET", "dev"): {},
        ("SHARED_SECRET", "prod"): dict(notes="Legacy webhook secret."),
    }
    with Vault.create(
        VaultHome(root), passphrase_value=Secret(PASSPHRASE), use_keyring=False, clock=clock
    ) as vault:
        for (name, env), value in VALUES.items():
            given = parse_fields(NOW, **fields[(name, env)]) if fields[(name, env)] else None
            vault.add(name, env, Secret(value), given)
        for i in range(extra):
            vault.add(f"EXTRA_{i:05d}", "dev", Secret(f"extra-value-{i:05d}-abcdefgh"))
    return root


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "v")


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def make_window(qtbot, settings_file: Path):  # type: ignore[no-untyped-def]
    """Build a MainWindow over a vault folder with injected clock, timers and passphrase."""
    from PySide6.QtCore import QSettings

    from vault_app.core.clock import FixedClock
    from vault_app.gui.main_window import MainWindow, Options
    from vault_app.services.home import VaultHome

    made = []

    def build(root: Path, *, unlock: bool = True, passphrase: str | None = PASSPHRASE, **kw):  # type: ignore[no-untyped-def]
        options = Options(
            clock=kw.pop("clock", FixedClock(NOW)),
            use_keyring=False,
            watch_screen_lock=False,
            passphrase_env=lambda: passphrase,
            **kw,
        )
        settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
        window = MainWindow(VaultHome(root), settings, options)
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        if unlock:
            with qtbot.waitSignal(window.rows_shown, timeout=10_000):
                window.start()
        return window

    yield build
    for window in made:
        if window.isVisible():
            window.close()
        window.background.wait_idle()


def xvfb_available() -> bool:
    return shutil.which("Xvfb") is not None


def require_xvfb() -> None:
    if not xvfb_available():
        if os.environ.get("VAULT_APP_REQUIRE_SYSTEM") == "1":
            pytest.fail("Xvfb is required (VAULT_APP_REQUIRE_SYSTEM=1) but not installed")
        pytest.skip("Xvfb is not installed")


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    """A private X server on a free display number, for tests that need a real clipboard."""
    require_xvfb()
    for number in range(140, 400):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        display = f":{number}"
        proc = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                break
            time.sleep(0.05)
        if proc.poll() is None:
            try:
                yield display
            finally:
                proc.terminate()
                proc.wait(5)
            return
    pytest.fail("no free X display for Xvfb")


def run_python(
    code: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=str(Path(__file__).resolve().parents[2]),
    )
