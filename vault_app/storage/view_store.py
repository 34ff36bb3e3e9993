"""The kept listing form of each record (table ``record_views``, migration 0004).

A view is valid for one key (what it was built with) and is dropped by a trigger whenever its
record's row changes, so a reader never sees a view older than its record, and a view exists only
for a record that exists: when the views under a key are as many as the records, every record has
one. ``list`` then reads this table alone, in the order of its (name, env) index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from vault_app.core.model import TokenId
from vault_app.storage.database import Database

#: A record whose JSON object SQL could not finish: what the caller needs to finish it.
OpenRow = tuple[
    TokenId,  # token_id
    str,  # name
    str,  # env
    int | None,  # expires_at (epoch seconds)
    int,  # issued_at: last rotation, else creation
    int,  # rotated: 1 when last_rotated_at is set
    int | None,  # rotate_every_days
    str,  # head
    str,  # mid
    str,  # tail
    str,  # findings
]


class SharedRecord(NamedTuple):
    """A record whose value is stored in another record as well (same fingerprint)."""

    id: TokenId
    name: str
    env: str
    fingerprint: str


class View(NamedTuple):
    token_id: TokenId
    name: str
    env: str
    expires_at: int | None
    issued_at: int
    rotated: int
    rotate_every_days: int | None
    head: str
    mid: str
    tail: str
    findings: str


_SHARED_IDS = (
    "SELECT id FROM tokens WHERE fingerprint IN (SELECT fingerprint FROM tokens "
    "WHERE fingerprint != '' GROUP BY fingerprint HAVING count(*) > 1)"
)

# A record needs the caller when the clock may raise a finding (expiring within the policy's
# window, already expired, rotation due) or its value is shared; every other one is finished here,
# in C: seconds left truncated toward zero (SQLite's integer division, as model.whole_seconds),
# and the status worked out from it as model.status_for does.
_NEEDS = (
    "(expires_at IS NOT NULL"
    "     AND (expires_at * 1000000 <= :now_us OR expires_at * 1000000 - :now_us < :within_us))"
    " OR (coalesce(rotate_every_days, :default_days) > 0"
    "     AND :now_us - issued_at * 1000000 > coalesce(rotate_every_days, :default_days) * 86400000000)"
    f" OR token_id IN ({_SHARED_IDS})"
)
_LEFT = "((expires_at * 1000000 - :now_us) / 1000000)"
_STATUS = (
    f"CASE WHEN expires_at IS NULL THEN 'no-expiry' WHEN {_LEFT} <= 0 THEN 'expired' "
    f"WHEN {_LEFT} < :within THEN 'expiring' ELSE 'ok' END"
)
# concat() (SQLite 3.44+) builds each object in one allocation; printf() grows its buffer a few
# times (~1/3 slower here) but is in every SQLite a vault may be opened with.
_TEXT_CONCAT = (
    f"concat('{{', head, ',\"seconds_left\":', ifnull({_LEFT}, 'null'), ',\"status\":\"', "
    f"{_STATUS}, '\",', mid, ',\"reused_in\":[],\"findings\":', findings, ',', tail, '}}')"
)
_TEXT_PRINTF = (
    'printf(\'{%s,"seconds_left":%s,"status":"%s",%s,"reused_in":[],"findings":%s,%s}\', '
    f"head, ifnull({_LEFT}, 'null'), {_STATUS}, mid, findings, tail)"
)


def _listing_sql(text: str) -> str:
    # As a BLOB: the UTF-8 bytes as stored, with no decoding into str and encoding back out.
    # `+key`: not through the key index, so SQLite walks the (name, env) index, which is the
    # list's order, and sorts nothing.
    return (
        f"SELECT CASE WHEN {_NEEDS} THEN NULL ELSE CAST({text} AS BLOB) END, token_id "
        "FROM record_views WHERE +key = :key"
    )


_LISTING_CONCAT = _listing_sql(_TEXT_CONCAT)
_LISTING_PRINTF = _listing_sql(_TEXT_PRINTF)


class ViewStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        version = str(db.execute("SELECT sqlite_version()")[0][0])
        self._listing_sql = _LISTING_CONCAT if _version(version) >= (3, 44) else _LISTING_PRINTF

    def complete(self, key: str) -> bool:
        """True when every record has a view under ``key`` (two index counts, no row read)."""
        rows = self._db.execute(
            "SELECT (SELECT count(*) FROM tokens), "
            "(SELECT count(*) FROM record_views WHERE key = ?)",
            (key,),
        )
        tokens, views = rows[0]
        return bool(tokens == views)

    def missing(self, key: str) -> list[TokenId]:
        rows = self._db.execute(
            "SELECT id FROM tokens WHERE id NOT IN "
            "(SELECT token_id FROM record_views WHERE key = ?)",
            (key,),
        )
        return [row[0] for row in rows]

    def listing(
        self,
        key: str,
        env: str | None,
        *,
        now_us: int,
        within: int,
        default_days: int | None,
    ) -> list[tuple[bytes | None, TokenId]]:
        """Each view under ``key`` (of ``env``) in list order (name, then environment), as
        (JSON object in UTF-8, token id); None where the record needs :meth:`open_rows`."""
        params = {
            "key": key,
            "now_us": now_us,
            "within": within,
            "within_us": within * 1_000_000,
            "default_days": default_days,
            "env": env,
        }
        where = "" if env is None else " AND env = :env"
        return self._db.execute(self._listing_sql + where + " ORDER BY name, env", params)

    def open_rows(self, key: str, ids: Sequence[TokenId]) -> dict[TokenId, OpenRow]:
        """What finishing these records' objects takes, by token id (through the key index)."""
        out: dict[TokenId, OpenRow] = {}
        for start in range(0, len(ids), 500):  # under SQLite's limit on bound parameters
            chunk = tuple(ids[start : start + 500])
            rows = self._db.execute(
                "SELECT token_id, name, env, expires_at, issued_at, rotated, rotate_every_days, "
                f"head, mid, tail, findings FROM record_views WHERE key = ? AND token_id IN "
                f"({', '.join('?' * len(chunk))})",
                (key, *chunk),
            )
            out.update((row[0], row) for row in rows)
        return out

    def shared(self) -> list[SharedRecord]:
        """The records whose fingerprint another record has too (usually few)."""
        rows = self._db.execute(
            "SELECT id, name, env, fingerprint FROM tokens WHERE id IN (" + _SHARED_IDS + ")"
        )
        return [SharedRecord._make(row) for row in rows]

    def save(self, conn: Any, key: str, views: Iterable[View]) -> None:
        """Store views built under ``key`` (call inside the transaction that read their records)."""
        conn.executemany(
            "INSERT OR REPLACE INTO record_views (token_id, key, name, env, expires_at, issued_at,"
            " rotated, rotate_every_days, head, mid, tail, findings) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((v[0], key, *v[1:]) for v in views),
        )


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2] if part.isdigit())
