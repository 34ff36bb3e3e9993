"""The keyring path against a real Secret Service (gnome-keyring on a private D-Bus session)."""

from __future__ import annotations

import json
import subprocess

import pytest
from system_parts import gnome_keyring


@pytest.fixture
def keyring_cli(cli, tmp_path):
    with gnome_keyring(tmp_path) as env:
        cli.env.update(env)
        cli.env.pop("PYTHON_KEYRING_BACKEND", None)
        cli.env.pop("VAULT_APP_PASSPHRASE", None)
        yield cli


def secret_tool_lookup(cli, vault_id):
    return subprocess.run(["secret-tool", "lookup", "service", "vault-app", "username", vault_id],
                          capture_output=True, text=True, env=cli.env).stdout


def test_keyring_status_sees_secret_service(keyring_cli):
    status = json.loads(keyring_cli.ok("keyring", "status").out)
    assert status["usable"] is True and "SecretService" in status["backend"]


def test_init_with_keyring_unlocks_without_a_prompt(keyring_cli):
    keyring_cli.ok("init")
    keys = json.loads((keyring_cli.home / "vault.keys").read_text())
    assert keys["keyring"] is True and keys["passphrase"] is None
    keyring_cli.ok("add", "T", "--env", "dev", input="value-123456789")
    assert json.loads(keyring_cli.ok("list", "--json").out)[0]["name"] == "T"
    events = json.loads(keyring_cli.ok("audit", "--json").out)
    assert any(e["action"] == "unlock" and e["detail"] == "keyring" for e in events)
    # The key really lives in the Secret Service (64 hex characters), not in the folder.
    stored = secret_tool_lookup(keyring_cli, keys["vault_id"]).strip()
    assert len(stored) == 64
    for path in keyring_cli.home.iterdir():
        assert stored.encode() not in path.read_bytes()


def test_keyring_and_passphrase_together_fall_back(keyring_cli):
    keyring_cli.ok("init", "--passphrase", env={"VAULT_APP_PASSPHRASE": "correct horse battery"})
    keys = json.loads((keyring_cli.home / "vault.keys").read_text())
    assert keys["keyring"] is True and keys["passphrase"] is not None
    subprocess.run(["secret-tool", "clear", "service", "vault-app", "username", keys["vault_id"]],
                   check=True, env=keyring_cli.env)
    refused = keyring_cli("list")
    assert refused.code == 1 and "passphrase is needed" in refused.err
    ok = keyring_cli.ok("list", "--json", env={"VAULT_APP_PASSPHRASE": "correct horse battery"})
    assert json.loads(ok.out) == []


def test_disable_and_enable_keyring(keyring_cli):
    keyring_cli.ok("init")
    keys = json.loads((keyring_cli.home / "vault.keys").read_text())
    refused = keyring_cli("keyring", "disable")
    assert refused.code == 1 and "passphrase first" in refused.err
    keyring_cli.ok("passwd", env={"VAULT_APP_PASSPHRASE": "a new long passphrase"})
    keyring_cli.ok("keyring", "disable")
    assert secret_tool_lookup(keyring_cli, keys["vault_id"]) == ""
    assert json.loads((keyring_cli.home / "vault.keys").read_text())["keyring"] is False
    assert keyring_cli("list").code == 1
    pw = {"VAULT_APP_PASSPHRASE": "a new long passphrase"}
    keyring_cli.ok("list", env=pw)
    keyring_cli.ok("keyring", "enable", env=pw)
    keyring_cli.ok("list")
