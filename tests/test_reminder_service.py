"""Reminder state kept in the real vault: once per threshold across restarts, fresh after rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vault_app.core.clock import FixedClock
from vault_app.core.errors import ValidationError
from vault_app.core.secret import Secret
from vault_app.services.home import VaultHome
from vault_app.services.inputs import TokenFields
from vault_app.services.reminders import ReminderPlanner, set_lead_times
from vault_app.services.vault import Vault

PASS = Secret("correct horse battery staple")
T0 = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture
def home(tmp_path, no_keyring):
    clock = FixedClock(T0)
    with Vault.create(
        VaultHome(tmp_path / "v"), passphrase_value=PASS, use_keyring=False, clock=clock
    ) as v:
        v.add(
            "SOON",
            "prod",
            Secret("soon-token-123456"),
            TokenFields(expires_at=T0 + timedelta(minutes=30)),
        )
        v.add(
            "LATER",
            "dev",
            Secret("later-token-123456"),
            TokenFields(expires_at=T0 + timedelta(days=60)),
        )
    return VaultHome(tmp_path / "v")


def open_vault(home, now):
    return Vault.open(home, lambda: PASS, clock=FixedClock(now))


def test_sent_state_survives_a_restart(home):
    with open_vault(home, T0) as vault:
        planner = ReminderPlanner()
        planner.refresh(vault)
        notes = planner.due(T0)
        assert [n.title for n in notes] == ["SOON (prod) expires in 30 min"]
        assert "soon-token" not in notes[0].title + notes[0].body
        planner.mark(notes, vault, T0)
    with open_vault(home, T0) as vault:
        again = ReminderPlanner()
        again.refresh(vault)
        assert again.due(T0 + timedelta(minutes=5)) == []
        assert again.next_wakeup(T0) == T0 + timedelta(minutes=30)


def test_reminders_while_locked_are_saved_at_next_unlock(home):
    planner = ReminderPlanner()
    with open_vault(home, T0) as vault:
        planner.refresh(vault)
    # Locked: the planner still knows the schedule, and remembers what it sent in memory.
    notes = planner.due(T0 + timedelta(minutes=31))
    assert [n.title for n in notes] == ["SOON (prod) expired 1 min ago"]
    planner.mark(notes, None, T0 + timedelta(minutes=31))
    assert planner.unsaved
    with open_vault(home, T0 + timedelta(minutes=40)) as vault:
        planner.refresh(vault)
        assert not planner.unsaved
        fresh = ReminderPlanner()
        fresh.refresh(vault)
        assert fresh.due(T0 + timedelta(minutes=41)) == []


def test_a_new_version_is_reminded_again(home):
    with open_vault(home, T0) as vault:
        planner = ReminderPlanner()
        planner.refresh(vault)
        planner.mark(planner.due(T0), vault, T0)
        vault.edit(
            "SOON",
            "prod",
            TokenFields(expires_at=T0 + timedelta(minutes=50)),
            Secret("new-token-654321"),
        )
        planner.refresh(vault)
        assert [n.title for n in planner.due(T0)] == ["SOON (prod) expires in 50 min"]


def test_per_token_lead_times(home):
    with open_vault(home, T0) as vault:
        set_lead_times(vault, "LATER", "dev", ["90d"])
        planner = ReminderPlanner()
        planner.refresh(vault)
        assert {n.title for n in planner.due(T0)} == {
            "SOON (prod) expires in 30 min",
            "LATER (dev) expires in 60 days",
        }
        with pytest.raises(ValidationError):
            set_lead_times(vault, "LATER", "dev", ["soon"])
