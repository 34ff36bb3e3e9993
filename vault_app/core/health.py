"""Health rules: what is risky about the stored tokens, judged from metadata alone.

Inputs are records (never values): equal keyed ``fingerprint`` means equal secret values, and
``token_info`` is what token detection read when the value was stored. Each finding has a stable
``code``, a severity and a message that names the tokens and says how to fix it.

Severity decisions (the "why" for reviewers):

* ``reused-across-environments`` is critical when a production environment is in the group: a
  leak from a laptop's dev copy is then a production leak. Without prod it is a warning. One
  finding per shared value; a group that stays inside one environment is ``duplicate-value``.
* ``expired`` is critical in prod (something is broken or about to be), a warning elsewhere.
* ``wildcard-scope`` is a warning everywhere: some providers have no narrower key (a Stripe secret
  key is all-access by design), so a hard failure would be noise. The dangerous combination,
  broad access that never expires, is the critical ``all-access-permanent``, which replaces
  ``no-expiry`` and ``wildcard-scope`` for that record so one fix is asked for once.
* ``environment-mismatch``: a *live* key filed under a non-production environment is critical (dev
  copies end up in ``.env`` files, CI logs and laptops, and it works against real data); a *test*
  key filed under prod is a warning (prod is misconfigured, but the key opens nothing real).
* ``unsigned-jwt`` is critical: anyone can mint a token like it, and a service that accepts it
  accepts forgeries.
* When the token's own embedded expiry is known but the record has none, the token does expire:
  ``expiry-disagrees-with-token`` is raised instead of ``no-expiry``/``all-access-permanent``.
* An expired record gets no ``rotation-overdue`` (the ``expired`` finding already says rotate).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

from vault_app.core.model import RecordRef, TokenId, TokenRecord
from vault_app.core.policy import Policy

_RANKS = {"critical": 3, "warning": 2, "info": 1}
_DISAGREE_SECONDS = 60


class Severity(StrEnum):
    """Ordered by urgency: CRITICAL > WARNING > INFO (not alphabetically, as plain str would)."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANKS[self.value]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem. ``message`` names the tokens and the fix, and never carries a secret."""

    code: str
    severity: Severity
    message: str
    tokens: tuple[RecordRef, ...]

    def concerns(self, ref: RecordRef) -> bool:
        return ref in self.tokens

    def sort_key(self) -> tuple[int, str, str, str]:
        first = self.tokens[0] if self.tokens else RecordRef("", "")
        return (-self.severity.rank, self.code, first.name, first.env)

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "tokens": [{"name": t.name, "env": t.env} for t in self.tokens],
        }


@dataclass(frozen=True, slots=True)
class HealthReport:
    """The findings, most urgent first, and how many records were checked."""

    findings: tuple[Finding, ...]
    checked: int = 0

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for finding in self.findings:
            counts[finding.severity.value] += 1
        return {**counts, "tokens": self.checked}

    def for_record(self, ref: RecordRef) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.concerns(ref))

    def at_or_above(self, severity: Severity) -> bool:
        """True when any finding is at least this severe (for ``health --fail-on``)."""
        return any(f.severity >= severity for f in self.findings)

    def to_json(self) -> dict[str, object]:
        return {"findings": [f.to_json() for f in self.findings], "summary": self.summary()}


def evaluate_health(
    records: Sequence[TokenRecord], policy: Policy, now: datetime, *, env: str | None = None
) -> HealthReport:
    """Apply every rule. With ``env``, keep the findings that concern a record in that env.

    Reuse is judged across all records even when ``env`` is given, so a prod token that shares
    its value with a dev token is reported under both environments.
    """
    now_us = epoch_us(now)
    findings = list(_reuse_findings(records, policy))
    for record in records:
        findings.extend(_record_findings(record, policy, now_us))
    if env is not None:
        findings = [f for f in findings if any(t.env == env for t in f.tokens)]
    findings.sort(key=Finding.sort_key)
    checked = sum(1 for r in records if env is None or r.env == env)
    return HealthReport(tuple(findings), checked)


