"""Bad input: one clear line on stderr, the right exit code, no traceback, nothing written."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["add", "1BAD", "--env", "dev"], "invalid name"),
        (["add", "OK", "--env", "Prod!"], "invalid environment"),
        (["add", "OK", "--env", "dev", "--cidr", "10.0.0.300/8"], "invalid CIDR"),
        (["add", "OK", "--env", "dev", "--cidr", "10.1.2.3/8"], "did you mean 10.0.0.0/8"),
        (["add", "OK", "--env", "dev", "--expires", "next tuesday"], "invalid date"),
        (["add", "OK", "--env", "dev", "--country", "XX"], "invalid country"),
        (["add", "OK", "--env", "dev", "--endpoint", "FETCH /x"], "invalid endpoint"),
        (["add", "OK", "--env", "dev", "--rotate-every", "0"], "rotation interval"),
    ],
)
def test_validation_errors_change_nothing(vault_cli, args, needle):
    before = vault_cli.ok("audit", "--json").out
    result = vault_cli(*args, input="some-token-value-123")
    assert result.code == 1
    assert result.err.startswith("vault-app: error: ") and needle in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.text
    assert json.loads(vault_cli.ok("list", "--json").out) == []
    # Only the unlock of the audit call itself was added: no add event.
    after = json.loads(vault_cli.ok("audit", "--json").out)
    assert not any(e["action"] == "add" for e in after) and len(after) >= len(json.loads(before))


def test_usage_errors_exit_2(vault_cli):
    result = vault_cli("add", "NAME")
    assert result.code == 2 and "vault-app: error:" in result.err and "Traceback" not in result.err
    assert vault_cli("frobnicate").code == 2


def test_empty_or_multiline_value_is_refused(vault_cli):
    assert "empty" in vault_cli("add", "X", "--env", "dev", input="").err
    assert "several lines" in vault_cli("add", "X", "--env", "dev", input="a\nb").err


def test_duplicate_add_is_a_conflict(vault_cli):
    vault_cli.ok("add", "X", "--env", "dev", input="value-123456")
    result = vault_cli("add", "X", "--env", "dev", input="value-654321")
    assert result.code == 1 and "already exists" in result.err and "edit" in result.err


def test_missing_vault_has_its_own_message(cli):
    result = cli("list")
    assert result.code == 1 and "no vault at" in result.err and "vault-app init" in result.err


def test_init_twice_refuses(vault_cli):
    result = vault_cli("init", "--no-keyring")
    assert result.code == 1 and "already exists" in result.err


def test_no_passphrase_source_says_how(vault_cli):
    env = {k: v for k, v in vault_cli.env.items() if k != "VAULT_APP_PASSPHRASE"}
    vault_cli.env = env
    result = vault_cli("list")
    assert result.code == 1 and "--passphrase-file" in result.err


def test_passphrase_file(vault_cli, tmp_path):
    (tmp_path / "pass").write_text("correct horse battery staple\n")
    env = {k: v for k, v in vault_cli.env.items() if k != "VAULT_APP_PASSPHRASE"}
    vault_cli.env = env
    assert vault_cli.ok("--passphrase-file", str(tmp_path / "pass"), "list", "--json").out.strip() == "[]"
    (tmp_path / "wrong").write_text("not it\n")
    result = vault_cli("--passphrase-file", str(tmp_path / "wrong"), "list")
    assert result.code == 1 and "wrong passphrase" in result.err


def test_copy_without_display_says_so(vault_cli):
    vault_cli.ok("add", "X", "--env", "dev", input="value-123456")
    result = vault_cli("copy", "X")
    assert result.code == 1 and "no clipboard here" in result.err
