"""``list --json`` for a big vault: kept per-record views plus what changes with the clock.

Building the JSON of 10,000 records from scratch (decode every row, run every health rule,
encode) costs several hundred milliseconds per command. Most of it does not change between two
calls, so each record's static members and static findings are kept in the database
(``record_views``) and only the rest is worked out per call: seconds left, status, the findings
that move with the clock, and reuse (judged from the few records that share a fingerprint).

The output is the same as building each object with :func:`views.record_json` from a full health
report; ``tests/test_listing.py`` holds the two paths to that. A view is keyed by what it was
built with (this format, the code of the modules that shape it, the policy), so changing either
rebuilds the views on the next list; a changed record loses its view through a trigger.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum, EnumType
from functools import lru_cache
from types import CodeType, FunctionType

from vault_app.core import health as health_rules
from vault_app.core import model, validate
from vault_app.core import policy as policy_rules
from vault_app.core.health import (
    Finding,
    Severity,
    epoch_us,
    reuse_findings,
    static_findings,
    timed_findings,
)
from vault_app.core.model import RecordRef, TokenId, TokenRecord, status_for, whole_seconds
from vault_app.core.policy import Policy
from vault_app.services import views
from vault_app.services.views import compact, finding_json
from vault_app.storage import repository
from vault_app.storage.database import Database
from vault_app.storage.repository import TokenRepository
from vault_app.storage.view_store import OpenRow, View, ViewStore

#: Bump when the stored parts change shape in a way the code digest would not show.
VIEW_FORMAT = 1


def list_json(
    db: Database, repo: TokenRepository, policy: Policy, now: datetime, env: str | None = None
) -> bytes:
    """The JSON array of ``list --json`` (compact, UTF-8), for all records or those of ``env``."""
    wanted = validate.environment(env) if env else None
    key = view_key(policy)
    store = ViewStore(db)
    now_us = epoch_us(now)

    def listing() -> bytes:
        rows = store.listing(
            key,
            wanted,
            now_us=now_us,
            within=policy.expiring_within_seconds,
            default_days=policy.default_rotation_days,
        )
        return b"[" + b",".join(_objects(rows, store, key, policy, now_us)) + b"]"

    # Every read of one listing in one snapshot: a record edited meanwhile is listed as it was
    # or as it is, never left out because its view was dropped between two reads.
    with db.snapshot():
        if store.complete(key):
            return listing()
    # Build the missing views under the write lock, and list inside it: no writer slips in.
    with db.transaction() as conn:
        records = sorted(repo.by_ids(store.missing(key)), key=lambda r: (r.name, r.env))
        # Stored in list order, so that reading them in that order reads pages in turn.
        store.save(conn, key, build_views(records, policy))
        return listing()


def build_views(records: Iterable[TokenRecord], policy: Policy) -> list[View]:
    out = []
    for r in records:
        head, mid, tail = views.static_parts(r)
        findings = sorted(static_findings(r, policy), key=_finding_order)
        issued = r.last_rotated_at or r.created_at
        out.append(
            View(
                r.id,
                r.name,
                r.env,
                None if r.expires_at is None else epoch_us(r.expires_at) // 1_000_000,
                epoch_us(issued) // 1_000_000,
                int(r.last_rotated_at is not None),
                r.rotate_every_days,
                head,
                mid,
                tail,
                compact([finding_json(f) for f in findings]),
            )
        )
    return out


def _objects(
    rows: Sequence[tuple[bytes | None, TokenId]],
    store: ViewStore,
    key: str,
    policy: Policy,
    now_us: int,
) -> list[bytes]:
    """Each record's JSON object: as SQL finished it, or finished here when it needs more."""
    open_ids = [token_id for text, token_id in rows if text is None]
    if not open_ids:
        return [text for text, _ in rows]  # type: ignore[misc]
    opened = store.open_rows(key, open_ids)
    shared = store.shared()
    reused: dict[TokenId, str] = {}
    extra: dict[TokenId, list[Finding]] = defaultdict(list)
    if shared:
        for token_id, refs in health_rules.reused_map(shared).items():
            reused[token_id] = compact([{"name": r.name, "env": r.env} for r in refs])
        by_ref = {RecordRef(h.name, h.env): h.id for h in shared}
        for finding in reuse_findings(shared, policy):
            for ref in finding.tokens:
                extra[by_ref[ref]].append(finding)
    return [
        text
        if text is not None
        else _finish(opened[token_id], reused, extra, policy, now_us).encode()
        for text, token_id in rows
    ]


