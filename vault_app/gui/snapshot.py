"""What the window shows, read from the vault in one go (on the worker thread), and the few
facade gaps the GUI fills from existing calls until the service grows them.
"""

from __future__ import annotations

from dataclasses import dataclass

from vault_app.core.errors import PolicyError
from vault_app.core.health import HealthReport, evaluate_health
from vault_app.core.model import RecordRef, TokenRecord
from vault_app.core.policy import Policy, parse_policy
from vault_app.core.secret import Secret
from vault_app.gui.rows import Row, build_rows
from vault_app.services.vault import Vault


@dataclass(frozen=True, slots=True)
class Snapshot:
    rows: list[Row]
    environments: list[str]
    report: HealthReport
    prod_envs: tuple[str, ...]


def load_policy(vault: Vault) -> Policy:
    path = vault.home.policy
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return Policy()
    try:
        return parse_policy(text, filename=str(path))
    except PolicyError:
        return Policy()


def health_report(vault: Vault, records: list[TokenRecord], policy: Policy) -> HealthReport:
    """``Vault.health()`` when the service has it; else the same rules over the same records."""
    method = getattr(vault, "health", None)
    if callable(method):
        report = method()
        if isinstance(report, HealthReport):
            return report
    return evaluate_health(records, policy, vault.clock.now())


def take_snapshot(vault: Vault) -> Snapshot:
    records = vault.records()
    policy = load_policy(vault)
    report = health_report(vault, records, policy)
    reused = vault.reused_in()
    rows = build_rows(records, report, reused, policy.prod_envs)
    return Snapshot(rows, vault.environments(), report, tuple(policy.prod_envs))


def holders_of(vault: Vault, value: Secret, records: list[TokenRecord]) -> list[RecordRef]:
    """The records that already hold ``value`` (for the reuse warning before saving).

    FACADE GAP: the service has no "who holds this value" call yet; this compares the keyed
    fingerprint the repository computes with the records' fingerprints. Replace with
    ``Vault.holders_of(value)`` when it exists.
    """
    method = getattr(vault, "holders_of", None)
    if callable(method):
        found = method(value)
        return [RecordRef(r.name, r.env) for r in found]
    fingerprint = vault._repo.fingerprint(value)
    return [RecordRef(r.name, r.env) for r in records if r.fingerprint == fingerprint]
