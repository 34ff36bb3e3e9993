"""Wrong passphrase, damaged and foreign files: one clear error each, and the file untouched."""

from __future__ import annotations

import hashlib
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
    if damage == "truncate":
        db.write_bytes(db.read_bytes()[: size // 3 + 1000])
    elif damage == "truncate-at-page":
        db.write_bytes(db.read_bytes()[:4096])
    elif damage == "flip-late":
        data = bytearray(db.read_bytes())
        for page in range(1, size // 4096):
            data[page * 4096 + 100] ^= 0xFF  # every page but the first
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
