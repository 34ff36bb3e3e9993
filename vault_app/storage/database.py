"""The SQLCipher database: opening with a raw key, telling failures apart, numbered migrations.

This is the only module that imports ``sqlcipher3``.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

from vault_app.core.errors import CorruptVaultError, VaultError, VaultMissingError
from vault_app.securefs import tighten

SQLITE_MAGIC = b"SQLite format 3\x00"
_MIGRATION_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")
PAGE_CACHE_KIB = 32 * 1024
BUSY_TIMEOUT_MS = 5000
#: The page format of new vaults. 16 KiB pages: a listing of 10,000 records reads a quarter as
#: many pages (each one authenticated and decrypted). HMAC-SHA256 for page authentication: with
#: the SHA extensions of current CPUs it costs a third of SQLCipher's default HMAC-SHA512, at the
#: same 256-bit key and a 256-bit tag. Both are SQLCipher 4 settings, recorded in the key file.
NEW_PAGE_SIZE = 16384
NEW_PAGE_HMAC = "HMAC_SHA256"
_PAGE_HMACS = ("HMAC_SHA256", "HMAC_SHA512")

DatabaseError = sqlcipher3.DatabaseError


MIGRATIONS = Path(__file__).with_name("migrations")


def migration_numbers() -> list[int]:
    """The numbered schema steps shipped beside this module, in order.

    A plain folder listing: importlib.resources costs ~25 ms of imports on every command, and
    the package is always installed unzipped.
    """
    found = (_MIGRATION_NAME.fullmatch(name) for name in os.listdir(MIGRATIONS))
    return sorted(int(m.group(1)) for m in found if m)


def migration_script(number: int) -> str:
    for name in os.listdir(MIGRATIONS):
        if name.startswith(f"{number:04d}_") and _MIGRATION_NAME.fullmatch(name):
            return (MIGRATIONS / name).read_text(encoding="utf-8")
    raise FileNotFoundError(number)


class Database:
    """One open, unlocked vault database."""

    def __init__(self, conn: Any, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def create(
        cls,
        path: Path,
        key: bytes,
        *,
        page_size: int,
        page_hmac: str,
    ) -> Database:
        if path.exists():
            raise VaultError(f"a vault already exists at {path.parent}")
        conn = _connect(path, key, create=True, page_size=page_size, page_hmac=page_hmac)
        _tune(conn)
        db = cls(conn, path)
        db.migrate()
        db.tighten_files()
        return db

    @classmethod
    def open(cls, path: Path, key: bytes, *, page_size: int, page_hmac: str) -> Database:
        """Open an existing vault; a wrong key, a damaged or a foreign file changes nothing.

        ``page_size`` and ``page_hmac`` are the ones it was created with (from the key file)."""
        if not path.exists():
            raise VaultMissingError(f"no vault at {path.parent} (create one with `vault-app init`)")
        _check_header(path, page_size)
        conn = _connect(path, key, create=False, page_size=page_size, page_hmac=page_hmac)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            conn.close()
            raise CorruptVaultError(
                f"cannot decrypt {path.name}: the file is damaged, or the key does not belong to "
                "this vault"
            ) from None
        db = cls(conn, path)
        if db.schema_version() == 0:
            conn.close()
            raise CorruptVaultError(
                f"{path.name} is an encrypted database, but not a Vault App vault"
            )
        try:
            _tune(conn)
            db.migrate()
        except sqlcipher3.DatabaseError:
            conn.close()
            raise CorruptVaultError(f"{path.name} is damaged") from None
        except VaultError:
            conn.close()
            raise
        db.tighten_files()
        return db

    def tighten_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            tighten(self.path.with_name(self.path.name + suffix))

    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        current = self.schema_version()
        steps = migration_numbers()
        latest = steps[-1] if steps else 0
        if current > latest:
            raise VaultError(
                f"this vault was written by a newer Vault App (schema {current}); upgrade to open it"
            )
        for number in steps:
            if number <= current:
                continue
            script = migration_script(number)
            # executescript commits on its own; wrap the step so that it applies whole or not at all.
            self._conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that see one state of the vault: no writer's commit lands between them."""
        conn = self._conn
        try:
            conn.execute("BEGIN")
        except sqlcipher3.DatabaseError as exc:
            raise _translate(exc, self.path) from None
        try:
            yield
        finally:
            with contextlib.suppress(sqlcipher3.Error):
                conn.execute("COMMIT")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        """A write transaction that takes the lock up front, so concurrent writers wait, not fail."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlcipher3.DatabaseError as exc:
            raise _translate(exc, self.path) from None
        try:
            yield conn
        except sqlcipher3.DatabaseError as exc:
            with contextlib.suppress(sqlcipher3.Error):
                conn.execute("ROLLBACK")
            raise _translate(exc, self.path) from None
        except BaseException:
            with contextlib.suppress(sqlcipher3.Error):
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlcipher3.DatabaseError as exc:
            with contextlib.suppress(sqlcipher3.Error):
                conn.execute("ROLLBACK")
            raise _translate(exc, self.path) from None

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[Any]:
        """Run a read and return all rows, so that a damaged page fails here, as a clear error."""
        try:
            return list(self._conn.execute(sql, params).fetchall())
        except sqlcipher3.DatabaseError as exc:
            raise _translate(exc, self.path) from None

    def close(self) -> None:
        with contextlib.suppress(sqlcipher3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()


def _translate(exc: Exception, path: Path) -> VaultError:
    """One clear error for a database failure; the driver's text never reaches the user."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return VaultError("the vault is busy (another Vault App process is writing); try again")
    if isinstance(exc, sqlcipher3.IntegrityError):
        return VaultError("the change conflicts with a record already stored; nothing was written")
    if "readonly" in text or "read-only" in text:
        return VaultError(f"cannot write to {path.parent}: the folder or file is read-only")
    if "disk" in text and "full" in text:
        return VaultError("the disk is full; nothing was written")
    return CorruptVaultError(f"{path.name} is damaged (a page failed to decrypt or is missing)")


