"""What the window shows, read from the vault on the worker thread in one read: the records,
turned into display rows. Health and reuse are worked out after the rows are on screen, by
:func:`assess_rows` (pure, no vault call), so the first sight of the table never waits for them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from vault_app.core.health import HealthReport, evaluate_health, reused_map
from vault_app.core.model import RecordRef, TokenId, TokenRecord
from vault_app.core.policy import Policy
from vault_app.gui.rows import Row, build_rows, with_health
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


def take_snapshot(vault: Vault) -> Snapshot:
    """One read of every record: rows and environments from it (health comes after)."""
    records = vault.records()
    policy = vault.policy()
    prod_envs = tuple(policy.prod_envs)
    rows = build_rows(records, prod_envs)
    environments = sorted({r.env for r in records})
    return Snapshot(rows, records, environments, prod_envs, policy)


def assess(records: list[TokenRecord], policy: Policy, now: datetime) -> Health:
    """Pure: the health and reuse rules over records already read (no vault call)."""
    return Health(evaluate_health(records, policy, now), reused_map(records))


def assess_rows(
    records: list[TokenRecord], policy: Policy, now: datetime, rows: Sequence[Row]
) -> tuple[Health, list[Row]]:
    """Pure, for the worker thread: health over ``records`` and ``rows`` carrying their marks
    (same order), so the UI thread only swaps lists."""
    health = assess(records, policy, now)
    return health, with_health(rows, health.report, health.reused)
