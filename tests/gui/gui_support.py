"""Shared helpers for the GUI tests (a module of its own: two conftest.py files share one import name)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

PASSPHRASE = "correct horse battery staple"
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
#: token values used by the sample vault; tests assert none of them leaks into the GUI's data
VALUES = {
    # Valid checksums, as real tokens have: a sample full of checksum warnings misleads.
    ("GITHUB_TOKEN", "dev"): "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O50Zb5Hm",
    ("GITHUB_TOKEN", "prod"): "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L51FrUkr",
    ("STRIPE_KEY", "prod"): "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    ("STRIPE_KEY", "staging"): "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc",
    ("SLACK_BOT", "qa"): "xoxb-1234567890-1234567890123-" + "a" * 24,
    ("SHARED_SECRET", "dev"): "same-value-everywhere-123456",
    ("SHARED_SECRET", "prod"): "same-value-everywhere-123456",
}


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


def xvfb_available() -> bool:
    return shutil.which("Xvfb") is not None


def require_xvfb() -> None:
    if not xvfb_available():
        if os.environ.get("VAULT_APP_REQUIRE_SYSTEM") == "1":
            pytest.fail("Xvfb is required (VAULT_APP_REQUIRE_SYSTEM=1) but not installed")
        pytest.skip("Xvfb is not installed")


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
