"""``list --json`` from kept views must say exactly what a full rebuild says, at any time."""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.tokens_for_tests import github_pat
from vault_app.core.clock import FixedClock
from vault_app.core.secret import Secret
from vault_app.services import policy_file
from vault_app.services.health import findings_by_record
from vault_app.services.home import VaultHome
from vault_app.services.inputs import TokenFields
from vault_app.services.listing import view_key
from vault_app.services.vault import Vault
from vault_app.services.views import record_json

PASS = Secret("correct horse battery")
START = datetime(2026, 3, 1, 12, 0, 0, 250_000, tzinfo=UTC)  # microseconds on purpose


def _jwt(exp: int) -> str:
    def part(obj: dict[str, Any]) -> str:
        raw = json.dumps(obj, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': 'ci', 'exp': exp})}.c2lnbmF0dXJl"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def vault(tmp_path: Path, no_keyring: None, clock: FixedClock) -> Iterator[Vault]:
    with Vault.create(
        VaultHome(tmp_path / "v"), passphrase_value=PASS, use_keyring=False, clock=clock
    ) as v:
        day = timedelta(days=1)
        v.add("SHARED", "dev", Secret("shared-value-123456"))
        v.add("SHARED", "prod", Secret("shared-value-123456"), TokenFields(expires_at=START + 30 * day))
        v.add("TWIN_A", "staging", Secret("twin-value-1234567"))
        v.add("TWIN_B", "staging", Secret("twin-value-1234567"), TokenFields(notes="ünïcode \"quoted\""))
        v.add("EXPIRED", "prod", Secret("old-value-12345678"), TokenFields(expires_at=START - 3 * day))
        v.add("SOON", "dev", Secret("soon-value-1234567"),
              TokenFields(expires_at=START + timedelta(days=2, seconds=30), scopes=("admin",)))
        v.add("OLD", "qa", Secret("rotating-value-123"), TokenFields(rotate_every_days=1))
        v.add("GH", "prod", Secret(github_pat()),
              TokenFields(scopes=("repo", "read:org"), cidrs=("10.0.0.0/8",),
                          endpoints=("GET /repos/**",), tags=("ci",)))
        v.add("JWT", "dev", Secret(_jwt(int((START + 10 * day).timestamp()))),
              TokenFields(expires_at=START + 20 * day))
        v.add("LIVE", "dev", Secret("sk_live_" + "a1B2c3D4" * 3))
        # ~8,000 years away: seconds_left must be exact where a float would round
        v.add("FAR", "staging", Secret("far-value-12345678"),
              TokenFields(expires_at=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)))
        v.add("PLAIN", "dev", Secret("plain-value-123456"),
              TokenFields(expires_at=START + 60 * day, notes="naïve ☃ \"quoted\" \\ back", tags=("ü",)))
        yield v


def slow(vault: Vault, env: str | None = None) -> list[dict[str, Any]]:
    """The reference: every record rebuilt, every rule run, as `show --json` builds one."""
    overview = vault.overview(env)
    findings = findings_by_record(overview.health)
    now = vault.clock.now()
    within = vault.policy().expiring_within_seconds
    objects = [
        record_json(r, now, overview.reused.get(r.id, ()), expiring_within_seconds=within,
                    findings=findings.get(r.key, ()))
        for r in overview.records
    ]
    return json.loads(json.dumps(objects))  # tuples to lists, as a reader sees them


def fast(vault: Vault, env: str | None = None) -> list[dict[str, Any]]:
    text = vault.list_json(env)
    data = json.loads(text)
    assert isinstance(data, list)
    return data


def views(vault: Vault) -> dict[str, str]:
    rows = vault.database.execute("SELECT token_id, key FROM record_views")
    return dict(rows)


def test_the_vault_under_test_raises_every_kind_of_finding(vault: Vault, clock: FixedClock) -> None:
    clock.advance(timedelta(days=1, hours=1))
    codes = {f["code"] for obj in slow(vault) for f in obj["findings"]}
    assert {"reused-across-environments", "duplicate-value", "expired", "expiring-soon",
            "rotation-overdue", "wildcard-scope", "environment-mismatch",
            "expiry-disagrees-with-token", "no-expiry"} <= codes


@pytest.mark.parametrize("later", [timedelta(0), timedelta(seconds=31), timedelta(days=2, hours=1),
                                   timedelta(days=40), timedelta(days=-400)])
