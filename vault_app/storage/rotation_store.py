"""Rotation runs and value slots: the SQL behind the staged rotation engine.

Values live in ``secret_values`` under the slots ``current``, ``pending`` and ``previous``; each
ciphertext is bound to its record id and version (not to its slot), so moving a row between
slots needs no re-encryption. Writers take the ``conn`` of an open transaction, so a step's
state, its values and its audit event are committed together.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from vault_app.core.errors import CorruptVaultError
from vault_app.core.secret import Secret
from vault_app.storage.database import Database
from vault_app.storage.envelope import ValueCipher
from vault_app.storage.repository import load_cipher

SLOTS = ("current", "pending", "previous")
ENDED = ("done", "failed", "rolled_back", "lost")


@dataclass(frozen=True, slots=True)
class Run:
    id: str
    token_id: str
    adapter: str
    state: str
    from_version: int
    to_version: int
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None = None
    data: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    message: str = ""

    @property
    def open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class Step:
    seq: int
    at: datetime
    state: str
    detail: str


@dataclass(frozen=True, slots=True)
class SlotInfo:
    slot: str
    version: int
    created_at: datetime


_RUN_COLUMNS = (
    "id, token_id, adapter, state, from_version, to_version, started_at, updated_at, ended_at, "
    "data, message"
)


def _dt(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _run(row: tuple[Any, ...]) -> Run:
    id_, token_id, adapter, state, from_v, to_v, started, updated, ended, data, message = row
    return Run(
        id=id_,
        token_id=token_id,
        adapter=adapter,
        state=state,
        from_version=from_v,
        to_version=to_v,
        started_at=_dt(started),
        updated_at=_dt(updated),
        ended_at=None if ended is None else _dt(ended),
        data=MappingProxyType({str(k): str(v) for k, v in json.loads(data).items()}),
        message=message,
    )


class RotationStore:
    def __init__(self, db: Database, cipher: ValueCipher | None = None) -> None:
        self._db = db
        self._cipher = cipher or load_cipher(db)

    def __repr__(self) -> str:
        return "RotationStore()"

    # -- reading ----------------------------------------------------------------------------
    def open_run(self, token_id: str) -> Run | None:
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM rotation_runs WHERE token_id = ? AND ended_at IS NULL",
            (token_id,),
        )
        return _run(rows[0]) if rows else None

    def open_runs(self) -> list[Run]:
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM rotation_runs WHERE ended_at IS NULL ORDER BY started_at"
        )
        return [_run(r) for r in rows]

    def run(self, run_id: str) -> Run:
        rows = self._db.execute(f"SELECT {_RUN_COLUMNS} FROM rotation_runs WHERE id = ?", (run_id,))
        if not rows:
            raise CorruptVaultError("a rotation run disappeared while it was in use")
        return _run(rows[0])

    def runs_for(self, token_id: str, limit: int = 20) -> list[Run]:
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM rotation_runs WHERE token_id = ? "
            "ORDER BY started_at DESC, rowid DESC LIMIT ?",
            (token_id, int(limit)),
        )
        return [_run(r) for r in rows]

    def steps(self, run_id: str) -> list[Step]:
        rows = self._db.execute(
            "SELECT seq, at, state, detail FROM rotation_steps WHERE run_id = ? ORDER BY seq",
            (run_id,),
        )
        return [Step(seq, _dt(at), state, detail) for seq, at, state, detail in rows]

    def slots(self, token_id: str) -> list[SlotInfo]:
        rows = self._db.execute(
            "SELECT slot, version, created_at FROM secret_values WHERE token_id = ?", (token_id,)
        )
        found = [SlotInfo(slot, version, _dt(at)) for slot, version, at in rows]
        return sorted(found, key=lambda s: SLOTS.index(s.slot))

    def has_slot(self, token_id: str, slot: str) -> bool:
        return any(s.slot == slot for s in self.slots(token_id))

    def open_slot(self, token_id: str, slot: str) -> Secret:
        rows = self._db.execute(
            "SELECT version, nonce, ciphertext FROM secret_values WHERE token_id = ? AND slot = ?",
            (token_id, slot),
        )
        if not rows:
            raise CorruptVaultError(f"the {slot} value of this record is missing")
        version, nonce, ciphertext = rows[0]
        return self._cipher.open(nonce, ciphertext, token_id, version)

    def next_version(self, token_id: str, record_version: int) -> int:
        rows = self._db.execute(
            "SELECT max(version) FROM secret_values WHERE token_id = ?", (token_id,)
        )
        highest = rows[0][0] if rows and rows[0][0] is not None else 0
        runs = self._db.execute(
            "SELECT max(to_version) FROM rotation_runs WHERE token_id = ?", (token_id,)
        )
        used = runs[0][0] if runs and runs[0][0] is not None else 0
        return max(highest, record_version, used) + 1

    def fingerprint(self, value: Secret) -> str:
        return self._cipher.fingerprint(value)

    # -- writing (inside Database.transaction) ----------------------------------------------
    @staticmethod
    def new_run_id() -> str:
        return str(uuid.uuid4())

    def insert_run(self, conn: Any, run: Run) -> None:
        conn.execute(
            f"INSERT INTO rotation_runs ({_RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run.id,
                run.token_id,
                run.adapter,
                run.state,
                run.from_version,
                run.to_version,
                int(run.started_at.timestamp()),
                int(run.updated_at.timestamp()),
                None,
                json.dumps(dict(run.data)),
                run.message,
            ),
        )
        self._step(conn, run.id, run.started_at, run.state, "")

    def set_state(
        self,
        conn: Any,
        run_id: str,
        state: str,
        at: datetime,
        *,
        detail: str = "",
        data: Mapping[str, str] | None = None,
        message: str | None = None,
    ) -> None:
        stamp = int(at.timestamp())
        sets = ["state = ?", "updated_at = ?"]
        params: list[Any] = [state, stamp]
        if state in ENDED:
            sets.append("ended_at = ?")
            params.append(stamp)
        if data is not None:
            sets.append("data = ?")
            params.append(json.dumps(dict(data)))
        if message is not None:
            sets.append("message = ?")
            params.append(message)
        conn.execute(f"UPDATE rotation_runs SET {', '.join(sets)} WHERE id = ?", (*params, run_id))
        self._step(conn, run_id, at, state, detail)

    def _step(self, conn: Any, run_id: str, at: datetime, state: str, detail: str) -> None:
        row = next(
            iter(conn.execute("SELECT max(seq) FROM rotation_steps WHERE run_id = ?", (run_id,)))
        )
        seq = (row[0] or 0) + 1
        conn.execute(
            "INSERT INTO rotation_steps (run_id, seq, at, state, detail) VALUES (?, ?, ?, ?, ?)",
            (run_id, seq, int(at.timestamp()), state, detail),
        )

    def put_pending(
        self, conn: Any, token_id: str, version: int, value: Secret, at: datetime
    ) -> None:
        nonce, ciphertext = self._cipher.seal(value, token_id, version)
        conn.execute(
            "INSERT OR REPLACE INTO secret_values "
            "(token_id, slot, version, nonce, ciphertext, created_at) "
            "VALUES (?, 'pending', ?, ?, ?, ?)",
            (token_id, version, nonce, ciphertext, int(at.timestamp())),
        )

    @staticmethod
    def drop_pending(conn: Any, token_id: str) -> None:
        conn.execute(
            "DELETE FROM secret_values WHERE token_id = ? AND slot = 'pending'", (token_id,)
        )

    @staticmethod
    def promote(conn: Any, token_id: str) -> None:
        """pending -> current, current -> previous (the older previous is dropped)."""
        conn.execute(
            "DELETE FROM secret_values WHERE token_id = ? AND slot = 'previous'", (token_id,)
        )
        conn.execute(
            "UPDATE secret_values SET slot = 'previous' WHERE token_id = ? AND slot = 'current'",
            (token_id,),
        )
        conn.execute(
            "UPDATE secret_values SET slot = 'current' WHERE token_id = ? AND slot = 'pending'",
            (token_id,),
        )

    @staticmethod
    def swap_previous(conn: Any, token_id: str) -> None:
        """previous <-> current (a rollback); needs the pending slot free."""
        for old, new in (("current", "pending"), ("previous", "current"), ("pending", "previous")):
            conn.execute(
                "UPDATE secret_values SET slot = ? WHERE token_id = ? AND slot = ?",
                (new, token_id, old),
            )
