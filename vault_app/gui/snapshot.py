"""What the window shows, read from the vault on the worker thread in one read: the records with
their reuse and health (``Vault.overview()``), turned into display rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vault_app.core.health import HealthReport, evaluate_health, reused_map
from vault_app.core.model import RecordRef, TokenId, TokenRecord
from vault_app.core.policy import Policy
from vault_app.gui.rows import Row, build_rows
from vault_app.services.vault import Vault


@dataclass(frozen=True, slots=True)
class Health:
    report: HealthReport
    reused: dict[TokenId, tuple[RecordRef, ...]]


@dataclass(frozen=True, slots=True)
class Snapshot:
    rows: list[Row]
    records: list[TokenRecord]
    environments: list[str]
    prod_envs: tuple[str, ...]
    policy: Policy
    health: Health | None = None


def take_snapshot(vault: Vault) -> Snapshot:
    """One read of every record (``overview``): rows, environments, reuse and health from it."""
    overview = vault.overview()
    policy = vault.policy()
    prod_envs = tuple(policy.prod_envs)
    records = overview.records
    rows = build_rows(records, prod_envs)
    environments = sorted({r.env for r in records})
    return Snapshot(
        rows, records, environments, prod_envs, policy, Health(overview.health, overview.reused)
    )


def assess(records: list[TokenRecord], policy: Policy, now: datetime) -> Health:
    """Pure: the same health and reuse rules over records already read (no vault call)."""
    return Health(evaluate_health(records, policy, now), reused_map(records))
