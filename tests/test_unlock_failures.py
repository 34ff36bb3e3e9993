"""Wrong passphrase, damaged and foreign files: one clear error each, and the file untouched."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.name != "unlock-failures.json"}


@pytest.fixture
def filled(vault_cli):
    vault_cli.ok("add", "TOKEN", "--env", "dev", input="value-123456789")
    return vault_cli


def test_wrong_passphrase(filled):
    before = digest(filled.home)
    result = filled("list", env={"VAULT_APP_PASSPHRASE": "wrong passphrase"})
    assert result.code == 1
    assert result.err.strip() == "vault-app: error: wrong passphrase"
    assert digest(filled.home) == before
    # Counted beside the vault (it cannot write inside), reported and audited on the next unlock.
    result = filled.ok("list")
    assert "1 failed unlock attempt" in result.err
    events = filled.ok("audit").out
    assert "unlock-failed" in events
    assert "failed unlock" not in filled.ok("list").err


@pytest.mark.parametrize(
    "damage", ["truncate", "truncate-at-page", "random", "plain-sqlite", "flip-byte", "flip-late", "empty"]
)
def test_damaged_or_foreign_database(filled, damage):
    db = filled.home / "vault.db"
    size = db.stat().st_size
    page = json.loads((filled.home / "vault.keys").read_text())["database"]["page_size"]
    if damage == "truncate":
        db.write_bytes(db.read_bytes()[: size // 3 + 1000])
    elif damage == "truncate-at-page":
        db.write_bytes(db.read_bytes()[:page])  # whole pages: it reads as damaged, not cut
    elif damage == "flip-late":
        data = bytearray(db.read_bytes())
        for number in range(1, size // page):
            data[number * page + 100] ^= 0xFF  # every page but the first
        db.write_bytes(bytes(data))
    elif damage == "random":
        db.write_bytes(os.urandom(size))
    elif damage == "empty":
        db.write_bytes(b"")
    elif damage == "flip-byte":
        data = bytearray(db.read_bytes())
        data[40] ^= 0xFF  # inside page 1: its HMAC no longer matches
        db.write_bytes(bytes(data))
    else:
        db.unlink()
        plain = sqlite3.connect(db)
        plain.execute("CREATE TABLE t (x)")
        plain.commit()
        plain.close()
    before = digest(filled.home)
    result = filled("list")
    assert result.code == 1
    assert result.err.startswith("vault-app: error: ") and len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
    expected = {"plain-sqlite": "plain, unencrypted SQLite", "truncate": "truncated",
                "empty": "truncated"}.get(damage, "damaged")
    assert expected in result.err
    assert digest(filled.home) == before


def test_damaged_key_file(filled):
    keys = filled.home / "vault.keys"
    keys.write_text('{"format": "something else"}')
    before = digest(filled.home)
    result = filled("list")
    assert result.code == 1 and "not a Vault App key file" in result.err
    assert digest(filled.home) == before


def test_missing_key_file_or_database(filled):
    (filled.home / "vault.keys").unlink()
    result = filled("list")
    assert result.code == 1 and "key file" in result.err and "missing" in result.err


def test_key_file_from_another_vault(filled, tmp_path):
    other = filled.env | {"VAULT_APP_HOME": str(tmp_path / "other")}
    filled.ok("init", "--no-keyring", env=other)
    (filled.home / "vault.keys").write_bytes((tmp_path / "other" / "vault.keys").read_bytes())
    before = digest(filled.home)
    result = filled("list")
    assert result.code == 1 and "cannot decrypt" in result.err
    assert digest(filled.home) == before


def test_new_vaults_record_their_page_format(filled):
    keys = json.loads((filled.home / "vault.keys").read_text())
    assert keys["format"] == "vault-app-keys/2"
    assert keys["database"] == {"page_size": 16384, "page_hmac": "HMAC_SHA256"}
    assert (filled.home / "vault.db").stat().st_size % 16384 == 0


@pytest.mark.parametrize("change", [
    {"database": {"page_size": 16384, "page_hmac": "HMAC_SHA512"}},
    {"database": {"page_size": 4096, "page_hmac": "HMAC_SHA256"}},
    {"database": {"page_size": 16384, "page_hmac": "HMAC_SHA1"}},
    {"database": {"page_size": 1000, "page_hmac": "HMAC_SHA256"}},
    {"database": {"page_size": "16384", "page_hmac": "HMAC_SHA256"}},
    {"database": None}, {"database": []}, {"database": {}},
    {"format": "vault-app-keys/1"},  # version 1 means SQLCipher's own format
    {"format": "vault-app-keys/0"}, {"format": "vault-app-keys/x"}, {"format": "other/2"},
])
def test_a_wrong_page_format_in_the_key_file_is_one_clear_error(filled, change):
    path = filled.home / "vault.keys"
    keys = json.loads(path.read_text())
    keys.update(change)
    path.write_text(json.dumps(keys))
    before = digest(filled.home)
    result = filled("list")
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
    assert "damaged" in result.err or "truncated" in result.err
    assert digest(filled.home) == before


def test_a_key_file_from_a_newer_app_asks_for_an_upgrade(filled):
    path = filled.home / "vault.keys"
    keys = json.loads(path.read_text())
    keys["format"] = "vault-app-keys/3"
    path.write_text(json.dumps(keys))
    before = digest(filled.home)
    result = filled("list")
    assert result.code == 1
    assert result.err.strip() == (
        "vault-app: error: vault.keys was written by a newer Vault App: upgrade Vault App to "
        "open this vault"
    )
    assert digest(filled.home) == before


def test_a_vault_made_before_the_page_format_was_recorded_still_opens(tmp_path, no_keyring):
    import uuid

    from vault_app.core.secret import Secret
    from vault_app.keystore import passphrase
    from vault_app.keystore.keyfile import KeyFile
    from vault_app.services.home import VaultHome
    from vault_app.services.vault import Vault
    from vault_app.storage.database import Database

    secret = Secret("correct horse battery")
    home = VaultHome(tmp_path / "old")
    home.root.mkdir(mode=0o700)
    key = os.urandom(32)
    keyfile = KeyFile(vault_id=str(uuid.uuid4()), keyring=False, passphrase=None,
                      page_size=4096, page_hmac="HMAC_SHA512")
    keyfile = keyfile.with_passphrase(passphrase.wrap(key, secret, keyfile.associated_data))
    # SQLCipher 4's own page format, and a key file with no "database" entry, as vaults were made.
    Database.create(home.database, key, page_size=4096, page_hmac="HMAC_SHA512").close()
    assert json.loads(keyfile.to_bytes())["format"] == "vault-app-keys/1"
    keyfile.save(home.keyfile)
    with Vault.open(home, lambda: secret, use_keyring=False) as vault:
        vault.add("OLD_TOKEN", "dev", Secret("value-from-an-old-vault-1"))
        assert [o["name"] for o in json.loads(vault.list_json())] == ["OLD_TOKEN"]
        vault.change_passphrase(Secret("another horse battery"))
    keys = json.loads(home.keyfile.read_text())  # rewritten by the passphrase change
    assert keys["format"] == "vault-app-keys/1" and "database" not in keys  # old apps open it
    from vault_app.core.errors import CorruptVaultError

    with pytest.raises(CorruptVaultError):  # it really is in the old format
        Database.open(home.database, key, page_size=16384, page_hmac="HMAC_SHA256")
    with Vault.open(home, lambda: Secret("another horse battery"), use_keyring=False) as vault:
        assert vault.resolve("OLD_TOKEN").env == "dev"