def _check_header(path: Path, page_size: int) -> None:
    with path.open("rb") as handle:
        head = handle.read(1024)
    if head.startswith(SQLITE_MAGIC):
        raise CorruptVaultError(
            f"{path.name} is a plain, unencrypted SQLite database, not a Vault App vault"
        )
    size = path.stat().st_size
    if len(head) < 1024 or size % page_size:
        # SQLCipher writes whole pages: any other size is a cut-off file.
        raise CorruptVaultError(f"{path.name} is truncated or not a Vault App vault")


def _connect(path: Path, key: bytes, *, create: bool, page_size: int, page_hmac: str) -> Any:
    if len(key) != 32:
        raise CorruptVaultError("the vault key has the wrong length")
    if page_hmac not in _PAGE_HMACS or page_size not in {1 << n for n in range(9, 17)}:
        raise CorruptVaultError("the vault's page format is not one Vault App writes")
    mode = "rwc" if create else "rw"
    try:
        conn = sqlcipher3.connect(
            f"file:{path}?mode={mode}", uri=True, isolation_level=None, check_same_thread=False
        )
    except sqlcipher3.OperationalError:
        raise VaultError(
            f"cannot open {path}: check that the folder exists and is writable"
        ) from None
    conn.execute("PRAGMA cipher_log_level = NONE")
    # A raw key: no PBKDF2 on every open; the key is already 256 random bits.
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute(f"PRAGMA cipher_page_size = {int(page_size)}")
    conn.execute(f"PRAGMA cipher_hmac_algorithm = {page_hmac}")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    return conn


def _tune(conn: Any) -> None:
    """After the file has proved readable (this pragma reads the header)."""
    conn.execute("PRAGMA journal_mode = WAL")
    # Room for a big vault's listing (~1 KB a record) so that no page is decrypted twice in one
    # read; SQLite takes the memory only as pages are read.
    conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