class Holder(Protocol):
    """What reuse is judged from: a record, or a lighter row with the same four fields."""

    @property
    def id(self) -> TokenId: ...
    @property
    def name(self) -> str: ...
    @property
    def env(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


def reused_map(records: Sequence[Holder]) -> dict[TokenId, tuple[RecordRef, ...]]:
    """For each record whose value is stored elsewhere too: the other records holding it.

    Records with a unique value are left out; an empty fingerprint is "unknown" and never matches.
    """
    result: dict[TokenId, tuple[RecordRef, ...]] = {}
    for group in _groups(records):
        for record in group:
            others = [_ref(r) for r in group if r is not record]
            result[record.id] = tuple(sorted(set(others), key=_ref_key))
    return result


# ---------------------------------------------------------------------------------------------
# Reuse


def _groups(records: Iterable[Holder]) -> list[list[Holder]]:
    by_fingerprint: dict[str, list[Holder]] = defaultdict(list)
    for record in records:
        if record.fingerprint:
            by_fingerprint[record.fingerprint].append(record)
    return [group for group in by_fingerprint.values() if len(group) > 1]


def reuse_findings(records: Sequence[Holder], policy: Policy) -> list[Finding]:
    """The findings about values stored more than once (judged across every record given)."""
    return list(_reuse_findings(records, policy))


def _reuse_findings(records: Sequence[Holder], policy: Policy) -> Iterable[Finding]:
    for group in _groups(records):
        refs = tuple(sorted({_ref(r) for r in group}, key=_ref_key))
        envs = sorted({r.env for r in group})
        named = _names(refs)
        if len(envs) > 1:
            prod = [e for e in envs if policy.is_prod(e)]
            severity = Severity.CRITICAL if prod else Severity.WARNING
            exposed = f"exposes {', '.join(prod)}" if prod else "exposes the others"
            yield Finding(
                "reused-across-environments",
                severity,
                f"{named} hold the same value across environments {', '.join(envs)}: a leak "
                f"from one {exposed}. Rotate them and store a different value per environment.",
                refs,
            )
        else:
            yield Finding(
                "duplicate-value",
                Severity.WARNING,
                f"{named} hold the same value. If they are one token, keep one record; "
                "otherwise rotate one so each has its own value.",
                refs,
            )


# ---------------------------------------------------------------------------------------------
# Per-record rules


@dataclass(slots=True)
class _Facts:
    """What every per-record rule needs, worked out once (times made timezone-aware).

    Not frozen: it never leaves this module, and a frozen __init__ costs ~2x on 10k records.
    """

    record: TokenRecord
    policy: Policy
    ref: RecordRef
    who: str
    prod: bool
    info: Mapping[str, object]
    expires_at: datetime | None
    token_expiry: datetime | None
    broad: tuple[str, ...]
    unscoped: bool
    #: no expiry anywhere: none recorded, and none embedded in the token
    permanent: bool
    #: when the current value was issued: last rotation, else creation
    issued: datetime

    def finding(self, code: str, severity: Severity, message: str) -> Finding:
        return Finding(code, severity, message, (self.ref,))


def _facts(record: TokenRecord, policy: Policy) -> _Facts:
    ref = RecordRef(record.name, record.env)
    info = record.token_info
    expires_at = _aware(record.expires_at) if record.expires_at is not None else None
    token_expiry = _token_expiry(info.get("expires_at")) if info else None
    scopes = record.constraints.scopes
    return _Facts(
        record,
        policy,
        ref,
        f"{record.name} ({record.env})",
        policy.is_prod(record.env),
        info,
        expires_at,
        token_expiry,
        policy.wildcard_matches(scopes) if scopes else (),
        not scopes and policy.is_scoped_provider(record.provider),
        expires_at is None and token_expiry is None,
        _aware(record.last_rotated_at or record.created_at),
    )


def _record_findings(record: TokenRecord, policy: Policy, now_us: int) -> list[Finding]:
    out = static_findings(record, policy)
    out.extend(
        timed_findings(
            RecordRef(record.name, record.env),
            policy,
            now_us,
            expires_us=None if record.expires_at is None else epoch_us(record.expires_at),
            issued_us=epoch_us(record.last_rotated_at or record.created_at),
            rotate_every_days=record.rotate_every_days,
            rotated=record.last_rotated_at is not None,
        )
    )
    return out


def static_findings(record: TokenRecord, policy: Policy) -> list[Finding]:
    """The record's findings that depend on nothing but the record and the policy.

    They can be kept beside the record until either changes (``services/listing.py`` does);
    the ones that move with the clock are :func:`timed_findings`.
    """
    # Rules append to one list: eight generators per record cost more than the rules themselves.
    facts = _facts(record, policy)
    out: list[Finding] = []
    for rule in _RULES:
        rule(facts, out)
    return out


def timed_findings(
    ref: RecordRef,
    policy: Policy,
    now_us: int,
    *,
    expires_us: int | None,
    issued_us: int,
    rotate_every_days: int | None,
    rotated: bool,
) -> list[Finding]:
    """Findings that move with the clock: expired, expiring soon, rotation overdue.

    Times are integer microseconds since the epoch (:func:`epoch_us`), so that a caller holding
    the stored whole seconds builds no datetime in the common case where nothing is due. An
    expired record gets no rotation-overdue: the expiry finding already says to rotate.
    """
    out: list[Finding] = []
    expired = False
    if expires_us is not None:
        left_us = expires_us - now_us
        if left_us <= 0:
            expired = True
            out.append(_expired(ref, policy, left_us / 1e6, expires_us))
        elif left_us < policy.expiring_within_seconds * 1_000_000:
            out.append(_expiring(ref, left_us / 1e6, expires_us))
    interval = rotate_every_days if rotate_every_days is not None else policy.default_rotation_days
    if interval is None or interval <= 0 or expired:
        return out
    age_us = now_us - issued_us
    if age_us > interval * 86_400_000_000:
        verb = "last rotated" if rotated else "created"
        out.append(
            Finding(
                "rotation-overdue",
                Severity.WARNING,
                f"{_name(ref)} was {verb} {_span_words(age_us / 1e6)} ago and should be rotated "
                f"every {interval} days. Rotate it and store the new value.",
                (ref,),
            )
        )
    return out


def epoch_us(moment: datetime) -> int:
    """Microseconds since the epoch, exactly (a float timestamp would round); naive means UTC."""
    return (_aware(moment) - _EPOCH) // _MICROSECOND


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _from_us(moment_us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=moment_us)


def _expired(ref: RecordRef, policy: Policy, left: float, expires_us: int) -> Finding:
    return Finding(
        "expired",
        Severity.CRITICAL if policy.is_prod(ref.env) else Severity.WARNING,
        f"{_name(ref)} expired {_span_words(-left)} ago ({_when(_from_us(expires_us))}). Replace "
        "it with a new token from the provider, or remove the record if it is no longer used.",
        (ref,),
    )


def _expiring(ref: RecordRef, left: float, expires_us: int) -> Finding:
    return Finding(
        "expiring-soon",
        Severity.WARNING,
        f"{_name(ref)} expires in {_span_words(left)} ({_when(_from_us(expires_us))}). "
        "Rotate it before then and store the new value.",
        (ref,),
    )


def _access(f: _Facts, out: list[Finding]) -> None:
    """no-expiry, wildcard-scope, or both merged into all-access-permanent."""
    name, env = f.ref.name, f.ref.env
    if f.permanent and (f.broad or f.unscoped):
        access = f"broad access ({', '.join(f.broad)})" if f.broad else "no scope limits"
        out.append(
            f.finding(
                "all-access-permanent",
                Severity.CRITICAL,
                f"{f.who} has {access} and never expires: whoever copies it keeps that access for "
                "good. Replace it with a token limited to the scopes it needs that expires, then "
                f"record both (`vault-app edit {name} --env {env} --expires 90d`).",
            )
        )
        return
    if f.permanent:
        out.append(
            f.finding(
                "no-expiry",
                Severity.WARNING if f.prod else Severity.INFO,
                f"{f.who} has no expiry date. If the token expires, record when with `vault-app "
                f"edit {name} --env {env} --expires 90d`; if it never does, replace it with one "
                "that does.",
            )
        )
    if f.broad:
        out.append(
            f.finding(
                "wildcard-scope",
                Severity.WARNING,
                f"{f.who} has the broad scope(s) {', '.join(f.broad)}. Replace it with a token "
                "limited to the scopes it needs, and record them.",
            )
        )
    elif f.unscoped:
        out.append(
            f.finding(
                "wildcard-scope",
                Severity.WARNING,
                f"{f.who} records no scopes, and {f.record.provider} tokens can be limited, so it "
                f"is treated as all-access. Record its scopes (`vault-app edit {name} --env {env} "
                "--scope SCOPE`), or replace it with a narrower token.",
            )
        )


def _lifetime(f: _Facts, out: list[Finding]) -> None:
    limit = f.policy.max_lifetime_days.get(f.record.env)
    if f.expires_at is None or not limit:
        return
    lifetime = (f.expires_at - f.issued).total_seconds()
    if lifetime > limit * 86400:
        out.append(
            f.finding(
                "lifetime-too-long",
                Severity.WARNING,
                f"{f.who} lives {_span_words(lifetime)} from issue to expiry, longer than the "
                f"{limit} days the policy allows in {f.record.env}. When you rotate it, give the "
                f"new token an expiry within {limit} days.",
            )
        )


def _ip_restriction(f: _Facts, out: list[Finding]) -> None:
    if f.record.env in f.policy.require_cidr_envs and not f.record.constraints.cidrs:
        out.append(
            f.finding(
                "no-ip-restriction",
                Severity.WARNING,
                f"{f.who} is not bound to any IP range, which the policy requires in {f.record.env}. "
                "Restrict it to your servers' addresses at the provider and record them with "
                f"`vault-app edit {f.ref.name} --env {f.ref.env} --cidr CIDR`.",
            )
        )


def _environment_mismatch(f: _Facts, out: list[Finding]) -> None:
    hint = f.info.get("environment_hint")
    hint = hint.strip().lower() if isinstance(hint, str) else None
    env = f.record.env
    if hint == "test" and f.prod:
        out.append(
            f.finding(
                "environment-mismatch",
                Severity.WARNING,
                f"{f.who} is a test-mode key filed under production, so {env} is not using live "
                "credentials. Store the live key here and move this one to a test environment.",
            )
        )
    elif hint == "live" and not f.prod:
        out.append(
            f.finding(
                "environment-mismatch",
                Severity.CRITICAL,
                f"{f.who} is a live key filed under {env}, where copies spread to laptops and CI. "
                "Use a test key here and rotate this one; if this is a production environment, add "
                "it to prod_envs in policy.toml.",
            )
        )


def _token_checks(f: _Facts, out: list[Finding]) -> None:
    if f.info.get("checksum_valid") is False:
        out.append(
            f.finding(
                "checksum-invalid",
                Severity.WARNING,
                f"{f.who} fails its provider's checksum, so it was probably mistyped or cut short "
                "when stored. Copy it again from the provider and update the stored value.",
            )
        )
    if f.info.get("unsigned") is True:
        out.append(
            f.finding(
                "unsigned-jwt",
                Severity.CRITICAL,
                f"{f.who} is a JWT with algorithm 'none': anyone can forge one like it. Replace it "
                "with a signed token, and make sure the service rejects unsigned ones.",
            )
        )


def _expiry_agreement(f: _Facts, out: list[Finding]) -> None:
    token = f.token_expiry
    if token is None:
        return
    fix = f"`vault-app edit {f.ref.name} --env {f.ref.env} --expires {_iso(token)}`"
    if f.expires_at is None:
        out.append(
            f.finding(
                "expiry-disagrees-with-token",
                Severity.WARNING,
                f"{f.who} has no expiry recorded, but the token itself says it expires "
                f"{_when(token)}. Record it with {fix}.",
            )
        )
    elif abs((f.expires_at - token).total_seconds()) > _DISAGREE_SECONDS:
        out.append(
            f.finding(
                "expiry-disagrees-with-token",
                Severity.WARNING,
                f"{f.who} is recorded as expiring {_when(f.expires_at)}, but the token itself says "
                f"{_when(token)}. Correct the record with {fix}.",
            )
        )


_RULES: tuple[Callable[[_Facts, list[Finding]], None], ...] = (
    _access,
    _lifetime,
    _ip_restriction,
    _environment_mismatch,
    _token_checks,
    _expiry_agreement,
)


# ---------------------------------------------------------------------------------------------
# Helpers


def _ref(record: Holder) -> RecordRef:
    return RecordRef(record.name, record.env)


def _ref_key(ref: RecordRef) -> tuple[str, str]:
    return (ref.name, ref.env)


def _name(ref: RecordRef) -> str:
    return f"{ref.name} ({ref.env})"


def _names(refs: Sequence[RecordRef]) -> str:
    names = [_name(r) for r in refs]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _aware(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC, so a stray naive value never makes a rule raise."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@lru_cache(maxsize=4096)
def _token_expiry_text(text: str) -> datetime | None:
    if text[-1:] in "Zz":
        text = text[:-1] + "+00:00"
    try:
        return _aware(datetime.fromisoformat(text))
    except (ValueError, OverflowError):
        return None


def _token_expiry(value: object) -> datetime | None:
    """The token's own expiry from token_info (ISO-8601 text); anything unreadable is ignored."""
    if isinstance(value, datetime):
        return _aware(value)
    if not isinstance(value, str) or not value.strip():
        return None
    return _token_expiry_text(value.strip())


def _when(moment: datetime) -> str:
    try:
        m = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return moment.isoformat()
    # By hand: strftime takes twice as long, and a report words thousands of these.
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d} UTC"


def _iso(moment: datetime) -> str:
    try:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError):
        return moment.isoformat()


_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def _span_words(seconds: float) -> str:
    """A duration for people: the largest unit and the next one, e.g. ``2 days 3 hours``."""
    remaining = max(0, int(seconds))
    for i, (_unit, size) in enumerate(_UNITS):
        if remaining >= size or size == 1:
            major, rest = divmod(remaining, size)
            minor = rest // _UNITS[i + 1][1] if i + 1 < len(_UNITS) else 0
            return _span_text(i, major, minor)
    return "0 seconds"  # pragma: no cover - the loop always returns at "second"


@lru_cache(maxsize=4096)
def _span_text(unit_index: int, major: int, minor: int) -> str:
    # A report over 10,000 records words the same few hundred spans thousands of times.
    words = [_plural(major, _UNITS[unit_index][0])]
    if minor:
        words.append(_plural(minor, _UNITS[unit_index + 1][0]))
    return " ".join(words)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"
