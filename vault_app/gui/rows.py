"""Immutable display rows for the token table (no Qt, no secret values).

Every string the table shows, the lowercase search text and the raw sort keys are worked out
once per load, so the model's ``data()`` only indexes into tuples. Rows are named tuples: cheap
to build 10,000 of, and immutable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from vault_app.core.health import Finding, HealthReport, Severity
from vault_app.core.model import STANDARD_ENVIRONMENTS, RecordRef, TokenId, TokenRecord

#: Sorts "no expiry" after every real date.
NEVER = 2**62


class Row(NamedTuple):
    record: TokenRecord
    #: what the text columns show: name, environment, provider, scopes summary
    texts: tuple[str, str, str, str]
    expires: int | None  # epoch seconds
    expiry_key: int  # expires, or NEVER
    prod: bool
    search: str  # lowercase: name, env, provider, kind, tags, scopes
    findings: tuple[Finding, ...] = ()
    worst: Severity | None = None
    reused_in: tuple[RecordRef, ...] = ()

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def env(self) -> str:
        return self.record.env

    @property
    def provider(self) -> str:
        return self.record.provider or ""

    @property
    def ref(self) -> RecordRef:
        return RecordRef(self.record.name, self.record.env)

    def __repr__(self) -> str:
        return f"Row({self.record.name!r}, {self.record.env!r})"


def scopes_summary(scopes: Sequence[str], limit: int = 3) -> str:
    if not scopes:
        return "—"
    shown = ", ".join(scopes[:limit])
    return shown if len(scopes) <= limit else f"{shown} +{len(scopes) - limit}"


def build_rows(records: Sequence[TokenRecord], prod_envs: Sequence[str] = ("prod",)) -> list[Row]:
    """Rows without health information (that comes later, see :func:`with_health`)."""
    prod = frozenset(prod_envs)
    rows: list[Row] = []
    append = rows.append
    # tuple.__new__ with every field: the named tuple's own __new__ is a Python function,
    # a third of the time here at 10,000 rows.
    new, join, summary = tuple.__new__, " ".join, scopes_summary
    for r in records:
        scopes = r.constraints.scopes
        provider = r.provider or ""
        at = r.expires_at
        expires = None if at is None else int(at.timestamp())
        name, env = r.name, r.env
        search = join((name, env, provider, r.kind or "", *r.tags, *scopes)).lower()
        append(
            new(
                Row,
                (
                    r,
                    (name, env, provider or "unknown", summary(scopes)),
                    expires,
                    NEVER if expires is None else expires,
                    env in prod,
                    search,
                    (),
                    None,
                    (),
                ),
            )
        )
    return rows


def _rank(finding: Finding) -> int:
    return _RANK[finding.severity]


_RANK = {Severity.CRITICAL: 3, Severity.WARNING: 2, Severity.INFO: 1}


def with_health(
    rows: Sequence[Row],
    report: HealthReport,
    reused: Mapping[TokenId, tuple[RecordRef, ...]],
) -> list[Row]:
    """The same rows, in the same order, carrying their findings and reuse."""
    by_ref: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        for ref in finding.tokens:
            by_ref.setdefault((ref.name, ref.env), []).append(finding)
    out = []
    for row in rows:
        record = row.record
        findings = by_ref.get((record.name, record.env))
        others = reused.get(record.id, ())
        if findings or others:
            # By rank, not Severity's Python-level comparisons: this runs for every row.
            worst = max(findings, key=_rank).severity if findings else None
            out.append(row._replace(findings=tuple(findings or ()), worst=worst, reused_in=others))
        else:
            out.append(row)
    return out


def environment_choices(present: Sequence[str]) -> list[str]:
    """dev, staging, prod (always), then the custom environments alphabetically."""
    custom = sorted(set(present) - set(STANDARD_ENVIRONMENTS))
    return [*STANDARD_ENVIRONMENTS, *custom]
