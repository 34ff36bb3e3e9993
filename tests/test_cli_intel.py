"""inspect and check through the real CLI: recognition without a vault, constraint verdicts."""

from __future__ import annotations

import json

import jwt
from tokens_for_tests import github_pat


def test_inspect_needs_no_vault_and_reports_the_json_contract(cli):
    token = github_pat()
    out = json.loads(cli.ok("inspect", "--json", input=token).out)
    for key in ("provider", "kind", "checksum_valid", "environment_hint", "expires_at", "not_before",
                "issued_at", "scopes", "cidrs", "resources", "account", "claims", "warnings"):
        assert key in out
    assert out["provider"] == "github" and out["checksum_valid"] is True
    assert not cli.home.exists()
    broken = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert json.loads(cli.ok("inspect", "--json", input=broken).out)["checksum_valid"] is False


def test_inspect_unrecognised_exits_0_with_null_provider(cli):
    out = json.loads(cli.ok("inspect", "--json", input="hello world, not a token").out)
    assert out["provider"] is None


def test_inspect_jwt_is_labelled_unverified(cli):
    token = jwt.encode({"sub": "svc", "exp": 2000000000, "scp": ["read"], "allowed_ips": ["10.0.0.0/8"]},
                       "k" * 32, algorithm="HS256")
    result = cli.ok("inspect", input=token)
    assert "UNVERIFIED" in result.out and "10.0.0.0/8" in result.out
    data = json.loads(cli.ok("inspect", "--json", input=token).out)
    assert data["claims_verified"] is False and data["expires_at"] == "2033-05-18T03:33:20Z"


def test_inspect_of_a_stored_name_needs_live(cli):
    result = cli("inspect", "GITHUB_TOKEN")
    assert result.code == 1 and "--live" in result.err


def test_check_reports_each_rule_and_exit_codes(vault_cli):
    vault_cli.ok("add", "API", "--env", "prod", "--cidr", "203.0.113.0/24", "--cidr", "2001:db8::/32",
                 "--endpoint", "GET /v1/**", "--scope", "read", "--expires", "2030-01-01",
                 input="some-api-token-123456")
    allowed = vault_cli("check", "API", "--env", "prod", "--ip", "2001:db8::5", "--endpoint",
                        "GET /v1/items/7", "--scope", "read", "--json")
    assert allowed.code == 0, allowed.err
    data = json.loads(allowed.out)
    assert data["allowed"] is True
    outcomes = {r["rule"]: r["outcome"] for r in data["results"]}
    assert outcomes["ip"] == "allowed" and outcomes["endpoint"] == "allowed"
    assert outcomes["country"] == "unconstrained"

    denied = vault_cli("check", "API", "--env", "prod", "--ip", "198.51.100.1", "--endpoint",
                       "DELETE /v1/items/7", "--scope", "write", "--at", "2031-01-01", "--json")
    assert denied.code == 3
    data = json.loads(denied.out)
    failed = {r["rule"] for r in data["results"] if r["outcome"] == "denied"}
    assert failed == {"ip", "endpoint", "scope", "expiry"}


def test_check_country_uses_offline_geoip(vault_cli):
    vault_cli.ok("add", "GEO", "--env", "dev", "--country", "DE", input="geo-token-123456")
    de = json.loads(vault_cli("check", "GEO", "--ip", "81.169.145.1", "--json").out)
    assert de["allowed"] is True and de["country"] == "DE"
    us = vault_cli("check", "GEO", "--ip", "8.8.8.8", "--json")
    assert us.code == 3 and json.loads(us.out)["country"] == "US"


def test_check_bad_ip_is_a_clear_error(vault_cli):
    vault_cli.ok("add", "X", "--env", "dev", input="x-token-123456")
    result = vault_cli("check", "X", "--ip", "999.1.1.1")
    assert result.code == 1 and "Traceback" not in result.err
