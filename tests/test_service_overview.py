"""The facade's one-read overview and per-record audit trail agree with the separate calls."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vault_app.core.clock import FixedClock
from vault_app.core.secret import Secret
from vault_app.services.home import VaultHome
from vault_app.services.inputs import TokenFields
from vault_app.services.vault import Vault


@pytest.fixture
def vault(tmp_path, no_keyring):
    v = Vault.create(VaultHome(tmp_path / "v"), passphrase_value=Secret("correct horse battery"),
                     use_keyring=False, clock=FixedClock(datetime(2026, 2, 1, tzinfo=UTC)))
    v.add("A", "dev", Secret("shared-value-123456"))
    v.add("A", "prod", Secret("shared-value-123456"))
    v.add("B", "staging", Secret("other-value-123456"), TokenFields(notes="x"))
    yield v
    v.close()


def test_overview_matches_separate_calls(vault):
    overview = vault.overview()
    assert [r.key for r in overview.records] == [r.key for r in vault.records()]
    assert overview.reused == vault.reused_in()
    assert overview.health.to_json() == vault.health().to_json()
    prod = vault.overview("prod")
    assert [r.key for r in prod.records] == [("A", "prod")]
    # Reuse is still found across environments when only one is listed.
    assert prod.reused[prod.records[0].id][0].env == "dev"


def test_record_events_are_that_records_only(vault):
    record = vault.resolve("A", "prod")
    vault.reveal(record)
    vault.reveal(vault.resolve("B"))
    events = vault.record_events(record)
    assert [e.action for e in events] == ["add", "reveal"]
    assert {(e.name, e.env) for e in events} == {("A", "prod")}
    assert len(vault.record_events(record, limit=1)) == 1
