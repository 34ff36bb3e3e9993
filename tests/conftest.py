"""Shared fixtures: temporary vaults, a real CLI runner, and system parts that may be absent.

A test that needs a system part (Xvfb, a D-Bus session, gnome-keyring, a notification daemon)
calls :func:`require_system`. On a laptop without it the test skips; with
``VAULT_APP_REQUIRE_SYSTEM=1`` (set by CI) the skip becomes a failure, so CI always runs them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import PASSPHRASE, Cli, base_env

# The providers' local fake servers (tests/providers/provider_fakes.py) serve several test folders.
sys.path.insert(0, str(Path(__file__).resolve().parent / "providers"))
from provider_fakes import FakeGitHub, FakeGitLab, FakeVault, serve


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    home = tmp_path / "vault"
    env = base_env(tmp_path)
    env["VAULT_APP_HOME"] = str(home)
    env["VAULT_APP_PASSPHRASE"] = PASSPHRASE
    return Cli(home, env)


@pytest.fixture
def vault_cli(cli: Cli) -> Cli:
    """A CLI runner on a freshly initialised passphrase vault."""
    cli.ok("init", "--no-keyring")
    return cli


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In-process tests: the fail backend, so that the developer's keyring is never used."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    """A GitLab-API server on 127.0.0.1."""
    with serve(FakeGitLab()) as fake:
        yield fake


@pytest.fixture
def hcv() -> Iterator[FakeVault]:
    """A HashiCorp-Vault-API server on 127.0.0.1."""
    with serve(FakeVault()) as fake:
        yield fake


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """A GitHub-API server on 127.0.0.1."""
    with serve(FakeGitHub()) as fake:
        yield fake
