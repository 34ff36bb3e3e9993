"""Constraint evaluation: every rule, each outcome, IPv6 and wildcards."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vault_app.core.constraints import (
    Evaluation,
    RequestContext,
    RuleResult,
    endpoint_matches,
    evaluate,
)
from vault_app.core.errors import ValidationError
from vault_app.core.model import Constraints

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


UNCONSTRAINED = Constraints()


def run(
    constraints: Constraints = UNCONSTRAINED,
    *,
    expires_at: datetime | None = None,
    not_before: datetime | None = None,
    country_of: object = None,
    **context: object,
) -> Evaluation:
    return evaluate(
        constraints,
        expires_at=expires_at,
        not_before=not_before,
        context=RequestContext(at=context.pop("at", NOW), **context),  # type: ignore[arg-type]
        country_of=country_of,  # type: ignore[arg-type]
    )


def rule(evaluation: Evaluation, name: str) -> RuleResult:
    (found,) = [r for r in evaluation.results if r.rule == name]
    return found


def test_nothing_constrained_allows_and_says_so() -> None:
    result = run()
    assert result.allowed
    assert [r.rule for r in result.results] == [
        "expiry",
        "not_before",
        "ip",
        "country",
        "endpoint",
        "scope",
    ]
    assert {r.outcome for r in result.results} == {"unconstrained"}
    assert all(r.reason for r in result.results)


# --- time ---------------------------------------------------------------------------------------


def test_expiry() -> None:
    assert rule(run(expires_at=NOW + timedelta(seconds=1)), "expiry").outcome == "allowed"
    expired = run(expires_at=NOW)
    assert rule(expired, "expiry").outcome == "denied"
    assert not expired.allowed
    assert "2026-06-01 12:00:00Z" in rule(expired, "expiry").reason


def test_not_before() -> None:
    assert rule(run(not_before=NOW), "not_before").outcome == "allowed"
    early = run(not_before=NOW + timedelta(minutes=1))
    assert rule(early, "not_before").outcome == "denied"
    assert not early.allowed


def test_naive_times_are_utc() -> None:
    naive_now = NOW.replace(tzinfo=None)
    assert rule(run(expires_at=NOW, at=naive_now), "expiry").outcome == "denied"
    later = datetime(2026, 6, 1, 12, 0, 1)
    assert rule(run(expires_at=later), "expiry").outcome == "allowed"


# --- IP -----------------------------------------------------------------------------------------

V4 = Constraints(cidrs=("203.0.113.0/24", "10.0.0.0/8"))
V6 = Constraints(cidrs=("2001:db8::/32",))


@pytest.mark.parametrize(
    ("constraints", "ip", "outcome"),
    [
        (V4, "203.0.113.7", "allowed"),
        (V4, "10.255.0.1", "allowed"),
        (V4, "198.51.100.1", "denied"),
        (V4, "::ffff:203.0.113.9", "allowed"),  # IPv4-mapped IPv6 matches the IPv4 block
        (V4, "::ffff:198.51.100.1", "denied"),
        (V4, "2001:db8::1", "denied"),
        (V6, "2001:db8:1234::1", "allowed"),
        (V6, "2001:DB8::abcd", "allowed"),
        (V6, "2001:db9::1", "denied"),
        (V6, "203.0.113.7", "denied"),
        (Constraints(cidrs=("::ffff:0:0/96",)), "192.0.2.1", "allowed"),
        (Constraints(cidrs=("192.0.2.1/32",)), " 192.0.2.1 ", "allowed"),
    ],
)
def test_ip(constraints: Constraints, ip: str, outcome: str) -> None:
    result = run(constraints, ip=ip)
    assert rule(result, "ip").outcome == outcome
    assert result.allowed is (outcome == "allowed")


def test_ip_not_given_is_not_checked_and_does_not_deny() -> None:
    result = run(V4)
    assert rule(result, "ip").outcome == "not-checked"
    assert result.allowed


@pytest.mark.parametrize("ip", ["300.1.1.1", "not an ip", "10.0.0.0/8", ""])
def test_invalid_ip_is_a_validation_error(ip: str) -> None:
    with pytest.raises(ValidationError):
        run(V4, ip=ip)


# --- country ------------------------------------------------------------------------------------

GEO = {"203.0.113.7": "DE", "198.51.100.1": "us", "2001:db8::1": "FR"}
DE_ONLY = Constraints(countries=("DE", "AT"))


def country_of(ip: str) -> str | None:
    return GEO.get(ip)


@pytest.mark.parametrize(
    ("ip", "outcome", "country"),
    [
        ("203.0.113.7", "allowed", "DE"),
        ("::ffff:203.0.113.7", "allowed", "DE"),  # looked up in its IPv4 form
        ("198.51.100.1", "denied", "US"),
        ("2001:db8::1", "denied", "FR"),
        ("192.0.2.55", "denied", None),  # unknown country fails closed
    ],
)
def test_country(ip: str, outcome: str, country: str | None) -> None:
    result = run(DE_ONLY, ip=ip, country_of=country_of)
    assert rule(result, "country").outcome == outcome
    assert result.country == country
    assert result.allowed is (outcome == "allowed")


def test_country_without_ip_or_database_is_not_checked() -> None:
    assert rule(run(DE_ONLY, country_of=country_of), "country").outcome == "not-checked"
    no_db = run(DE_ONLY, ip="203.0.113.7")
    assert rule(no_db, "country").outcome == "not-checked"
    assert no_db.allowed and no_db.country is None


def test_unconstrained_country_does_not_look_up() -> None:
    calls: list[str] = []

    def spy(ip: str) -> str | None:
        calls.append(ip)
        return "DE"

    result = run(ip="203.0.113.7", country_of=spy)
    assert rule(result, "country").outcome == "unconstrained"
    assert calls == []


# --- endpoints ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "endpoint", "matches"),
    [
        ("GET /repos/*/issues", "GET /repos/app/issues", True),
        ("GET /repos/*/issues", "GET /repos/a/b/issues", False),
        ("GET /repos/*/issues", "POST /repos/app/issues", False),
        ("get /repos/*/issues", "GET /repos/app/issues", True),
        ("* /api/**", "DELETE /api/v1/users/7", True),
        ("* /api/**", "GET /api", True),  # ** includes zero segments
        ("* /api/**", "GET /apix", False),
        ("/api/**", "PUT /api/x", True),  # path-only pattern means any method
        ("GET /a/**/z", "GET /a/z", True),
        ("GET /a/**/z", "GET /a/b/c/z", True),
        ("GET /a/**/z", "GET /a/b/c/y", False),
        ("GET /**/**/x", "GET /x", True),
        ("GET /*", "GET /", False),
        ("GET /", "GET /", True),
        ("GET /a/*/b", "GET /a//b", False),  # "*" needs a non-empty segment
        ("GET /users/", "GET /users", True),  # trailing slash not significant
        ("GET /v1*", "GET /v1beta", False),  # no partial-segment wildcards
        ("GET /v1*", "GET /v1*", True),
    ],
)
def test_endpoint_matches(pattern: str, endpoint: str, matches: bool) -> None:
    assert endpoint_matches(pattern, endpoint) is matches


def test_many_double_stars_stay_fast() -> None:
    pattern = "GET " + "/**" * 40 + "/end"
    path = "GET " + "/x" * 2000 + "/nope"
    assert endpoint_matches(pattern, path) is False


@given(
    st.lists(st.sampled_from(["a", "b", "*", "**"]), max_size=6),
    st.lists(st.sampled_from(["a", "b"]), max_size=6),
)
def test_endpoint_matching_agrees_with_a_regex_model(pattern: list[str], path: list[str]) -> None:
    import re

    regex = "".join(
        "(?:/[^/]+)*" if p == "**" else "/[^/]+" if p == "*" else "/" + re.escape(p)
        for p in pattern
    )
    expected = re.fullmatch(regex, "".join("/" + s for s in path)) is not None
    got = endpoint_matches("GET /" + "/".join(pattern), "GET /" + "/".join(path))
    assert got is expected


ENDPOINTS = Constraints(endpoints=("GET /repos/*/issues", "POST /repos/*/issues/*/comments"))


def test_endpoint_rule() -> None:
    ok = run(ENDPOINTS, endpoint="GET /repos/app/issues?state=open")
    assert rule(ok, "endpoint").outcome == "allowed"
    denied = run(ENDPOINTS, endpoint="DELETE /repos/app")
    assert rule(denied, "endpoint").outcome == "denied"
    assert not denied.allowed
    assert rule(run(ENDPOINTS), "endpoint").outcome == "not-checked"


@pytest.mark.parametrize("endpoint", ["FETCH /x", "GET x", "/x", "* /x", "GET"])
def test_invalid_request_endpoint_is_a_validation_error(endpoint: str) -> None:
    with pytest.raises(ValidationError):
        run(ENDPOINTS, endpoint=endpoint)


# --- scopes -------------------------------------------------------------------------------------

SCOPED = Constraints(scopes=("repo", "read:org"))


def test_scope_rule() -> None:
    assert rule(run(SCOPED, scopes=("repo",)), "scope").outcome == "allowed"
    assert rule(run(SCOPED, scopes=("repo", "read:org")), "scope").outcome == "allowed"
    missing = run(SCOPED, scopes=("repo", "admin:org"))
    assert rule(missing, "scope").outcome == "denied"
    assert "admin:org" in rule(missing, "scope").reason
    assert "repo," not in rule(missing, "scope").reason
    assert rule(run(SCOPED), "scope").outcome == "not-checked"
    assert rule(run(scopes=("repo",)), "scope").outcome == "unconstrained"


# --- all together ---------------------------------------------------------------------------------


def test_one_denial_denies_and_the_rest_still_report() -> None:
    everything = Constraints(
        scopes=("repo",),
        cidrs=("2001:db8::/32",),
        countries=("FR",),
        endpoints=("* /api/**",),
    )
    result = run(
        everything,
        expires_at=NOW + timedelta(days=1),
        not_before=NOW - timedelta(days=1),
        ip="2001:db8::1",
        endpoint="GET /api/v2/things",
        scopes=("repo", "gist"),
        country_of=country_of,
    )
    outcomes = {r.rule: r.outcome for r in result.results}
    assert outcomes == {
        "expiry": "allowed",
        "not_before": "allowed",
        "ip": "allowed",
        "country": "allowed",
        "endpoint": "allowed",
        "scope": "denied",
    }
    assert not result.allowed
    assert result.country == "FR"


def test_to_json() -> None:
    result = run(V4, ip="198.51.100.1")
    data = result.to_json()
    json.dumps(data)
    assert data["allowed"] is False
    assert data["country"] is None
    assert {"rule": "ip", "outcome": "denied", "reason": rule(result, "ip").reason} in data[
        "results"
    ]