def test_kept_views_list_what_a_full_rebuild_lists(
    vault: Vault, clock: FixedClock, later: timedelta
) -> None:
    assert fast(vault) == slow(vault)  # builds and keeps the views
    clock.advance(later)
    assert fast(vault) == slow(vault)  # from the kept views, with the time moved on


def test_sql_finished_objects_keep_non_ascii_text(vault: Vault) -> None:
    text = vault.list_json().decode("utf-8")
    assert 'naïve ☃ \\"quoted\\" \\\\ back' in text  # UTF-8 as is, JSON escapes intact
    plain = next(o for o in fast(vault) if o["name"] == "PLAIN")
    assert plain["notes"] == 'naïve ☃ "quoted" \\ back' and plain["tags"] == ["ü"]


def test_env_filter_still_sees_reuse_in_other_environments(vault: Vault) -> None:
    for env in ("prod", "dev", "staging", "qa", "nowhere"):
        assert fast(vault, env) == slow(vault, env)
    shared = next(o for o in fast(vault, "prod") if o["name"] == "SHARED")
    assert shared["reused_in"] == [{"name": "SHARED", "env": "dev"}]


def test_views_are_kept_and_reused(vault: Vault) -> None:
    fast(vault)
    first = views(vault)
    assert len(first) == len(vault.records())
    fast(vault)
    assert views(vault) == first


def test_an_edit_drops_that_records_view_and_the_list_follows(vault: Vault) -> None:
    fast(vault)
    before = views(vault)
    record = vault.resolve("GH", "prod")
    vault.edit("GH", "prod", TokenFields(scopes=("read:org",), notes="narrowed"))
    assert record.id not in views(vault)
    assert len(views(vault)) == len(before) - 1
    listed = fast(vault)
    assert listed == slow(vault)
    gh = next(o for o in listed if o["name"] == "GH")
    assert gh["scopes"] == ["read:org"] and gh["notes"] == "narrowed"
    assert not any(f["code"] == "wildcard-scope" for f in gh["findings"])


def test_a_new_value_and_a_removal_update_reuse(vault: Vault) -> None:
    fast(vault)
    vault.edit("TWIN_B", "staging", TokenFields(), Secret("its-own-value-12345"))
    vault.remove("SHARED", "dev")
    vault.add("COPY", "prod", Secret("old-value-12345678"))
    listed = fast(vault)
    assert listed == slow(vault)
    twin = next(o for o in listed if o["name"] == "TWIN_A")
    assert twin["reused_in"] == []
    assert [f["code"] for f in twin["findings"]] == ["no-expiry"]
    copy = next(o for o in listed if o["name"] == "COPY")
    assert copy["reused_in"] == [{"name": "EXPIRED", "env": "prod"}]


def test_a_policy_change_rebuilds_the_views(vault: Vault, tmp_path: Path) -> None:
    def codes(listed: list[dict[str, Any]], name: str) -> list[str]:
        return [f["code"] for f in next(o for o in listed if o["name"] == name)["findings"]]

    before = fast(vault)
    assert "no-ip-restriction" not in codes(before, "SOON")
    old_key = view_key(vault.policy())
    policy_file.set_value(vault.home, "require_cidr_envs", '["prod", "dev"]')
    with Vault.open(vault.home, lambda: PASS, use_keyring=False, clock=vault.clock) as again:
        assert view_key(again.policy()) != old_key
        listed = fast(again)
        assert listed == slow(again)
        assert set(views(again).values()) == {view_key(again.policy())}
        assert "no-ip-restriction" in codes(listed, "SOON")


def test_a_view_under_another_key_is_never_used(vault: Vault) -> None:
    fast(vault)
    with vault.database.transaction() as conn:
        conn.execute("UPDATE record_views SET key = 'stale', head = '\"name\":\"WRONG\"'")
    listed = fast(vault)
    assert "WRONG" not in json.dumps(listed)
    assert listed == slow(vault)


def test_empty_vault(tmp_path: Path, no_keyring: None) -> None:
    with Vault.create(VaultHome(tmp_path / "e"), passphrase_value=PASS, use_keyring=False) as v:
        assert v.list_json() == b"[]"


def test_the_view_key_follows_the_policy_not_the_process(vault: Vault) -> None:
    assert view_key(vault.policy()) == view_key(policy_file.load(vault.home))


@pytest.mark.parametrize(("setting", "value"), [("expiring_soon_days", "0"),
                                                ("default_rotation_days", "0"),
                                                ("prod_envs", '["prod", "qa"]')])
