"""Round trips of every record command through the real CLI process, and the JSON contract."""

from __future__ import annotations

import json

from tokens_for_tests import github_pat

TOKEN_KEYS = {
    "name",
    "env",
    "provider",
    "kind",
    "expires_at",
    "seconds_left",
    "status",
    "scopes",
    "cidrs",
    "countries",
    "endpoints",
    "resources",
    "tags",
    "reused_in",
    "created_at",
    "updated_at",
    "last_rotated_at",
}


def test_add_list_show_round_trip(vault_cli):
    token = github_pat()
    vault_cli.ok(
        "add",
        "GITHUB_TOKEN",
        "--env",
        "prod",
        "--scope",
        "repo,read:org",
        "--cidr",
        "203.0.113.0/24",
        "--country",
        "de",
        "--endpoint",
        "GET /repos/**",
        "--resource",
        "org/app",
        "--tag",
        "ci",
        "--note",
        "deploy bot",
        "--expires",
        "30d",
        "--rotate-every",
        "60",
        input=token,
    )
    listed = json.loads(vault_cli.ok("list", "--json").out)
    assert isinstance(listed, list) and len(listed) == 1
    item = listed[0]
    assert item.keys() >= TOKEN_KEYS
    assert item["name"] == "GITHUB_TOKEN" and item["env"] == "prod"
    assert item["provider"] == "github" and item["kind"]
    assert item["scopes"] == ["repo", "read:org"]
    assert item["cidrs"] == ["203.0.113.0/24"]
    assert item["countries"] == ["DE"]
    assert item["endpoints"] == ["GET /repos/**"]
    assert item["resources"] == ["org/app"] and item["tags"] == ["ci"]
    assert item["expires_at"].endswith("Z")
    assert 29 * 86400 < item["seconds_left"] <= 30 * 86400
    assert item["status"] == "ok"
    assert item["reused_in"] == []
    assert "value" not in item

    shown = json.loads(vault_cli.ok("show", "GITHUB_TOKEN", "--json").out)
    assert shown["name"] == "GITHUB_TOKEN" and "value" not in shown
    assert shown["sources"]["scopes"] == "user" and shown["sources"]["provider"] == "token"
    revealed = json.loads(vault_cli.ok("show", "GITHUB_TOKEN", "--reveal", "--json").out)
    assert revealed["value"] == token


def test_env_is_needed_only_when_ambiguous(vault_cli):
    vault_cli.ok("add", "API_KEY", "--env", "dev", input="dev-value-123456")
    assert json.loads(vault_cli.ok("show", "API_KEY", "--json").out)["env"] == "dev"
    vault_cli.ok("add", "API_KEY", "--env", "staging", input="staging-value-123456")
    result = vault_cli("show", "API_KEY")
    assert result.code == 1
    assert "several environments" in result.err and "--env" in result.err
    assert (
        json.loads(vault_cli.ok("show", "API_KEY", "--env", "staging", "--json").out)["env"]
        == "staging"
    )


def test_edit_changes_metadata_and_value(vault_cli):
    vault_cli.ok("add", "TOKEN", "--env", "dev", "--scope", "read", input="first-value-123456")
    vault_cli.ok("edit", "TOKEN", "--env", "dev", "--scope", "write", "--expires", "2030-01-01")
    shown = json.loads(vault_cli.ok("show", "TOKEN", "--json").out)
    assert shown["scopes"] == ["write"] and shown["expires_at"] == "2030-01-01T00:00:00Z"
    assert shown["version"] == 1 and shown["last_rotated_at"] is None
    vault_cli.ok("edit", "TOKEN", "--env", "dev", "--value-stdin", input="second-value-123456")
    shown = json.loads(vault_cli.ok("show", "TOKEN", "--reveal", "--json").out)
    assert shown["value"] == "second-value-123456"
    assert shown["version"] == 2 and shown["last_rotated_at"] is not None
    vault_cli.ok("edit", "TOKEN", "--env", "dev", "--expires", "never")
    assert json.loads(vault_cli.ok("show", "TOKEN", "--json").out)["status"] == "no-expiry"


def test_past_expiry_is_accepted_and_shows_expired(vault_cli):
    vault_cli.ok("add", "OLD", "--env", "dev", "--expires", "2020-01-01", input="old-value-123456")
    item = json.loads(vault_cli.ok("list", "--json").out)[0]
    assert item["status"] == "expired" and item["seconds_left"] < 0
    assert "expired" in vault_cli.ok("list").out


def test_reuse_across_environments_is_reported(vault_cli):
    token = github_pat()
    vault_cli.ok("add", "GH", "--env", "dev", input=token)
    result = vault_cli.ok("add", "GH", "--env", "prod", input=token)
    assert "already stored as GH (dev)" in result.err
    items = {i["env"]: i for i in json.loads(vault_cli.ok("list", "--json").out)}
    assert items["dev"]["reused_in"] == [{"name": "GH", "env": "prod"}]
    assert items["prod"]["reused_in"] == [{"name": "GH", "env": "dev"}]


