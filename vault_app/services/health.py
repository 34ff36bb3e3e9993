"""Health report helpers for front ends (the rules themselves live in core)."""

from __future__ import annotations

from collections import defaultdict

from vault_app.core.health import Finding, HealthReport, Severity
from vault_app.core.policy import Policy, policy_as_dict

SEVERITIES = tuple(s.value for s in Severity)


def report_at_or_above(report: HealthReport, severity: str) -> bool:
    return report.at_or_above(Severity(severity))


def findings_by_record(report: HealthReport) -> dict[tuple[str, str], list[Finding]]:
    """One pass over the findings, so a list of 10,000 records does not search per record."""
    out: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in report.findings:
        for ref in finding.tokens:
            out[(ref.name, ref.env)].append(finding)
    return out


def policy_json(policy: Policy) -> dict[str, object]:
    return policy_as_dict(policy)
