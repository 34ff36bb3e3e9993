"""The audit log's hash chain catches edited, deleted, reordered and truncated events."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from vault_app.core.clock import FixedClock
from vault_app.core.secret import Secret
from vault_app.services.home import VaultHome
from vault_app.services.vault import Vault

PASS = Secret("correct horse battery staple")


@pytest.fixture
def vault(tmp_path, no_keyring):
    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    v = Vault.create(
        VaultHome(tmp_path / "v"), passphrase_value=PASS, use_keyring=False, clock=clock
    )
    for i in range(5):
        v.add(f"T{i}", "dev", Secret(f"value-{i}-123456"))
    yield v
    v.close()


def sql(vault, statement, params=()):
    with vault._db.transaction() as conn:
        conn.execute(statement, params)


def test_intact_log_verifies(vault):
    result = vault.verify_audit()
    assert result.ok and result.events == 6 and result.problems == ()


def test_edited_event(vault):
    sql(vault, "UPDATE audit SET name = 'OTHER' WHERE seq = 3")
    result = vault.verify_audit()
    assert not result.ok
    assert any(p.startswith("event 3:") and "changed" in p for p in result.problems)


def test_deleted_event(vault):
    sql(vault, "DELETE FROM audit WHERE seq = 4")
    result = vault.verify_audit()
    assert not result.ok and any("event 4: missing" in p for p in result.problems)


def test_reordered_events(vault):
    rows = vault._db.execute(
        "SELECT at, action, name, env, detail, prev_hash, hash FROM audit "
        "WHERE seq IN (2, 5) ORDER BY seq"
    )
    sql(
        vault,
        "UPDATE audit SET at=?, action=?, name=?, env=?, detail=?, prev_hash=?, hash=? WHERE seq=2",
        rows[1],
    )
    sql(
        vault,
        "UPDATE audit SET at=?, action=?, name=?, env=?, detail=?, prev_hash=?, hash=? WHERE seq=5",
        rows[0],
    )
    result = vault.verify_audit()
    assert not result.ok and any("event 2" in p for p in result.problems)


def test_truncated_tail(vault):
    sql(vault, "DELETE FROM audit WHERE seq = 6")
    result = vault.verify_audit()
    assert not result.ok and any("removed from the end" in p for p in result.problems)


def test_cli_verify_exit_codes(vault_cli):
    vault_cli.ok("add", "X", "--env", "dev", input="value-123456")
    result = vault_cli.ok("audit", "--verify", "--json")
    assert json.loads(result.out)["ok"] is True
    events = json.loads(vault_cli.ok("audit", "--json").out)
    assert [e["action"] for e in events][:3] == ["init", "unlock", "add"]
    assert all("value" not in json.dumps(e) or e["detail"] for e in events)


def test_every_action_is_audited(vault):
    record = vault.resolve("T1", "dev")
    vault.reveal(record)
    vault.reveal(record, "copy")
    vault.edit(
        "T1",
        "dev",
        __import__("vault_app.services.inputs", fromlist=["TokenFields"]).TokenFields(notes="n"),
    )
    vault.remove("T2", "dev")
    vault.export_items()
    actions = [e.action for e in vault.audit_events()]
    for action in ("init", "add", "reveal", "copy", "edit", "delete", "export"):
        assert action in actions
