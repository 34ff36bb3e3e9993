"""The audit log: events hash-chained inside the encrypted database.

Each event's hash covers the previous hash and the event's own fields, and the head of the chain
(last sequence number and hash) is kept in ``meta``. Editing an event breaks its hash; deleting
or reordering events breaks the links; cutting events off the end disagrees with the head.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEvent:
    seq: int
    at: datetime
    action: str
    name: str | None
    env: str | None
    detail: str

    def to_json(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "at": self.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "action": self.action,
            "name": self.name,
            "env": self.env,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class AuditVerification:
    ok: bool
    events: int
    problems: tuple[str, ...]


def _digest(
    prev: str, seq: int, at: int, action: str, name: str | None, env: str | None, detail: str
) -> str:
    body = json.dumps([seq, at, action, name, env, detail], separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()


def append(
    conn: Any,
    at: datetime,
    action: str,
    name: str | None = None,
    env: str | None = None,
    detail: str = "",
) -> None:
    """Append an event; call inside the write transaction of the change it records."""
    head = _first(conn.execute("SELECT value FROM meta WHERE key = 'audit_head'"))
    seq, prev = (0, GENESIS) if head is None else _parse_head(head[0])
    seq += 1
    stamp = int(at.timestamp())
    digest = _digest(prev, seq, stamp, action, name, env, detail)
    conn.execute(
        "INSERT INTO audit (seq, at, action, name, env, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, stamp, action, name, env, detail, prev, digest),
    )
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)", (f"{seq}:{digest}",)
    )


def _first(rows: Any) -> Any:
    """First row of a cursor or a list, or None: works inside and outside a transaction."""
    return next(iter(rows), None)


def _parse_head(value: object) -> tuple[int, str]:
    text = value.decode() if isinstance(value, bytes) else str(value)
    seq, _, digest = text.partition(":")
    return int(seq), digest


def events(conn: Any, limit: int | None = None) -> list[AuditEvent]:
    sql = "SELECT seq, at, action, name, env, detail FROM audit ORDER BY seq"
    if limit is not None:
        sql = f"SELECT * FROM ({sql} DESC LIMIT {int(limit)}) ORDER BY seq"
    return [
        AuditEvent(seq, datetime.fromtimestamp(at, UTC), action, name, env, detail)
        for seq, at, action, name, env, detail in conn.execute(sql)
    ]


def events_for(conn: Any, name: str, env: str, limit: int) -> list[AuditEvent]:
    rows = conn.execute(
        "SELECT seq, at, action, name, env, detail FROM "
        "(SELECT * FROM audit WHERE name = ? AND env = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq",
        (name, env, int(limit)),
    )
    return [
        AuditEvent(seq, datetime.fromtimestamp(at, UTC), action, name_, env_, detail)
        for seq, at, action, name_, env_, detail in rows
    ]


def verify(conn: Any) -> AuditVerification:
    problems: list[str] = []
    expected_seq, prev = 1, GENESIS
    count = 0
    rows = conn.execute(
        "SELECT seq, at, action, name, env, detail, prev_hash, hash FROM audit ORDER BY rowid"
    )
    for seq, at, action, name, env, detail, prev_hash, digest in rows:
        count += 1
        if seq != expected_seq:
            problems.append(f"event {expected_seq}: missing (the next event found is {seq})")
        if prev_hash != prev:
            problems.append(
                f"event {seq}: does not follow the event before it (deleted or reordered)"
            )
        if _digest(prev_hash, seq, at, action, name, env, detail) != digest:
            problems.append(f"event {seq}: its contents were changed after it was written")
        expected_seq, prev = seq + 1, digest
    head = _first(conn.execute("SELECT value FROM meta WHERE key = 'audit_head'"))
    if head is not None:
        head_seq, head_hash = _parse_head(head[0])
        if head_seq != expected_seq - 1 or head_hash != prev:
            problems.append(
                f"the log ends at event {expected_seq - 1}, but event {head_seq} was the last "
                "one written (events were removed from the end)"
            )
    elif count:
        problems.append("the log's head record is missing")
    return AuditVerification(ok=not problems, events=count, problems=tuple(problems))
