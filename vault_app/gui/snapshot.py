"""What the window shows, read from the vault on the worker thread, in two steps: the rows
first (so the table appears), then the health report and reuse (the marks fill in after)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vault_app.core.health import HealthReport, evaluate_health, reused_map
from vault_app.core.model import RecordRef, TokenId, TokenRecord
from vault_app.core.policy import Policy
from vault_app.gui.rows import Row, build_rows
from vault_app.services.vault import Vault


@dataclass(frozen=True, slots=True)
class Snapshot:
    rows: list[Row]
    records: list[TokenRecord]
    environments: list[str]
    prod_envs: tuple[str, ...]
    policy: Policy


@dataclass(frozen=True, slots=True)
class Health:
    report: HealthReport
    reused: dict[TokenId, tuple[RecordRef, ...]]


def take_snapshot(vault: Vault) -> Snapshot:
    records = vault.records()
    policy = vault.policy()
    prod_envs = tuple(policy.prod_envs)
    rows = build_rows(records, prod_envs)
    return Snapshot(rows, records, vault.environments(), prod_envs, policy)


def assess(records: list[TokenRecord], policy: Policy, now: datetime) -> Health:
    """Pure: no vault call, so it runs beside the window's own calls.

    ``Vault.health()`` and ``Vault.reused_in()`` each read every record again; with 10,000
    records the read is the slow part, so the same core rules run over the records read once.
    """
    return Health(evaluate_health(records, policy, now), reused_map(records))
