"""The rotation commands as a user runs them: rotate, versions, rollback, rotation status, --live."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "providers"))

from provider_fakes import FakeGitHub, FakeGitLab, serve


def _add_gitlab(cli, fake: FakeGitLab, *extra: str) -> str:
    old = fake.issue()
    cli.ok("add", "ci", "--env", "prod", "--provider-option", f"url={fake.url}", *extra, input=old)
    return old


def test_dry_run_then_rotate_then_versions(vault_cli, gitlab):
    old = _add_gitlab(vault_cli, gitlab)
    dry = vault_cli.ok("rotate", "ci", "--env", "prod", "--dry-run")
    assert "would create" in dry.out and "nothing was changed" in dry.out
    assert gitlab.active(old)
    done = vault_cli.ok("rotate", "ci", "--env", "prod", "--yes")
    assert "create" in done.err and "version 2 is current" in done.err
    assert not gitlab.active(old)
    shown = vault_cli.ok("versions", "ci", "--env", "prod")
    assert "current" in shown.out and "previous" in shown.out and "v1 -> v2" in shown.out
    data = json.loads(vault_cli.ok("versions", "ci", "--env", "prod", "--json").out)
    assert [v["label"] for v in data["versions"]] == ["current", "previous"]
    assert data["runs"][0]["state"] == "done" and len(data["runs"][0]["steps"]) >= 7
    assert "no interrupted rotation" in vault_cli.ok("rotation", "status").err
    audit = vault_cli.ok("audit", "--json").out
    assert old not in audit and "rotate" in audit


def test_rollback_refuses_when_gitlab_revoked_the_previous_token(vault_cli, gitlab):
    _add_gitlab(vault_cli, gitlab)
    vault_cli.ok("rotate", "ci", "--env", "prod", "--yes")
    result = vault_cli("rollback", "ci", "--env", "prod", "--yes")
    assert (
        result.code == 1 and "no longer works" in result.err and "nothing was changed" in result.err
    )


def test_rotate_needs_a_name_or_due(vault_cli, gitlab):
    result = vault_cli("rotate")
    assert result.code == 1 and "NAME" in result.err
    assert "no token is due" in vault_cli.ok("rotate", "--due", "--yes").err


def test_a_failed_rotation_exits_1_and_says_why(vault_cli, gitlab):
    old = _add_gitlab(vault_cli, gitlab)
    gitlab.find(old).revoked = True
    result = vault_cli("rotate", "ci", "--env", "prod", "--yes")
    assert result.code == 1 and "revoked" in result.err and "--value-stdin" in result.err


def test_assisted_github_rotation_reads_the_new_value_from_stdin(vault_cli):
    with serve(FakeGitHub()) as fake:
        old = fake.issue()
        vault_cli.ok(
            "add", "gh", "--env", "prod", "--provider-option", f"url={fake.url}", input=old
        )
        new = fake.issue()
        done = vault_cli.ok("rotate", "gh", "--env", "prod", "--yes", input=new)
        assert "settings/tokens" in done.err and "delete the old token" in done.err
        shown = json.loads(vault_cli.ok("show", "gh", "--env", "prod", "--reveal", "--json").out)
        assert shown["value"] == new
        other = FakeGitHub.issue(fake, login="someone-else")
        refused = vault_cli("rotate", "gh", "--env", "prod", "--yes", input=other)
        assert refused.code == 1 and "belongs to someone-else" in refused.err


def test_live_inspect_shows_provider_beside_vault(vault_cli, gitlab, monkeypatch, capsys):
    from vault_app.cli.commands.rotation import live_inspect

    _add_gitlab(vault_cli, gitlab, "--scope", "api,read_user")
    for key, value in vault_cli.env.items():
        monkeypatch.setenv(key, value)
    args = argparse.Namespace(
        home=None,
        passphrase_file=None,
        use_keyring=False,
        name="ci",
        env="prod",
        live=True,
        json=True,
    )
    assert live_inspect(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["provider"]["status"] == "active" and report["provider"]["scopes"] == ["api"]
    assert {d["field"] for d in report["drift"]} >= {"scopes"}
    args.json = False
    assert live_inspect(args) == 0
    captured = capsys.readouterr()
    assert "PROVIDER" in captured.out and "drift in scopes" in captured.err
