"""health, config and scan through the real CLI."""

from __future__ import annotations

import json
import os

from tokens_for_tests import github_pat


def test_health_json_shape_and_fail_on(vault_cli):
    token = github_pat()
    vault_cli.ok("add", "GH", "--env", "dev", input=token)
    vault_cli.ok("add", "GH", "--env", "prod", "--scope", "repo", input=token)
    result = vault_cli.ok("health", "--json")
    data = json.loads(result.out)
    assert set(data) == {"findings", "summary"}
    codes = {f["code"]: f for f in data["findings"]}
    assert codes["reused-across-environments"]["severity"] == "critical"
    assert {"name": "GH", "env": "prod"} in codes["reused-across-environments"]["tokens"]
    for finding in data["findings"]:
        assert set(finding) == {"code", "severity", "message", "tokens"}
        assert token not in finding["message"]
    assert vault_cli("health", "--fail-on", "critical").code == 3
    assert vault_cli("health").code == 0


def test_health_clean_vault_passes_gate(vault_cli):
    vault_cli.ok("add", "OK", "--env", "dev", "--expires", "30d", "--scope", "read",
                 input="narrow-token-123456")
    assert vault_cli("health", "--fail-on", "warning").code == 0, vault_cli("health").out


def test_list_and_show_carry_findings(vault_cli):
    vault_cli.ok("add", "OLD", "--env", "prod", "--expires", "2020-01-01", input="old-token-123456")
    item = json.loads(vault_cli.ok("list", "--json").out)[0]
    assert "expired" in {f["code"] for f in item["findings"]}
    shown = json.loads(vault_cli.ok("show", "OLD", "--json").out)
    assert "expired" in {f["code"] for f in shown["findings"]}


def test_config_shows_sets_and_rejects(vault_cli):
    assert "expiring_soon_days = 7" in vault_cli.ok("config").out
    vault_cli.ok("config", "expiring_soon_days", "10")
    assert vault_cli.ok("config", "expiring_soon_days").out.strip() == "10"
    text = (vault_cli.home / "policy.toml").read_text()
    assert "# Days before expiry" in text  # comments kept
    bad = vault_cli("config", "expiring_soon_days", "soon")
    assert bad.code == 1 and "expiring_soon_days" in bad.err
    assert (vault_cli.home / "policy.toml").read_text() == text
    # A status threshold of 10 days turns an 8-day token into "expiring".
    vault_cli.ok("add", "T", "--env", "dev", "--expires", "8d", input="t-token-123456")
    assert json.loads(vault_cli.ok("list", "--json").out)[0]["status"] == "expiring"


def test_broken_policy_file_points_at_the_line(vault_cli):
    (vault_cli.home / "policy.toml").write_text("expiring_soon_days = 7\nprod_envs = 5\n")
    result = vault_cli("health")
    assert result.code == 1 and "policy.toml:2" in result.err


def test_scan_finds_planted_values_and_never_prints_them(vault_cli, tmp_path):
    dev_token, prod_token = github_pat(), github_pat()
    vault_cli.ok("add", "GH", "--env", "dev", input=dev_token)
    vault_cli.ok("add", "GH", "--env", "prod", input=prod_token)
    tree = tmp_path / "tree"
    (tree / "app" / "dev").mkdir(parents=True)
    (tree / "app" / "dev" / ".env").write_text(f"# config\nGH_TOKEN={prod_token}\n")
    (tree / "history").write_text("ls\n" * 50 + f"curl -H 'Authorization: token {dev_token}' x\n")
    (tree / "binary.bin").write_bytes(b"\x00\x01" + prod_token.encode())
    (tree / "clean.py").write_text("print('nothing here')\n" * 100)
    os.symlink(tree, tree / "app" / "loop")  # a link loop must not hang the scan
    result = vault_cli.ok("scan", str(tree), "--json")
    assert prod_token not in result.text and dev_token not in result.text
    data = json.loads(result.out)
    found = {(os.path.basename(leak["file"]), leak["line"], leak["env"]) for leak in data["leaks"]}
    assert found == {(".env", 2, "prod"), ("history", 51, "dev")}
    prod_leak = next(leak for leak in data["leaks"] if leak["env"] == "prod")
    assert prod_leak["note"] and "dev" in prod_leak["note"]
    assert data["summary"]["skipped_binary"] == 1 and data["summary"]["files_scanned"] == 3
    assert vault_cli("scan", str(tree), "--fail").code == 3
