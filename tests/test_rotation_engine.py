"""The staged rotation engine, in process, against local servers that follow each provider's API."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent / "providers"))

from provider_fakes import FakeCloudflare, FakeNpm, serve

from vault_app.core.clock import FixedClock
from vault_app.core.secret import Secret
from vault_app.services.home import VaultHome
from vault_app.services.inputs import TokenFields
from vault_app.services.rotation import Progress, Rotation, RotationError
from vault_app.services.vault import Vault

PASS = Secret("correct horse battery staple")


@pytest.fixture
def vault(tmp_path: Path, no_keyring: None) -> Iterator[Vault]:
    clock = FixedClock()
    with Vault.create(
        VaultHome(tmp_path / "v"), passphrase_value=PASS, use_keyring=False, clock=clock
    ) as v:
        yield v




@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=0.5) as client:
        yield client


def _add(vault: Vault, name: str, value: str, adapter: str, url: str, **fields: object) -> None:
    options = (("adapter", adapter), ("url", url))
    vault.add(name, "prod", Secret(value), TokenFields(provider_options=options, **fields))  # type: ignore[arg-type]


def _current(vault: Vault, name: str) -> str:
    return vault.reveal(vault.resolve(name, "prod")).reveal()


def _labels(rotation: Rotation, name: str) -> dict[str, int]:
    return {s.slot: s.version for s in rotation.versions(name, "prod")}


def test_gitlab_rotation_stages_and_keeps_previous(vault, gitlab, http):
    old = gitlab.issue()
    _add(vault, "ci", old, "gitlab", gitlab.url)
    seen: list[Progress] = []
    with Rotation(vault, http=http, progress=seen.append) as rotation:
        outcome = rotation.rotate("ci", "prod")
        assert outcome.state == "done", outcome.message
        new = _current(vault, "ci")
        assert new != old and gitlab.active(new) and not gitlab.active(old)
        assert _labels(rotation, "ci") == {"current": 2, "previous": 1}
        assert [p.step for p in seen if p.status == "done"] == [
            "check",
            "create",
            "apply",
            "test",
            "finish",
        ]
        record = vault.resolve("ci", "prod")
        assert record.version == 2 and record.last_rotated_at == vault.clock.now()
        assert record.expires_at is not None and record.expires_at.year == 2027
        history = rotation.history("ci", "prod")
        assert history[0].run.state == "done"
        assert [s.state for s in history[0].steps][:3] == ["started", "checked", "creating"]
    details = " ".join(e.detail for e in vault.audit_events())
    assert old not in details and new not in details
    assert sum(1 for e in vault.audit_events() if e.action == "rotate") >= 7


def test_vault_rotation_creates_then_revokes_the_old_token(vault, hcv, http):
    old = hcv.issue()
    _add(vault, "deploy", old, "vault", hcv.url)
    with Rotation(vault, http=http) as rotation:
        outcome = rotation.rotate("deploy", "prod")
    assert outcome.state == "done", outcome.message
    new = _current(vault, "deploy")
    assert hcv.active(new) and old in hcv.revoked
    assert hcv.tokens[new]["policies"] == ["default", "deploy"]


def test_failed_test_leaves_current_untouched_and_revokes_the_unused_value(vault, hcv, http):
    old = hcv.issue()
    _add(vault, "deploy", old, "vault", hcv.url, scopes=("deploy", "admin"))
    with Rotation(vault, http=http) as rotation:
        outcome = rotation.rotate("deploy", "prod")
        assert outcome.state == "failed"
        assert "admin" in outcome.message and "unchanged" in outcome.message
        assert _labels(rotation, "deploy") == {"current": 1}
    assert _current(vault, "deploy") == old and hcv.active(old)
    assert len(hcv.tokens) == 1, "the new token that failed its test was revoked"


def test_create_timeout_on_a_repeatable_provider_changes_nothing(vault, hcv, http):
    old = hcv.issue()
    _add(vault, "deploy", old, "vault", hcv.url)
    hcv.fail_next(path="/auth/token/create", delay=1.5)
    with Rotation(vault, http=http) as rotation:
        outcome = rotation.rotate("deploy", "prod")
    assert outcome.state == "failed" and "did not answer in time" in outcome.message
    assert _current(vault, "deploy") == old and hcv.active(old)


def test_gitlab_answer_lost_in_flight_is_reported_plainly(vault, gitlab, http):
    old = gitlab.issue()
    _add(vault, "ci", old, "gitlab", gitlab.url)
    # GitLab rotates, then the answer never arrives within the timeout.
    gitlab.fail_next(path="/rotate", delay=1.5, after=True)
    with Rotation(vault, http=http) as rotation:
        outcome = rotation.rotate("ci", "prod")
        assert outcome.state == "lost"
        assert "vault-app edit ci --env prod --value-stdin" in outcome.message
        assert rotation.interrupted() == []
    assert _current(vault, "ci") == old


def test_gitlab_timeout_before_acting_fails_cleanly(vault, gitlab, http):
    old = gitlab.issue()
    _add(vault, "ci", old, "gitlab", gitlab.url)
    gitlab.fail_next(path="/rotate", delay=1.5)  # stalls before doing anything
    with Rotation(vault, http=http) as rotation:
        outcome = rotation.rotate("ci", "prod")
    assert outcome.state == "failed" and "unchanged" in outcome.message
    # The server acts after the client gave up; the family is then ours to re-check, so the
    # message told the user to look. What matters here: the stored value was never touched.
    assert _current(vault, "ci") == old


def test_already_revoked_token_is_not_rotated(vault, gitlab, http):
    old = gitlab.issue()
    _add(vault, "ci", old, "gitlab", gitlab.url)
    gitlab.find(old).revoked = True
    with Rotation(vault, http=http) as rotation:
        outcome = rotation.rotate("ci", "prod")
    assert outcome.state == "failed" and "revoked" in outcome.message
    assert "whole family" in outcome.message
    assert not [c for c in gitlab.calls if c[1].endswith("/rotate")], "no rotate call was made"


def test_refused_token_401_reports_without_the_value(vault, gitlab, http):
    old = gitlab.issue(scopes=("read_api",))
    _add(vault, "ci", old, "gitlab", gitlab.url)
    with Rotation(vault, http=http) as rotation:
        outcome = rotation.rotate("ci", "prod")
    assert outcome.state == "failed"
    assert "HTTP 403" in outcome.message and "higher privileges" in outcome.message
    assert old not in outcome.message
    assert gitlab.active(old)


def test_429_with_short_retry_after_is_retried(vault, gitlab, http):
    old = gitlab.issue()
    _add(vault, "ci", old, "gitlab", gitlab.url)
    gitlab.fail_next(path="/rotate", status=429, headers={"Retry-After": "1"})
    with Rotation(vault, http=http) as rotation:
        outcome = rotation.rotate("ci", "prod")
    assert outcome.state == "done", outcome.message
    assert [c for c in gitlab.calls if c[1].endswith("/rotate")] == [
        ("POST", "/api/v4/personal_access_tokens/self/rotate")
    ] * 2


def test_429_with_long_retry_after_fails_with_the_wait(vault, gitlab, http):
    old = gitlab.issue()
    _add(vault, "ci", old, "gitlab", gitlab.url)
    gitlab.fail_next(path="/rotate", status=429, headers={"Retry-After": "120"})
    with Rotation(vault, http=http) as rotation:
        outcome = rotation.rotate("ci", "prod")
    assert outcome.state == "failed" and "retry after 120 s" in outcome.message
    assert _current(vault, "ci") == old and gitlab.active(old)


def test_429_at_the_check_fails_and_a_later_run_succeeds(vault, hcv, http):
    old = hcv.issue()
    _add(vault, "deploy", old, "vault", hcv.url)
    with Rotation(vault, http=http) as rotation:
        hcv.fail_next(method="GET", path="lookup-self", status=429, headers={"Retry-After": "600"})
        outcome = rotation.rotate("deploy", "prod")
        assert outcome.state == "failed" and "rate limiting" in outcome.message
        assert _current(vault, "deploy") == old
        hcv.faults.clear()
        outcome = rotation.rotate("deploy", "prod")
        assert outcome.state == "done"


def test_rate_limit_mid_run_keeps_the_run_open_then_resumes(vault, hcv, http):
    old = hcv.issue()
    _add(vault, "deploy", old, "vault", hcv.url)
    with Rotation(vault, http=http) as rotation:
        hcv.fail_next(method="POST", path="revoke-self", status=429, headers={"Retry-After": "600"})
        outcome = rotation.rotate("deploy", "prod")
        assert outcome.state == "interrupted" and "resume" in outcome.message
        [run] = rotation.interrupted()
        assert run.state == "finished"
        assert _labels(rotation, "deploy") == {"current": 2, "previous": 1}
        outcome = rotation.rotate("deploy", "prod")
        assert outcome.state == "done" and rotation.interrupted() == []
    assert old in hcv.revoked


def test_dry_run_changes_nothing(vault, gitlab, http):
    old = gitlab.issue()
    _add(vault, "ci", old, "gitlab", gitlab.url)
    with Rotation(vault, http=http) as rotation:
        outcome = rotation.rotate("ci", "prod", dry_run=True)
        assert outcome.state == "dry-run" and outcome.live is not None and outcome.live.active
        assert [s.step for s in outcome.steps] == ["check", "create", "apply", "test", "finish"]
        assert rotation.history("ci", "prod") == []
    assert gitlab.active(old) and _current(vault, "ci") == old


def test_rollback_refuses_when_the_previous_value_was_revoked(vault, hcv, http):
    _add(vault, "deploy", hcv.issue(), "vault", hcv.url)
    with Rotation(vault, http=http) as rotation:
        assert rotation.rotate("deploy", "prod").state == "done"
        with pytest.raises(RotationError, match="no longer works"):
            rotation.rollback("deploy", "prod")
        assert _labels(rotation, "deploy") == {"current": 2, "previous": 1}


def test_rollback_of_an_interrupted_run_discards_pending(vault, hcv, http, monkeypatch):
    old = hcv.issue()
    _add(vault, "deploy", old, "vault", hcv.url)
    with Rotation(vault, http=http) as rotation:
        original = rotation._step_test

        def paused(r):
            from vault_app.providers.base import ProviderTimeoutError

            return rotation._pause(r, "test", ProviderTimeoutError("Vault did not answer in time"))

        monkeypatch.setattr(rotation, "_step_test", paused)
        assert rotation.rotate("deploy", "prod").state == "interrupted"
        assert _labels(rotation, "deploy") == {"current": 1, "pending": 2}
        monkeypatch.setattr(rotation, "_step_test", original)
        outcome = rotation.rollback("deploy", "prod")
        assert outcome.state == "rolled_back"
        assert _labels(rotation, "deploy") == {"current": 1}
        assert rotation.interrupted() == []
    assert _current(vault, "deploy") == old and hcv.active(old)
    assert len(hcv.tokens) == 1, "the abandoned new token was revoked"


def test_due_lists_records_past_their_interval(vault, gitlab, http):
    _add(vault, "ci", gitlab.issue(), "gitlab", gitlab.url, rotate_every_days=30)
    _add(vault, "other", gitlab.issue(), "gitlab", gitlab.url)
    with Rotation(vault, http=http) as rotation:
        assert rotation.due() == []
        vault.clock.advance(timedelta(days=31))
        assert [r.name for r in rotation.due()] == ["ci"]
        [outcome] = rotation.rotate_due()
        assert outcome.state == "done"
        assert rotation.due() == []


def test_live_inspection_reports_drift(vault, gitlab, http):
    _add(
        vault,
        "ci",
        gitlab.issue(scopes=("api",)),
        "gitlab",
        gitlab.url,
        scopes=("api", "read_user"),
    )
    with Rotation(vault, http=http) as rotation:
        report = rotation.inspect_live("ci", "prod")
    assert report.live.active and report.live.scopes == ("api",)
    fields = {d.field for d in report.drift}
    assert "scopes" in fields and "expires" in fields


def test_record_without_adapter_is_refused_with_advice(vault, http):
    vault.add("plain", "prod", Secret("some-opaque-value-123"))
    with Rotation(vault, http=http) as rotation, pytest.raises(RotationError, match="adapter=NAME"):
        rotation.rotate("plain", "prod")


def test_cloudflare_roll_and_a_401_that_changes_nothing(vault, http):
    with serve(FakeCloudflare()) as cf:
        old = cf.issue(cidrs=("203.0.113.0/24",))
        _add(vault, "cf", old, "cloudflare", cf.url + "/client/v4")
        with Rotation(vault, http=http) as rotation:
            cf.fail_next(method="PUT", status=401, body=FakeCloudflare.INVALID.body)
            outcome = rotation.rotate("cf", "prod")
            assert outcome.state == "failed" and "HTTP 401" in outcome.message
            assert "Invalid API Token" in outcome.message and old not in outcome.message
            assert _current(vault, "cf") == old and cf.active(old)
            outcome = rotation.rotate("cf", "prod")
            assert outcome.state == "done", outcome.message
            report = rotation.inspect_live("cf", "prod")
        new = _current(vault, "cf")
        assert cf.active(new) and not cf.active(old)
        assert report.live.cidrs == ("203.0.113.0/24",)
        assert [d.field for d in report.drift] == ["cidrs", "expires"]


def test_npm_create_uses_the_password_record_and_carries_limits_over(vault, http):
    with serve(FakeNpm()) as npm:
        old = npm.issue(readonly=True, cidrs=("198.51.100.0/24",))
        vault.add("NPM_PASSWORD", "prod", Secret(FakeNpm.PASSWORD))
        options = (("adapter", "npm"), ("url", npm.url), ("password_record", "NPM_PASSWORD"))
        vault.add("npm", "prod", Secret(old), TokenFields(provider_options=options))
        with Rotation(vault, http=http) as rotation:
            outcome = rotation.rotate("npm", "prod")
        assert outcome.state == "done", outcome.message
        new = _current(vault, "npm")
        assert list(npm.tokens) == [new], "the old token was deleted"
        assert npm.tokens[new]["readonly"] and npm.tokens[new]["cidr_whitelist"] == [
            "198.51.100.0/24"
        ]
        assert FakeNpm.PASSWORD not in " ".join(e.detail for e in vault.audit_events())
