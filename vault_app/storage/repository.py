"""Maps rows to core records and back. Lists read metadata only; values are opened one at a time."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from vault_app.core.errors import CorruptVaultError
from vault_app.core.model import Constraints, Source, TokenId, TokenRecord
from vault_app.core.secret import Secret
from vault_app.storage.database import Database
from vault_app.storage.envelope import ValueCipher

_COLUMNS = (
    "id, name, env, provider, kind, fingerprint, created_at, updated_at, expires_at, not_before, "
    "last_rotated_at, rotate_every_days, scopes, cidrs, countries, endpoints, resources, tags, "
    "notes, version, sources, token_info, provider_options"
)


def _ts(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _dt(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


# Rows repeat the same JSON texts ('[]', the same scopes, the same sources) thousands of times;
# decoding each distinct text once makes listing 10,000 records several times faster. The
# results are immutable (tuples, read-only mappings), so sharing them between records is safe.
@lru_cache(maxsize=16384)
def _tuple(text: str) -> tuple[str, ...]:
    return () if text == "[]" else tuple(json.loads(text))


@lru_cache(maxsize=4096)
def _sources(text: str) -> Mapping[str, Source]:
    return MappingProxyType({k: Source(v) for k, v in json.loads(text).items()})


@lru_cache(maxsize=16384)
def _mapping(text: str) -> Mapping[str, Any]:
    return MappingProxyType(json.loads(text))


def _row_to_record(row: tuple[Any, ...]) -> TokenRecord:
    (
        id_,
        name,
        env,
        provider,
        kind,
        fingerprint,
        created,
        updated,
        expires,
        not_before,
        rotated,
        rotate_every,
        scopes,
        cidrs,
        countries,
        endpoints,
        resources,
        tags,
        notes,
        version,
        sources,
        token_info,
        provider_options,
    ) = row
    return TokenRecord(
        id=TokenId(id_),
        name=name,
        env=env,
        provider=provider,
        kind=kind,
        fingerprint=fingerprint,
        created_at=datetime.fromtimestamp(created, UTC),
        updated_at=datetime.fromtimestamp(updated, UTC),
        expires_at=_dt(expires),
        not_before=_dt(not_before),
        last_rotated_at=_dt(rotated),
        rotate_every_days=rotate_every,
        constraints=Constraints(
            scopes=_tuple(scopes),
            cidrs=_tuple(cidrs),
            countries=_tuple(countries),
            endpoints=_tuple(endpoints),
            resources=_tuple(resources),
        ),
        tags=_tuple(tags),
        notes=notes,
        version=version,
        sources=_sources(sources),
        token_info=_mapping(token_info),
        provider_options=_mapping(provider_options),
    )


def _record_params(r: TokenRecord) -> tuple[Any, ...]:
    dumps = json.dumps
    c = r.constraints
    return (
        r.id,
        r.name,
        r.env,
        r.provider,
        r.kind,
        r.fingerprint,
        _ts(r.created_at),
        _ts(r.updated_at),
        _ts(r.expires_at),
        _ts(r.not_before),
        _ts(r.last_rotated_at),
        r.rotate_every_days,
        dumps(list(c.scopes)),
        dumps(list(c.cidrs)),
        dumps(list(c.countries)),
        dumps(list(c.endpoints)),
        dumps(list(c.resources)),
        dumps(list(r.tags)),
        r.notes,
        r.version,
        dumps({k: str(v) for k, v in r.sources.items()}),
        dumps(dict(r.token_info)),
        dumps(dict(r.provider_options)),
    )


class TokenRepository:
    """Reads and writes token records inside one :class:`Database`."""

    def __init__(self, db: Database, cipher: ValueCipher) -> None:
        self._db = db
        self._cipher = cipher

    @staticmethod
    def new_id() -> TokenId:
        return TokenId(str(uuid.uuid4()))

    def fingerprint(self, value: Secret) -> str:
        return self._cipher.fingerprint(value)

    # -- reading metadata ------------------------------------------------------------------
    def all(self, env: str | None = None) -> list[TokenRecord]:
        sql = f"SELECT {_COLUMNS} FROM tokens"
        params: tuple[Any, ...] = ()
        if env is not None:
            sql += " WHERE env = ?"
            params = (env,)
        sql += " ORDER BY name, env"
        return [_row_to_record(row) for row in self._db.execute(sql, params)]

    def find(self, name: str, env: str | None = None) -> list[TokenRecord]:
        sql = f"SELECT {_COLUMNS} FROM tokens WHERE name = ?"
        params: tuple[Any, ...] = (name,)
        if env is not None:
            sql += " AND env = ?"
            params += (env,)
        return [_row_to_record(row) for row in self._db.execute(sql + " ORDER BY env", params)]

    def by_ids(self, ids: Sequence[str]) -> list[TokenRecord]:
        """The records with these ids (any order); unknown ids are skipped."""
        out: list[TokenRecord] = []
        for start in range(0, len(ids), 500):  # under SQLite's limit on bound parameters
            chunk = tuple(ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM tokens WHERE id IN ({marks})", chunk)
            out.extend(_row_to_record(row) for row in rows)
        return out

    def with_fingerprint(self, fingerprint: str) -> list[TokenRecord]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM tokens WHERE fingerprint = ?", (fingerprint,)
        )
        return [_row_to_record(row) for row in rows]

    def environments(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT DISTINCT env FROM tokens ORDER BY env")]

    # -- writing (call inside Database.transaction) ---------------------------------------
    def insert(self, conn: Any, record: TokenRecord, value: Secret) -> None:
        conn.execute(
            f"INSERT INTO tokens ({_COLUMNS}) VALUES ({', '.join('?' * 23)})",
            _record_params(record),
        )
        self._store_value(conn, record, value, _ts(record.updated_at) or 0)

    def update(self, conn: Any, record: TokenRecord, value: Secret | None) -> None:
        params = _record_params(record)
        assignments = ", ".join(f"{col.strip()} = ?" for col in _COLUMNS.split(",")[1:])
        conn.execute(f"UPDATE tokens SET {assignments} WHERE id = ?", (*params[1:], params[0]))
        if value is not None:
            self._store_value(conn, record, value, _ts(record.updated_at) or 0)

    def delete(self, conn: Any, record: TokenRecord) -> None:
        conn.execute("DELETE FROM tokens WHERE id = ?", (record.id,))

    def _store_value(self, conn: Any, record: TokenRecord, value: Secret, at: int) -> None:
        nonce, ciphertext = self._cipher.seal(value, record.id, record.version)
        conn.execute(
            "INSERT OR REPLACE INTO secret_values "
            "(token_id, slot, version, nonce, ciphertext, created_at) "
            "VALUES (?, 'current', ?, ?, ?, ?)",
            (record.id, record.version, nonce, ciphertext, at),
        )

    # -- the one place a value is decrypted -----------------------------------------------
    def open_value(self, record: TokenRecord, slot: str = "current") -> Secret:
        rows = self._db.execute(
            "SELECT version, nonce, ciphertext FROM secret_values WHERE token_id = ? AND slot = ?",
            (record.id, slot),
        )
        if not rows:
            raise CorruptVaultError(f"the value of {record.name} ({record.env}) is missing")
        version, nonce, ciphertext = rows[0]
        return self._cipher.open(nonce, ciphertext, record.id, version)


def load_cipher(db: Database) -> ValueCipher:
    """The per-vault data keys, kept inside the encrypted database; created on first use."""
    rows = dict(
        db.execute("SELECT key, value FROM meta WHERE key IN ('value_key', 'fingerprint_key')")
    )
    if len(rows) != 2:
        with db.transaction() as conn:
            rows = {"value_key": os.urandom(32), "fingerprint_key": os.urandom(32)}
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", list(rows.items()))
    return ValueCipher(bytes(rows["value_key"]), bytes(rows["fingerprint_key"]))
