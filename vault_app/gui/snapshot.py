"""What the window shows, read from the vault in one go on the worker thread."""

from __future__ import annotations

from dataclasses import dataclass

from vault_app.core.health import HealthReport, evaluate_health, reused_map
from vault_app.gui.rows import Row, build_rows
from vault_app.services.vault import Vault


@dataclass(frozen=True, slots=True)
class Snapshot:
    rows: list[Row]
    environments: list[str]
    report: HealthReport
    prod_envs: tuple[str, ...]


def take_snapshot(vault: Vault) -> Snapshot:
    # Vault.health() and Vault.reused_in() each read every record again; with 10,000 records
    # one read is worth keeping, so the same core rules are applied to the records read once.
    records = vault.records()
    policy = vault.policy()
    report = evaluate_health(records, policy, vault.clock.now())
    reused = reused_map(records)
    rows = build_rows(records, report, reused, policy.prod_envs)
    return Snapshot(rows, vault.environments(), report, tuple(policy.prod_envs))