def _finish(
    row: OpenRow,
    reused: dict[TokenId, str],
    extra: dict[TokenId, list[Finding]],
    policy: Policy,
    now_us: int,
) -> str:
    token_id, name, env, expires, issued, rotated, every, head, mid, tail, kept = row
    seconds = None if expires is None else whole_seconds(expires * 1_000_000 - now_us)
    left = "null" if seconds is None else str(seconds)
    status = status_for(seconds, policy.expiring_within_seconds)
    more = [
        *extra.get(token_id, ()),
        *timed_findings(
            RecordRef(name, env),
            policy,
            now_us,
            expires_us=None if expires is None else expires * 1_000_000,
            issued_us=issued * 1_000_000,
            rotate_every_days=every,
            rotated=bool(rotated),
        ),
    ]
    findings = kept
    if more:
        merged = json.loads(kept) + [finding_json(f) for f in more]
        merged.sort(key=lambda f: (-Severity(f["severity"]).rank, f["code"]))
        findings = compact(merged)
    return (
        f'{{{head},"seconds_left":{left},"status":"{status}",{mid},'
        f'"reused_in":{reused.get(token_id, "[]")},"findings":{findings},{tail}}}'
    )


def _finding_order(finding: Finding) -> tuple[int, str]:
    return (-finding.severity.rank, finding.code)


def view_key(policy: Policy) -> str:
    """What a stored view was built with: its format, the code that shapes it, and the policy."""
    digest = hashlib.sha256(_code_digest())
    digest.update(repr(policy).encode())
    return digest.hexdigest()[:32]


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    # The code of every function in the modules that shape a view (messages are constants in
    # it), their constants and enums: editing a rule, a message or a threshold invalidates what
    # was kept, mechanically.
    digest = hashlib.sha256(f"format {VIEW_FORMAT}".encode())
    for module in (health_rules, policy_rules, model, views, repository, sys.modules[__name__]):
        for name, obj in sorted(vars(module).items()):
            _digest_object(digest, f"{module.__name__}.{name}", obj, module.__name__)
    return digest.digest()


_CONSTANTS = (int, float, str, bytes, bool, type(None), tuple, frozenset, timedelta)


def _digest_object(digest: hashlib._Hash, name: str, obj: object, module: str) -> None:
    fn = _function_of(obj)
    if fn is not None:
        if fn.__module__ == module:
            digest.update(name.encode())
            _digest_code(digest, fn.__code__)
    elif isinstance(obj, EnumType) and obj.__module__ == module:
        members: Mapping[str, Enum] = obj.__members__
        digest.update(f"{name}={[(k, m.value) for k, m in members.items()]!r}".encode())
    elif isinstance(obj, type) and obj.__module__ == module:
        for attr, value in sorted(vars(obj).items()):
            if not attr.startswith("__"):
                _digest_object(digest, f"{name}.{attr}", value, module)
    elif isinstance(obj, _CONSTANTS):
        digest.update(f"{name}={_stable_repr(obj)}".encode())


def _function_of(obj: object) -> FunctionType | None:
    """The plain function behind a method, property, cached property or cached function."""
    for attribute in ("__func__", "fget", "func", "__wrapped__"):
        inner = getattr(obj, attribute, None)
        if inner is not None and inner is not obj:
            return _function_of(inner)
    return obj if isinstance(obj, FunctionType) else None


def _stable_repr(value: object) -> str:
    """A repr that is the same in every process: a frozenset's order follows string hashing,
    and an object's default repr holds its address."""
    if isinstance(value, frozenset):
        return repr(sorted(_stable_repr(v) for v in value))
    if isinstance(value, tuple):
        return "(" + ", ".join(_stable_repr(v) for v in value) + ")"
    if isinstance(value, (int, float, str, bytes, bool, type(None), timedelta)):
        return repr(value)
    return f"<{type(value).__qualname__} {getattr(value, '__qualname__', '')}>"


def _digest_code(digest: hashlib._Hash, code: CodeType) -> None:
    digest.update(code.co_code)
    digest.update(" ".join(code.co_names).encode())
    for const in code.co_consts:
        if isinstance(const, CodeType):
            _digest_code(digest, const)
        else:
            digest.update(_stable_repr(const).encode())
