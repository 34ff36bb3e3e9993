"""Encrypted backups: round trip onto a new vault, tamper detection, and atomic key changes."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support import PASSPHRASE
from tokens_for_tests import sentinel

from vault_app.core.clock import FixedClock
from vault_app.core.errors import ConflictError, ValidationError, WrongPassphraseError
from vault_app.core.secret import Secret
from vault_app.services import backup
from vault_app.services.home import VaultHome
from vault_app.services.vault import Vault

BACKUP_PASSPHRASE = "a different backup passphrase"
CHEAP = backup.KdfCost(memory_kib=64, iterations=1, lanes=1)  # fast enough to try every byte
DAMAGED = "wrong passphrase, or the file is damaged or was changed"


def comparable(records: list[dict]) -> list[dict]:
    # The fingerprint is keyed per vault and the countdown moves; everything else must match.
    return [
        {k: v for k, v in r.items() if k not in ("fingerprint", "seconds_left")} for r in records
    ]


@pytest.fixture
def filled(vault_cli):
    vault_cli.ok(
        "add",
        "GITHUB_TOKEN",
        "--env",
        "prod",
        "--scope",
        "repo",
        "--cidr",
        "203.0.113.0/24",
        "--tag",
        "ci",
        "--note",
        "deploy bot",
        "--expires",
        "2031-01-01",
        "--rotate-every",
        "30",
        input=sentinel(),
    )
    vault_cli.ok("add", "API_KEY", "--env", "dev", input="dev-value-123456789")
    vault_cli.ok("edit", "API_KEY", "--env", "dev", "--value-stdin", input="dev-value-version-2")
    return vault_cli


def restore_env(cli, tmp_path: Path) -> dict[str, str]:
    return {"VAULT_APP_HOME": str(tmp_path / "restored"), "VAULT_APP_PASSPHRASE": BACKUP_PASSPHRASE}


def test_backup_and_restore_on_a_new_vault(filled, tmp_path):
    file = tmp_path / "vault.backup"
    secret_file = tmp_path / "backup-pass"
    secret_file.write_text(BACKUP_PASSPHRASE + "\n")
    result = filled.ok("backup", str(file), "--backup-passphrase-file", str(secret_file))
    assert "backed up 2 token(s)" in result.err
    assert file.stat().st_mode & 0o777 == 0o600
    raw = file.read_bytes()
    assert raw.startswith(backup.MAGIC) and b"SENTINEL" not in raw and b"dev-value" not in raw
    assert b"GITHUB_TOKEN" not in raw  # names and metadata are encrypted too

    # "Another machine": a new folder, unlocked by the backup's passphrase.
    other = restore_env(filled, tmp_path)
    result = filled.ok("restore", str(file), env=other)
    assert "restored 2 token(s)" in result.err and "intact" in result.err
    before = json.loads(filled.ok("list", "--json").out)
    after = json.loads(filled.ok("list", "--json", env=other).out)
    assert comparable(after) == comparable(before)
    shown = json.loads(filled.ok("show", "API_KEY", "--reveal", "--json", env=other).out)
    assert shown["value"] == "dev-value-version-2" and shown["version"] == 2
    assert shown["last_rotated_at"] is not None
    shown = json.loads(filled.ok("show", "GITHUB_TOKEN", "--reveal", "--json", env=other).out)
    assert shown["value"] == sentinel() and shown["sources"]["scopes"] == "user"
    assert shown["notes"] == "deploy bot" and shown["rotate_every_days"] == 30

    # Both vaults' audit logs say what happened.
    source_actions = [e["action"] for e in json.loads(filled.ok("audit", "--json").out)]
    assert "backup" in source_actions
    restored = json.loads(filled.ok("audit", "--json", env=other).out)
    assert [e["action"] for e in restored[:2]] == ["init", "restore"]
    assert "2 token(s)" in restored[1]["detail"]
    assert filled.ok("audit", "--verify", env=other).code == 0


def test_restore_refuses_an_existing_vault(filled, tmp_path):
    file = tmp_path / "vault.backup"
    filled.ok("backup", str(file))
    before = json.loads(filled.ok("list", "--json").out)
    result = filled("restore", str(file))
    assert result.code == 1 and "a vault already exists" in result.err
    assert comparable(json.loads(filled.ok("list", "--json").out)) == comparable(before)


def test_wrong_passphrase_creates_nothing(filled, tmp_path):
    file = tmp_path / "vault.backup"
    filled.ok("backup", str(file))
    other = restore_env(filled, tmp_path)
    result = filled("restore", str(file), env=other)  # the backup was made with PASSPHRASE
    assert result.code == 1 and DAMAGED in result.err
    assert not (tmp_path / "restored").exists()


@pytest.mark.parametrize("where", ["magic", "length", "header", "body", "tag"])
def test_tampered_backup_is_refused_by_the_cli(filled, tmp_path, where):
    file = tmp_path / "vault.backup"
    filled.ok("backup", str(file))
    data = bytearray(file.read_bytes())
    header_end = len(backup.MAGIC) + 4 + int.from_bytes(data[16:20], "big")
    position = {
        "magic": 3,
        "length": len(backup.MAGIC) + 3,
        "header": header_end - 10,
        "body": (header_end + len(data)) // 2,
        "tag": len(data) - 1,
    }[where]
    data[position] ^= 0x01
    file.write_bytes(bytes(data))
    result = filled("restore", str(file), env={"VAULT_APP_HOME": str(tmp_path / "restored")})
    assert result.code == 1
    assert DAMAGED in result.err or "not a Vault App backup" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / "restored").exists()


def test_not_a_backup(vault_cli, tmp_path):
    file = tmp_path / "x"
    file.write_bytes(b"hello")
    result = vault_cli("restore", str(file), env={"VAULT_APP_HOME": str(tmp_path / "new")})
    assert result.code == 1 and "not a Vault App backup" in result.err


def test_weak_backup_passphrase_is_refused(filled, tmp_path):
    unlock = tmp_path / "pass"
    unlock.write_text(PASSPHRASE + "\n")
    result = filled(
        "--passphrase-file",
        str(unlock),
        "backup",
        str(tmp_path / "b"),
        env={"VAULT_APP_PASSPHRASE": "short"},
    )
    assert result.code == 1 and "too short" in result.err
    assert not (tmp_path / "b").exists()


# -- in-process: every byte -----------------------------------------------------------------


@pytest.fixture
def small_vault(tmp_path, no_keyring):
    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    vault = Vault.create(
        VaultHome(tmp_path / "v"),
        passphrase_value=Secret(PASSPHRASE),
        use_keyring=False,
        clock=clock,
    )
    vault.add("A", "dev", Secret("alpha-value-123456"))
    vault.add("B", "prod", Secret("beta-value-1234567"))
    yield vault
    vault.close()


def test_flipping_any_byte_or_cutting_the_file_is_refused(small_vault, tmp_path):
    secret = Secret(BACKUP_PASSPHRASE)
    data = backup.encode(small_vault, secret, cost=CHEAP)
    assert len(backup.decode(data, secret).items) == 2
    for position in range(len(data)):
        for bit in (0x01, 0x80):
            damaged = bytearray(data)
            damaged[position] ^= bit
            with pytest.raises(backup.BackupError):
                backup.decode(bytes(damaged), secret)
    for length in range(len(data)):
        with pytest.raises(backup.BackupError):
            backup.decode(data[:length], secret)
    with pytest.raises(backup.BackupError):
        backup.decode(data + b"\x00", secret)


def test_restore_of_a_damaged_backup_changes_nothing(small_vault, tmp_path):
    secret = Secret(BACKUP_PASSPHRASE)
    data = bytearray(backup.encode(small_vault, secret, cost=CHEAP))
    data[-20] ^= 0x10
    home = VaultHome(tmp_path / "new")
    with pytest.raises(backup.BackupError, match=DAMAGED):
        backup.restore(home, bytes(data), secret, use_keyring=False)
    assert not home.root.exists()


def test_restore_cleans_up_when_writing_fails(small_vault, tmp_path, monkeypatch):
    secret = Secret(BACKUP_PASSPHRASE)
    data = backup.encode(small_vault, secret, cost=CHEAP)
    home = VaultHome(tmp_path / "new")

    def fail(self, items, detail=""):
        raise ValidationError("simulated failure while writing")

    monkeypatch.setattr(Vault, "restore_items", fail)
    with pytest.raises(ValidationError, match="simulated"):
        backup.restore(home, data, secret, use_keyring=False)
    assert not home.root.exists()


def test_restore_only_into_an_empty_vault(small_vault):
    with pytest.raises(ConflictError):
        small_vault.restore_items([], detail="")


def test_backup_repr_and_errors_hold_no_value(small_vault):
    secret = Secret(BACKUP_PASSPHRASE)
    contents = backup.decode(backup.encode(small_vault, secret, cost=CHEAP), secret)
    assert "alpha-value" not in repr(contents)


# -- passwd and keyring: atomic key file replacement ----------------------------------------


def test_passwd_is_atomic_when_the_replace_fails(small_vault, tmp_path, monkeypatch):
    home = small_vault.home
    before = home.keyfile.read_bytes()
    import vault_app.securefs as securefs

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(securefs.os, "replace", broken_replace)
    with pytest.raises(OSError):
        small_vault.change_passphrase(Secret("a brand new passphrase"))
    monkeypatch.undo()
    assert home.keyfile.read_bytes() == before
    assert sorted(p.name for p in home.root.iterdir() if p.name.endswith(".tmp")) == []
    small_vault.close()
    with Vault.open(home, lambda: Secret(PASSPHRASE), use_keyring=False) as reopened:
        assert [r.name for r in reopened.records()] == ["A", "B"]
    with pytest.raises(WrongPassphraseError):
        Vault.open(home, lambda: Secret("a brand new passphrase"), use_keyring=False)


def test_passwd_replaces_the_key_file_in_one_step(small_vault, monkeypatch):
    home = small_vault.home
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def watch(src, dst):
        replaced.append((Path(src).name, Path(dst).name))
        real_replace(src, dst)

    import vault_app.securefs as securefs

    monkeypatch.setattr(securefs.os, "replace", watch)
    small_vault.change_passphrase(Secret("a brand new passphrase"))
    monkeypatch.undo()
    assert [dst for _, dst in replaced] == ["vault.keys"]
    assert replaced[0][0].startswith(".vault.keys.")
    assert home.keyfile.stat().st_mode & 0o777 == 0o600
    assert any(e.action == "passwd" for e in small_vault.audit_events())
    small_vault.close()
    with Vault.open(home, lambda: Secret("a brand new passphrase"), use_keyring=False) as reopened:
        assert len(reopened.records()) == 2
    with pytest.raises(WrongPassphraseError):
        Vault.open(home, lambda: Secret(PASSPHRASE), use_keyring=False)


def test_passwd_through_the_cli(vault_cli, tmp_path):
    vault_cli.ok("add", "X", "--env", "dev", input="value-123456789")
    unlock = tmp_path / "pass"
    unlock.write_text(PASSPHRASE + "\n")
    new = {"VAULT_APP_PASSPHRASE": "the next long passphrase"}
    vault_cli.ok("--passphrase-file", str(unlock), "passwd", env=new)
    assert vault_cli("list").code == 1
    assert vault_cli.ok("list", env={"VAULT_APP_PASSPHRASE": "the next long passphrase"})


def test_keyring_disable_without_passphrase_is_refused_and_changes_nothing(small_vault):
    # A passphrase-only vault: enabling needs a usable keyring (none here), and the key file
    # stays as it was.
    before = small_vault.home.keyfile.read_bytes()
    from vault_app.core.errors import VaultError

    with pytest.raises(VaultError, match="no usable OS keyring"):
        small_vault.set_keyring(True)
    assert small_vault.home.keyfile.read_bytes() == before