def test_list_filters_by_environment_and_rm_deletes(vault_cli):
    vault_cli.ok("add", "A", "--env", "dev", input="value-a-123456")
    vault_cli.ok("add", "B", "--env", "prod", input="value-b-123456")
    assert [i["name"] for i in json.loads(vault_cli.ok("list", "--env", "prod", "--json").out)] == [
        "B"
    ]
    vault_cli.ok("rm", "B", "--env", "prod")
    assert [i["name"] for i in json.loads(vault_cli.ok("list", "--json").out)] == ["A"]
    missing = vault_cli("rm", "B", "--env", "prod")
    assert missing.code == 1 and "no token named B" in missing.err


def test_user_expiry_wins_over_the_token_and_warns(vault_cli):
    import jwt

    claims = {"sub": "ci", "exp": 4102444800, "scope": "read write"}  # 2100-01-01
    token = jwt.encode(claims, "k" * 32, algorithm="HS256")
    result = vault_cli.ok("add", "SVC_JWT", "--env", "dev", "--expires", "2031-01-01", input=token)
    assert "keeping the expiry you gave" in result.err
    shown = json.loads(vault_cli.ok("show", "SVC_JWT", "--json").out)
    assert shown["expires_at"] == "2031-01-01T00:00:00Z"
    assert shown["sources"]["expires_at"] == "user"
    assert shown["scopes"] == ["read", "write"] and shown["sources"]["scopes"] == "token"


def test_import_export_round_trip_is_all_or_nothing(vault_cli, tmp_path):
    vault_cli.ok("add", "KEEP", "--env", "dev", input="keep-value-123456")
    good = [
        {
            "name": "ONE",
            "env": "prod",
            "value": "one-value-123456",
            "scopes": ["read"],
            "expires_at": "2031-05-01T00:00:00Z",
        },
        {"name": "TWO", "env": "staging", "value": "two-value-123456", "cidrs": ["10.0.0.0/8"]},
    ]
    bad = [
        *good,
        {"name": "THREE", "env": "dev", "value": "three-value-123456", "cidrs": ["10.0.0.1/8"]},
    ]
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    result = vault_cli("import", str(tmp_path / "bad.json"), "--format", "json")
    assert result.code == 1 and "THREE" in result.err and "host bits" in result.err
    assert [i["name"] for i in json.loads(vault_cli.ok("list", "--json").out)] == ["KEEP"]

    (tmp_path / "good.json").write_text(json.dumps(good))
    vault_cli.ok("import", str(tmp_path / "good.json"), "--format", "json")
    names = sorted(i["name"] for i in json.loads(vault_cli.ok("list", "--json").out))
    assert names == ["KEEP", "ONE", "TWO"]

    refused = vault_cli("export", str(tmp_path / "out.json"), "--format", "json")
    assert (
        refused.code == 1 and "--plaintext" in refused.err and not (tmp_path / "out.json").exists()
    )
    vault_cli.ok("export", str(tmp_path / "out.json"), "--format", "json", "--plaintext")
    assert (tmp_path / "out.json").stat().st_mode & 0o777 == 0o600
    exported = {i["name"]: i for i in json.loads((tmp_path / "out.json").read_text())}
    assert exported["ONE"]["value"] == "one-value-123456"
    assert exported["ONE"]["expires_at"] == "2031-05-01T00:00:00Z"
    assert exported["TWO"]["cidrs"] == ["10.0.0.0/8"]

    # The export is itself a valid import into a fresh vault.
    other = vault_cli.env | {"VAULT_APP_HOME": str(tmp_path / "other")}
    vault_cli.ok("init", "--no-keyring", env=other)
    vault_cli.ok("import", str(tmp_path / "out.json"), env=other)
    again = json.loads(vault_cli.ok("show", "ONE", "--reveal", "--json", env=other).out)
    assert again["value"] == "one-value-123456" and again["scopes"] == ["read"]


def test_human_list_and_show(vault_cli):
    vault_cli.ok(
        "add",
        "GITHUB_TOKEN",
        "--env",
        "prod",
        "--scope",
        "repo",
        "--expires",
        "3d",
        input=github_pat(),
    )
    listing = vault_cli.ok("list").out
    assert listing.splitlines()[0].split() == [
        "NAME",
        "ENV",
        "PROVIDER",
        "EXPIRES",
        "STATUS",
        "FINDINGS",
        "SCOPES",
    ]
    assert "GITHUB_TOKEN" in listing and "expiring" in listing
    shown = vault_cli.ok("show", "GITHUB_TOKEN").out
    assert "repo" in shown and "[from user]" in shown and "(unconstrained)" in shown


def test_list_json_is_compact_for_a_pipe_and_indented_at_a_terminal(vault_cli):
    import os
    import subprocess
    import sys

    vault_cli.ok("add", "GITHUB_TOKEN", "--env", "prod", "--note", "naïve", input=github_pat())
    piped = vault_cli.ok("list", "--json").out
    assert piped.count("\n") == 1 and '"notes":"naïve"' in piped
    controller, terminal = os.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "vault_app", "list", "--json"],
                              stdin=subprocess.DEVNULL, stdout=terminal, stderr=subprocess.PIPE,
                              env=vault_cli.env, timeout=60, check=False)
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal side is closed: all read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
    shown = b"".join(chunks).decode().replace("\r\n", "\n")
    assert proc.returncode == 0, proc.stderr
    assert '\n  {\n    "name": "GITHUB_TOKEN"' in shown
    assert json.loads(shown) == json.loads(piped)
