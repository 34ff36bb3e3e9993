"""Immutable display rows for the token table, built once per load (no Qt, no secret values).

Every string the table shows, the lowercase search text and the raw sort keys are worked out
here, so the model's ``data()`` only indexes into tuples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vault_app.core.health import Finding, HealthReport, Severity
from vault_app.core.model import STANDARD_ENVIRONMENTS, RecordRef, TokenId, TokenRecord

#: Sorts "no expiry" after every real date.
NEVER = 2**62


@dataclass(frozen=True, slots=True)
class Row:
    record: TokenRecord
    provider: str
    scopes: str
    expires: int | None  # epoch seconds
    prod: bool
    findings: tuple[Finding, ...]
    worst: Severity | None
    reused_in: tuple[RecordRef, ...]
    search: str  # lowercase: name, env, provider, kind, tags, scopes

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def env(self) -> str:
        return self.record.env

    @property
    def ref(self) -> RecordRef:
        return RecordRef(self.record.name, self.record.env)

    @property
    def expiry_key(self) -> int:
        return NEVER if self.expires is None else self.expires

    def __repr__(self) -> str:
        return f"Row({self.record.name!r}, {self.record.env!r})"


def scopes_summary(scopes: Sequence[str], limit: int = 3) -> str:
    if not scopes:
        return "—"
    shown = ", ".join(scopes[:limit])
    return shown if len(scopes) <= limit else f"{shown} +{len(scopes) - limit}"


def build_rows(
    records: Sequence[TokenRecord],
    report: HealthReport | None,
    reused: Mapping[TokenId, tuple[RecordRef, ...]],
    prod_envs: Sequence[str] = ("prod",),
) -> list[Row]:
    by_ref: dict[RecordRef, list[Finding]] = {}
    if report is not None:
        for finding in report.findings:
            for ref in finding.tokens:
                by_ref.setdefault(ref, []).append(finding)
    prod = set(prod_envs)
    rows = []
    for r in records:
        ref = RecordRef(r.name, r.env)
        findings = tuple(by_ref.get(ref, ()))
        worst = max((f.severity for f in findings), default=None)
        search = " ".join(
            (r.name, r.env, r.provider or "", r.kind or "", *r.tags, *r.scopes)
        ).lower()
        rows.append(
            Row(
                record=r,
                provider=r.provider or "",
                scopes=scopes_summary(r.scopes),
                expires=None if r.expires_at is None else int(r.expires_at.timestamp()),
                prod=r.env in prod,
                findings=findings,
                worst=worst,
                reused_in=reused.get(r.id, ()),
                search=search,
            )
        )
    return rows


def environment_choices(present: Sequence[str]) -> list[str]:
    """dev, staging, prod (always), then the custom environments alphabetically."""
    custom = sorted(set(present) - set(STANDARD_ENVIRONMENTS))
    return [*STANDARD_ENVIRONMENTS, *custom]
