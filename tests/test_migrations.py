"""Schema migrations: a vault written by an older schema opens, upgrades in place, keeps its data."""

from __future__ import annotations

import pytest

from vault_app.core.errors import VaultError
from vault_app.core.secret import Secret
from vault_app.services.home import VaultHome
from vault_app.services.vault import Vault
from vault_app.storage import database

PASS = Secret("correct horse battery staple")


def test_every_step_is_numbered_and_unique():
    numbers = database.migration_numbers()
    assert numbers == sorted(set(numbers)) and numbers[0] == 1
    for number in numbers:
        assert database.migration_script(number).strip()


@pytest.mark.parametrize("written_at", database.migration_numbers()[:-1])
def test_older_vault_upgrades(tmp_path, no_keyring, monkeypatch, written_at):
    home = VaultHome(tmp_path / "v")
    latest = database.migration_numbers()
    monkeypatch.setattr(database, "migration_numbers", lambda: [n for n in latest if n <= written_at])
    with Vault.create(home, passphrase_value=PASS, use_keyring=False) as vault:
        vault.add("OLD", "dev", Secret("old-token-value-123456"))
        assert vault.database.schema_version() == written_at
    monkeypatch.undo()
    with Vault.open(home, lambda: PASS) as vault:
        assert vault.database.schema_version() == latest[-1]
        record = vault.resolve("OLD", "dev")
        assert vault.reveal(record).reveal() == "old-token-value-123456"
        assert vault.verify_audit().ok


def test_newer_vault_is_refused_with_a_clear_message(tmp_path, no_keyring):
    home = VaultHome(tmp_path / "v")
    with (
        Vault.create(home, passphrase_value=PASS, use_keyring=False) as vault,
        vault.database.transaction() as conn,
    ):
        conn.execute("PRAGMA user_version = 999")
    with pytest.raises(VaultError, match="newer Vault App"):
        Vault.open(home, lambda: PASS)
