"""Health rules: every finding code, its severity, messages, grouping, filtering and ordering."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault_app.core.health import (
    Finding,
    HealthReport,
    Severity,
    evaluate_health,
    reused_map,
)
from vault_app.core.model import Constraints, RecordRef, TokenId, TokenRecord
from vault_app.core.policy import Policy

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
POLICY = Policy()


def rec(
    name: str = "API_TOKEN",
    env: str = "dev",
    *,
    fingerprint: str | None = None,
    provider: str | None = None,
    scopes: tuple[str, ...] = ("read:user",),
    cidrs: tuple[str, ...] | None = None,
    expires_in: timedelta | None = 30 * DAY,
    created_ago: timedelta = 10 * DAY,
    rotated_ago: timedelta | None = None,
    rotate_every_days: int | None = None,
    token_info: dict[str, object] | None = None,
) -> TokenRecord:
    """A record with no findings under the default policy unless told otherwise."""
    if cidrs is None:
        cidrs = ("203.0.113.0/24",) if env == "prod" else ()
    return TokenRecord(
        id=TokenId(f"id-{name}-{env}"),
        name=name,
        env=env,
        provider=provider,
        kind=None,
        fingerprint=fingerprint if fingerprint is not None else f"fp-{name}-{env}",
        created_at=NOW - created_ago,
        updated_at=NOW - created_ago,
        expires_at=None if expires_in is None else NOW + expires_in,
        last_rotated_at=None if rotated_ago is None else NOW - rotated_ago,
        rotate_every_days=rotate_every_days,
        constraints=Constraints(scopes=scopes, cidrs=cidrs),
        token_info=MappingProxyType(token_info or {}),
    )


def evaluate(
    *records: TokenRecord, policy: Policy = POLICY, env: str | None = None
) -> HealthReport:
    return evaluate_health(records, policy, NOW, env=env)


def codes(report: HealthReport) -> list[str]:
    return [f.code for f in report.findings]


def only(report: HealthReport, code: str) -> Finding:
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, codes(report)
    return found[0]


# --- baseline -------------------------------------------------------------------------------


def test_clean_records_have_no_findings() -> None:
    report = evaluate(rec(env="dev"), rec(env="staging"), rec(env="prod"))
    assert report.findings == ()
    assert report.summary() == {"critical": 0, "warning": 0, "info": 0, "tokens": 3}


def test_no_records() -> None:
    report = evaluate()
    assert report.findings == ()
    assert report.to_json() == {
        "findings": [],
        "summary": {"critical": 0, "warning": 0, "info": 0, "tokens": 0},
    }


# --- reuse ----------------------------------------------------------------------------------


def test_reuse_across_environments_with_prod_is_critical() -> None:
    report = evaluate(
        rec("GITHUB_TOKEN", "prod", fingerprint="same"),
        rec("GITHUB_TOKEN", "dev", fingerprint="same"),
        rec("OTHER", "dev"),
    )
    finding = only(report, "reused-across-environments")
    assert finding.severity is Severity.CRITICAL
    assert finding.tokens == (RecordRef("GITHUB_TOKEN", "dev"), RecordRef("GITHUB_TOKEN", "prod"))
    assert "GITHUB_TOKEN (dev)" in finding.message
    assert "GITHUB_TOKEN (prod)" in finding.message
    assert "different value per environment" in finding.message
    assert "duplicate-value" not in codes(report)


def test_reuse_across_non_prod_environments_is_a_warning() -> None:
    report = evaluate(rec("A", "dev", fingerprint="x"), rec("B", "staging", fingerprint="x"))
    assert only(report, "reused-across-environments").severity is Severity.WARNING


def test_reuse_uses_the_policy_prod_envs() -> None:
    policy = Policy(prod_envs=("live",), require_cidr_envs=())
    report = evaluate(
        rec("A", "dev", fingerprint="x"), rec("A", "live", fingerprint="x"), policy=policy
    )
    assert only(report, "reused-across-environments").severity is Severity.CRITICAL


def test_one_finding_per_shared_value_naming_every_record() -> None:
    report = evaluate(
        rec("A", "prod", fingerprint="x"),
        rec("B", "prod", fingerprint="x"),
        rec("C", "dev", fingerprint="x"),
        rec("D", "dev", fingerprint="y"),
        rec("E", "dev", fingerprint="y"),
    )
    reuse = only(report, "reused-across-environments")
    assert [t.name for t in reuse.tokens] == ["A", "B", "C"]
    duplicate = only(report, "duplicate-value")
    assert duplicate.severity is Severity.WARNING
    assert duplicate.tokens == (RecordRef("D", "dev"), RecordRef("E", "dev"))
    assert "D (dev) and E (dev)" in duplicate.message


def test_empty_fingerprint_never_counts_as_reuse() -> None:
    report = evaluate(rec("A", "dev", fingerprint=""), rec("B", "prod", fingerprint=""))
    assert report.findings == ()
    assert reused_map([rec("A", fingerprint=""), rec("B", fingerprint="")]) == {}


def test_reused_map_lists_the_other_records() -> None:
    a = rec("A", "prod", fingerprint="x")
    b = rec("B", "dev", fingerprint="x")
    c = rec("C", "dev", fingerprint="x")
    d = rec("D", "dev")
    result = reused_map([a, b, c, d])
    assert result == {
        a.id: (RecordRef("B", "dev"), RecordRef("C", "dev")),
        b.id: (RecordRef("A", "prod"), RecordRef("C", "dev")),
        c.id: (RecordRef("A", "prod"), RecordRef("B", "dev")),
    }


# --- expiry ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "severity"), [("prod", Severity.CRITICAL), ("dev", Severity.WARNING)]
)
def test_expired(env: str, severity: Severity) -> None:
    finding = only(evaluate(rec("K", env, expires_in=-3 * DAY)), "expired")
    assert finding.severity is severity
    assert "expired 3 days ago" in finding.message
    assert "2026-02-26 12:00 UTC" in finding.message


def test_expiring_exactly_now_is_expired() -> None:
    assert codes(evaluate(rec(expires_in=timedelta(0)))) == ["expired"]


def test_expiring_soon_says_the_time_left_in_words() -> None:
    finding = only(evaluate(rec("K", expires_in=timedelta(days=2, hours=3))), "expiring-soon")
    assert finding.severity is Severity.WARNING
    assert "K (dev) expires in 2 days 3 hours" in finding.message


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (7 * DAY, False),
        (7 * DAY - timedelta(seconds=1), True),
        (timedelta(seconds=1), True),
    ],
)
def test_expiring_soon_threshold_matches_record_status(left: timedelta, expected: bool) -> None:
    record = rec(expires_in=left)
    assert ("expiring-soon" in codes(evaluate(record))) is expected
    assert (record.status(NOW, POLICY.expiring_within_seconds).value == "expiring") is expected


def test_expiring_soon_follows_the_policy() -> None:
    record = rec(expires_in=10 * DAY)
    assert codes(evaluate(record)) == []
    assert codes(evaluate(record, policy=Policy(expiring_soon_days=14))) == ["expiring-soon"]
    assert codes(evaluate(rec(expires_in=DAY), policy=Policy(expiring_soon_days=0))) == []


@pytest.mark.parametrize(
    ("left", "words"),
    [
        (timedelta(hours=5, minutes=12, seconds=9), "5 hours 12 minutes"),
        (timedelta(minutes=45), "45 minutes"),
        (timedelta(seconds=30), "30 seconds"),
        (timedelta(days=1, minutes=5), "1 day"),
        (timedelta(hours=1, seconds=1), "1 hour"),
    ],
)
def test_time_left_wording(left: timedelta, words: str) -> None:
    assert f"expires in {words} (" in only(evaluate(rec(expires_in=left)), "expiring-soon").message


@pytest.mark.parametrize(("env", "severity"), [("prod", Severity.WARNING), ("dev", Severity.INFO)])
def test_no_expiry(env: str, severity: Severity) -> None:
    finding = only(evaluate(rec("K", env, expires_in=None)), "no-expiry")
    assert finding.severity is severity
    assert f"vault-app edit K --env {env} --expires 90d" in finding.message


def test_lifetime_too_long_in_prod() -> None:
    record = rec("K", "prod", created_ago=10 * DAY, expires_in=81 * DAY)  # 91 days in all
    finding = only(evaluate(record), "lifetime-too-long")
    assert finding.severity is Severity.WARNING
    assert "91 days" in finding.message and "90 days" in finding.message


def test_lifetime_at_the_limit_is_fine() -> None:
    assert codes(evaluate(rec("K", "prod", created_ago=10 * DAY, expires_in=80 * DAY))) == []


def test_lifetime_counts_from_the_last_rotation() -> None:
    record = rec("K", "prod", created_ago=400 * DAY, rotated_ago=10 * DAY, expires_in=60 * DAY)
    assert codes(evaluate(record)) == []


def test_lifetime_has_no_limit_outside_the_configured_envs() -> None:
    assert codes(evaluate(rec("K", "dev", expires_in=300 * DAY, rotate_every_days=3650))) == []
    policy = Policy(max_lifetime_days=MappingProxyType({"dev": 30}))
    assert codes(evaluate(rec("K", "dev", expires_in=30 * DAY), policy=policy)) == [
        "lifetime-too-long"
    ]


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["admin", "repo", "write:packages", "*", "ADMIN", "api"])
def test_wildcard_scope(scope: str) -> None:
    finding = only(evaluate(rec("K", scopes=("read:user", scope))), "wildcard-scope")
    assert finding.severity is Severity.WARNING
    assert scope in finding.message


def test_wildcard_scope_is_a_warning_in_prod_too() -> None:
    assert only(evaluate(rec("K", "prod", scopes=("admin",))), "wildcard-scope").severity is (
        Severity.WARNING
    )


@pytest.mark.parametrize("scope", ["read:user", "public_repo", "read_api"])
def test_narrow_scopes_are_fine(scope: str) -> None:
    assert codes(evaluate(rec(scopes=(scope,)))) == []


@pytest.mark.parametrize("provider", ["github", "GitHub", "gitlab", "stripe"])
def test_no_scopes_on_a_scoped_provider_is_a_wildcard(provider: str) -> None:
    finding = only(evaluate(rec("K", provider=provider, scopes=())), "wildcard-scope")
    assert "records no scopes" in finding.message


@pytest.mark.parametrize("provider", [None, "aws", "openai"])
def test_no_scopes_on_an_unscoped_provider_is_fine(provider: str | None) -> None:
    assert codes(evaluate(rec(provider=provider, scopes=()))) == []


def test_all_access_permanent_replaces_no_expiry_and_wildcard_scope() -> None:
    report = evaluate(rec("K", "dev", scopes=("admin",), expires_in=None))
    assert codes(report) == ["all-access-permanent"]
    finding = report.findings[0]
    assert finding.severity is Severity.CRITICAL
    assert "admin" in finding.message and "never expires" in finding.message


def test_all_access_permanent_for_an_unscoped_provider_token() -> None:
    report = evaluate(rec("K", provider="github", scopes=(), expires_in=None))
    assert codes(report) == ["all-access-permanent"]


def test_no_ip_restriction_in_prod() -> None:
    finding = only(evaluate(rec("K", "prod", cidrs=())), "no-ip-restriction")
    assert finding.severity is Severity.WARNING
    assert "K (prod)" in finding.message
    assert codes(evaluate(rec("K", "dev", cidrs=()))) == []
    assert codes(evaluate(rec("K", "prod", cidrs=()), policy=Policy(require_cidr_envs=()))) == []


# --- rotation -------------------------------------------------------------------------------


def test_rotation_overdue_by_the_default_interval() -> None:
    finding = only(evaluate(rec("K", created_ago=91 * DAY)), "rotation-overdue")
    assert finding.severity is Severity.WARNING
    assert "created 91 days ago" in finding.message
    assert "every 90 days" in finding.message
    assert codes(evaluate(rec("K", created_ago=90 * DAY))) == []


def test_rotation_interval_of_the_record_wins() -> None:
    assert codes(evaluate(rec(created_ago=31 * DAY, rotate_every_days=30))) == ["rotation-overdue"]
    assert codes(evaluate(rec(created_ago=200 * DAY, rotate_every_days=365))) == []


def test_rotation_counts_from_the_last_rotation() -> None:
    assert codes(evaluate(rec(created_ago=500 * DAY, rotated_ago=10 * DAY))) == []
    finding = only(evaluate(rec(created_ago=500 * DAY, rotated_ago=100 * DAY)), "rotation-overdue")
    assert "last rotated 100 days ago" in finding.message


def test_no_default_rotation_interval() -> None:
    policy = Policy(default_rotation_days=None)
    assert codes(evaluate(rec(created_ago=900 * DAY), policy=policy)) == []


def test_expired_record_is_not_also_rotation_overdue() -> None:
    assert codes(evaluate(rec(created_ago=200 * DAY, expires_in=-DAY))) == ["expired"]


# --- token intelligence ---------------------------------------------------------------------


def test_live_key_in_dev_is_critical() -> None:
    finding = only(
        evaluate(rec("STRIPE", "dev", token_info={"environment_hint": "live"})),
        "environment-mismatch",
    )
    assert finding.severity is Severity.CRITICAL
    assert "live key" in finding.message and "STRIPE (dev)" in finding.message


def test_test_key_in_prod_is_a_warning() -> None:
    finding = only(
        evaluate(rec("STRIPE", "prod", token_info={"environment_hint": "test"})),
        "environment-mismatch",
    )
    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize(("env", "hint"), [("prod", "live"), ("dev", "test"), ("dev", None)])
def test_matching_environment_hints_are_fine(env: str, hint: str | None) -> None:
    assert codes(evaluate(rec(env=env, token_info={"environment_hint": hint}))) == []


def test_environment_hint_follows_prod_envs() -> None:
    policy = Policy(prod_envs=("production",), require_cidr_envs=())
    record = rec(env="production", token_info={"environment_hint": "live"})
    assert codes(evaluate(record, policy=policy)) == []
    assert codes(evaluate(record)) == ["environment-mismatch"]


def test_checksum_invalid() -> None:
    finding = only(evaluate(rec("K", token_info={"checksum_valid": False})), "checksum-invalid")
    assert finding.severity is Severity.WARNING
    assert codes(evaluate(rec(token_info={"checksum_valid": None}))) == []
    assert codes(evaluate(rec(token_info={"checksum_valid": True}))) == []


def test_unsigned_jwt() -> None:
    finding = only(evaluate(rec("K", token_info={"unsigned": True})), "unsigned-jwt")
    assert finding.severity is Severity.CRITICAL
    assert codes(evaluate(rec(token_info={"unsigned": False}))) == []


def test_expiry_disagrees_with_token() -> None:
    token_says = (NOW + 30 * DAY + timedelta(minutes=2)).isoformat()
    finding = only(
        evaluate(rec("K", token_info={"expires_at": token_says})), "expiry-disagrees-with-token"
    )
    assert finding.severity is Severity.WARNING
    assert "--expires 2026-03-31T12:02:00Z" in finding.message


def test_expiry_within_a_minute_agrees() -> None:
    token_says = (NOW + 30 * DAY + timedelta(seconds=60)).isoformat()
    assert codes(evaluate(rec(token_info={"expires_at": token_says}))) == []


def test_token_expiry_but_none_recorded_replaces_no_expiry() -> None:
    record = rec(
        "K", scopes=("admin",), expires_in=None, token_info={"expires_at": "2026-04-01T00:00:00Z"}
    )
    report = evaluate(record)
    assert codes(report) == ["expiry-disagrees-with-token", "wildcard-scope"]
    assert "no expiry recorded" in report.findings[0].message


@pytest.mark.parametrize("value", ["not a date", "", 12345, None, ["2026-01-01"]])
def test_unreadable_token_expiry_is_ignored(value: object) -> None:
    assert codes(evaluate(rec(token_info={"expires_at": value}))) == []


# --- report ---------------------------------------------------------------------------------


def noisy_records() -> list[TokenRecord]:
    return [
        rec("B", "prod", fingerprint="x", cidrs=()),  # reuse (critical), no-ip-restriction
        rec("A", "dev", fingerprint="x"),  # reuse
        rec("C", "dev", expires_in=None),  # no-expiry (info)
        rec("D", "staging", expires_in=DAY),  # expiring-soon
        rec("E", "staging", token_info={"unsigned": True}),  # unsigned-jwt (critical)
    ]


def test_findings_are_sorted_by_severity_then_code_then_token() -> None:
    report = evaluate(*noisy_records(), rec("AA", "staging", token_info={"unsigned": True}))
    assert [(f.severity.value, f.code, f.tokens[0].name) for f in report.findings] == [
        ("critical", "reused-across-environments", "A"),
        ("critical", "unsigned-jwt", "AA"),
        ("critical", "unsigned-jwt", "E"),
        ("warning", "expiring-soon", "D"),
        ("warning", "no-ip-restriction", "B"),
        ("info", "no-expiry", "C"),
    ]


def test_summary_counts_severities_and_tokens() -> None:
    report = evaluate(*noisy_records())
    assert report.summary() == {"critical": 2, "warning": 2, "info": 1, "tokens": 5}


def test_env_filter_keeps_findings_that_concern_the_env() -> None:
    prod = evaluate(*noisy_records(), env="prod")
    assert codes(prod) == ["reused-across-environments", "no-ip-restriction"]
    assert prod.summary()["tokens"] == 1
    dev = evaluate(*noisy_records(), env="dev")
    assert codes(dev) == ["reused-across-environments", "no-expiry"]
    assert dev.summary()["tokens"] == 2
    assert evaluate(*noisy_records(), env="nowhere").findings == ()


def test_for_record() -> None:
    report = evaluate(*noisy_records())
    assert [f.code for f in report.for_record(RecordRef("B", "prod"))] == [
        "reused-across-environments",
        "no-ip-restriction",
    ]
    assert report.for_record(RecordRef("Z", "dev")) == ()


def test_at_or_above() -> None:
    report = evaluate(rec(expires_in=None))  # one info finding
    assert report.at_or_above(Severity.INFO)
    assert not report.at_or_above(Severity.WARNING)
    assert not report.at_or_above(Severity.CRITICAL)
    assert evaluate(*noisy_records()).at_or_above(Severity.CRITICAL)
    assert not evaluate().at_or_above(Severity.INFO)


def test_json_shape() -> None:
    report = evaluate(rec("A", "dev", fingerprint="x"), rec("A", "prod", fingerprint="x"))
    data = report.to_json()
    json.dumps(data)
    assert data["summary"] == {"critical": 1, "warning": 0, "info": 0, "tokens": 2}
    assert data["findings"] == [
        {
            "code": "reused-across-environments",
            "severity": "critical",
            "message": report.findings[0].message,
            "tokens": [{"name": "A", "env": "dev"}, {"name": "A", "env": "prod"}],
        }
    ]


def test_severity_order_is_by_urgency_not_alphabet() -> None:
    assert Severity.CRITICAL > Severity.WARNING > Severity.INFO
    assert Severity.INFO < Severity.CRITICAL
    assert Severity.WARNING >= Severity.WARNING
    assert sorted([Severity.WARNING, Severity.INFO, Severity.CRITICAL]) == [
        Severity.INFO,
        Severity.WARNING,
        Severity.CRITICAL,
    ]
    assert [s.rank for s in Severity] == [3, 2, 1]
    assert Severity("critical") is Severity.CRITICAL


def test_messages_never_carry_fingerprints_or_token_info_values() -> None:
    secretish = "ghp_SECRETSECRETSECRETSECRETSECRET0000"
    records = [
        rec("A", "prod", fingerprint=secretish, cidrs=(), expires_in=None, scopes=("admin",)),
        rec("B", "dev", fingerprint=secretish, token_info={"raw": secretish, "unsigned": True}),
    ]
    for finding in evaluate(*records).findings:
        assert secretish not in finding.message
        assert "SECRET" not in finding.message


def test_every_code_has_a_message_with_a_fix() -> None:
    """Every rule fires somewhere here; every message names its token(s) and tells what to do."""
    records = [
        *noisy_records(),
        rec("F", "dev", fingerprint="y"),
        rec("G", "dev", fingerprint="y"),
        rec("H", "prod", expires_in=-DAY),
        rec("I", "prod", created_ago=10 * DAY, expires_in=100 * DAY),
        rec("J", "dev", scopes=("admin",)),
        rec("K", "dev", scopes=("admin",), expires_in=None),
        rec("L", "dev", created_ago=100 * DAY),
        rec("M", "dev", token_info={"environment_hint": "live"}),
        rec("N", "dev", token_info={"checksum_valid": False}),
        rec("O", "dev", token_info={"expires_at": "2030-01-01T00:00:00+00:00"}),
    ]
    report = evaluate(*records)
    assert {f.code for f in report.findings} == {
        "reused-across-environments",
        "duplicate-value",
        "expired",
        "expiring-soon",
        "no-expiry",
        "lifetime-too-long",
        "wildcard-scope",
        "no-ip-restriction",
        "rotation-overdue",
        "environment-mismatch",
        "checksum-invalid",
        "unsigned-jwt",
        "expiry-disagrees-with-token",
        "all-access-permanent",
    }
    fixes = ("rotate", "replace", "record", "store", "restrict", "copy", "keep", "correct")
    for finding in report.findings:
        for ref in finding.tokens:
            assert f"{ref.name} ({ref.env})" in finding.message
        assert any(word in finding.message.lower() for word in fixes), finding.message
        assert finding.message.endswith((".", ").")), finding.message


# --- robustness -----------------------------------------------------------------------------

_datetimes = st.one_of(
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(),  # naive: taken as UTC, must not raise
    st.datetimes(timezones=st.timezones()),
)
_json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)
_token_info = st.dictionaries(
    st.sampled_from(
        ["checksum_valid", "environment_hint", "unsigned", "expires_at", "provider", "x"]
    ),
    st.one_of(
        _json_values,
        st.sampled_from(["live", "test", "LIVE"]),
        _datetimes.map(lambda d: d.isoformat()),
        _datetimes,
    ),
)
_words = st.text(max_size=12)
_records = st.builds(
    TokenRecord,
    id=st.text(max_size=6).map(TokenId),
    name=_words,
    env=st.sampled_from(["dev", "staging", "prod", "", "qa"]) | _words,
    provider=st.none() | st.sampled_from(["github", "stripe"]) | _words,
    kind=st.none() | _words,
    fingerprint=st.sampled_from(["", "a", "b"]) | _words,
    created_at=_datetimes,
    updated_at=_datetimes,
    expires_at=st.none() | _datetimes,
    not_before=st.none() | _datetimes,
    last_rotated_at=st.none() | _datetimes,
    rotate_every_days=st.none() | st.integers(),
    constraints=st.builds(
        Constraints,
        scopes=st.lists(
            st.sampled_from(["admin", "write:x", "*", "read"]) | _words, max_size=3
        ).map(tuple),
        cidrs=st.lists(_words, max_size=2).map(tuple),
    ),
    token_info=_token_info,
)
_policies = st.builds(
    Policy,
    expiring_soon_days=st.integers(min_value=0, max_value=3650),
    max_lifetime_days=st.dictionaries(st.sampled_from(["dev", "prod"]), st.integers(0, 3650)),
    default_rotation_days=st.none() | st.integers(),
    prod_envs=st.lists(st.sampled_from(["dev", "prod", "qa"]), max_size=2).map(tuple),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(_records, max_size=6),
    policy=_policies,
    now=_datetimes,
    env=st.none() | st.sampled_from(["dev", "prod", "x"]),
)
def test_evaluate_health_never_raises(
    records: list[TokenRecord], policy: Policy, now: datetime, env: str | None
) -> None:
    report = evaluate_health(records, policy, now, env=env)
    json.dumps(report.to_json())
    keys = [f.sort_key() for f in report.findings]
    assert keys == sorted(keys)
    for finding in report.findings:
        assert finding.tokens
        if env is not None:
            assert any(t.env == env for t in finding.tokens)
    assert set(reused_map(records)) <= {r.id for r in records}


def test_finding_is_frozen() -> None:
    finding = Finding("x", Severity.INFO, "m", ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.code = "y"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("expires", "now", "left"),
    [
        # ~8,000 years: a float of the span in seconds cannot hold the microsecond
        (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
         datetime(2026, 3, 1, 12, 0, 0, 1, tzinfo=UTC), 251_629_934_398),
        (NOW + timedelta(seconds=5, microseconds=1), NOW, 5),
        (NOW - timedelta(seconds=5, microseconds=1), NOW, -5),  # toward zero, like int()
        (NOW + timedelta(microseconds=999_999), NOW, 0),
    ],
)
def test_seconds_left_is_exact_and_truncated_toward_zero(
    expires: datetime, now: datetime, left: int
) -> None:
    record = dataclasses.replace(rec(), expires_at=expires)
    assert record.seconds_left(now) == left