def test_kept_views_follow_every_policy_setting(
    vault: Vault, clock: FixedClock, setting: str, value: str
) -> None:
    fast(vault)
    policy_file.set_value(vault.home, setting, value)
    with Vault.open(vault.home, lambda: PASS, use_keyring=False, clock=clock) as again:
        for later in (timedelta(0), timedelta(days=2, seconds=30, microseconds=-250_000),
                      timedelta(days=3)):
            clock.current = START + later
            assert fast(again) == slow(again)


def test_the_listing_reads_the_views_in_order_without_a_sort(vault: Vault) -> None:
    from vault_app.storage.view_store import ViewStore

    fast(vault)
    plans: list[str] = []
    store = ViewStore(vault.database)
    original = vault.database.execute

    def explain(sql: str, params: Any = ()) -> list[Any]:
        if sql.lstrip().upper().startswith("SELECT CASE"):
            plans.extend(str(row) for row in original("EXPLAIN QUERY PLAN " + sql, params))
        return original(sql, params)

    vault.database.execute = explain  # type: ignore[method-assign]
    store.listing(view_key(vault.policy()), None, now_us=0, within=1, default_days=None)
    assert plans and not any("TEMP B-TREE" in p for p in plans), plans


def _reworded(seconds: float) -> str:
    return f"{seconds} SECONDS"


@functools.lru_cache(maxsize=8)
def _cached_reworded(unit_index: int, major: int, minor: int) -> str:
    return f"{major} UNITS"


@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        ("_span_words", _reworded),  # a plain function
        ("_span_text", _cached_reworded),  # a cached one
        ("_DISAGREE_SECONDS", 3600),  # a module constant
    ],
)
def test_the_view_key_changes_with_the_code_that_shapes_a_view(
    vault: Vault, monkeypatch: pytest.MonkeyPatch, name: str, replacement: object
) -> None:
    from vault_app.core import health
    from vault_app.services import listing

    before = view_key(vault.policy())
    monkeypatch.setattr(health, name, replacement)
    listing._code_digest.cache_clear()
    try:
        assert view_key(vault.policy()) != before
    finally:
        monkeypatch.undo()
        listing._code_digest.cache_clear()
    assert view_key(vault.policy()) == before


def test_the_view_key_is_the_same_in_every_process() -> None:
    import os
    import subprocess
    import sys

    code = ("from vault_app.core.policy import Policy; from vault_app.services.listing import "
            "view_key; print(view_key(Policy()))")
    keys = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert len(keys) == 1 and len(next(iter(keys))) == 32


@pytest.mark.parametrize("between", ["listing", "open_rows", "shared"])
def test_an_edit_by_another_process_mid_listing_loses_no_record(
    vault: Vault, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, between: str
) -> None:
    from vault_app.storage.view_store import ViewStore

    fast(vault)  # views built and complete
    clock.advance(timedelta(days=2))  # so that some records need finishing in Python
    names = {(o["name"], o["env"]) for o in slow(vault)}
    with Vault.open(vault.home, lambda: PASS, use_keyring=False, clock=clock) as other:
        original = getattr(ViewStore, between)

        def edit_first(self: ViewStore, *args: Any, **kwargs: Any) -> Any:
            for name, env in (("GH", "prod"), ("SOON", "dev"), ("SHARED", "prod")):
                other.edit(name, env, TokenFields(notes=f"edited during {between}"))
            return original(self, *args, **kwargs)

        monkeypatch.setattr(ViewStore, between, edit_first)
        listed = fast(vault)
    assert {(o["name"], o["env"]) for o in listed} == names
    assert all(not o["notes"].startswith("edited") for o in listed)  # one state: before
    monkeypatch.undo()
    assert next(o for o in fast(vault) if o["name"] == "GH")["notes"] == f"edited during {between}"


def test_the_listing_without_concat_lists_the_same(
    vault: Vault, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where SQLite predates concat() (3.44), printf() builds the same objects."""
    from vault_app.storage import view_store

    with_concat = vault.list_json()
    monkeypatch.setattr(view_store, "_LISTING_CONCAT", view_store._LISTING_PRINTF)
    assert vault.list_json() == with_concat  # byte for byte
    for later in (timedelta(days=2), timedelta(days=40)):
        clock.advance(later)
        assert fast(vault) == slow(vault)
