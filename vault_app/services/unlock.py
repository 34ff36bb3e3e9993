"""Getting the database key: the keyring first, then a passphrase from the caller's sources.

A failed unlock cannot write to the encrypted database, so it is counted in a small non-secret
file beside it and reported (and audited) on the next successful unlock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from vault_app.core.errors import (
    CorruptVaultError,
    NoUnlockSourceError,
    UnlockError,
    VaultMissingError,
    WrongPassphraseError,
)
from vault_app.core.secret import Secret
from vault_app.keystore import os_keyring, passphrase
from vault_app.keystore.keyfile import KeyFile
from vault_app.securefs import write_private
from vault_app.services.home import VaultHome
from vault_app.storage.database import Database

#: Asked for a passphrase only when the keyring did not open the vault; returns None when the
#: caller has no way to get one (no file, no variable, no terminal).
PassphraseSource = Callable[[], Secret | None]


@dataclass(frozen=True, slots=True)
class Unlocked:
    db: Database
    keyfile: KeyFile
    key: bytes
    method: str  # "keyring" | "passphrase"

    def __repr__(self) -> str:
        return f"Unlocked(method={self.method!r}, vault_id={self.keyfile.vault_id!r})"


def unlock(
    home: VaultHome, ask_passphrase: PassphraseSource, *, use_keyring: bool = True, now: datetime
) -> Unlocked:
    if not home.keyfile.exists():
        if home.database.exists():
            raise CorruptVaultError(f"the key file {home.keyfile.name} is missing from {home.root}")
        raise VaultMissingError(f"no vault at {home.root} (create one with `vault-app init`)")
    keyfile = KeyFile.load(home.keyfile)
    if not home.database.exists():
        raise CorruptVaultError(f"the database {home.database.name} is missing from {home.root}")
    keyring_error: UnlockError | None = None
    if keyfile.keyring and use_keyring:
        key = os_keyring.load(keyfile.vault_id)
        if key is not None:
            try:
                return Unlocked(_open(home, keyfile, key), keyfile, key, "keyring")
            except CorruptVaultError as exc:
                keyring_error = exc
    if keyfile.passphrase is None:
        if keyring_error:
            raise keyring_error
        raise NoUnlockSourceError(
            "this vault's key is kept only in the OS keyring, and the keyring has no key for it "
            f"here ({os_keyring.status().reason})"
        )
    secret = ask_passphrase()
    if secret is None:
        raise NoUnlockSourceError(
            "a passphrase is needed: run in a terminal, or use --passphrase-file FILE, "
            "or set VAULT_APP_PASSPHRASE (for automation)"
        )
    try:
        key = passphrase.unwrap(keyfile.passphrase, secret, keyfile.associated_data)
    except WrongPassphraseError:
        _count_failure(home, now)
        raise
    return Unlocked(_open(home, keyfile, key), keyfile, key, "passphrase")


def _open(home: VaultHome, keyfile: KeyFile, key: bytes) -> Database:
    return Database.open(
        home.database, key, page_size=keyfile.page_size, page_hmac=keyfile.page_hmac
    )


def _count_failure(home: VaultHome, now: datetime) -> None:
    count, _ = read_failures(home)
    data = {"failed_unlocks": count + 1, "last": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
    try:
        write_private(home.failures, json.dumps(data).encode())
    except OSError:  # a read-only folder must not hide the real error (the wrong passphrase)
        return


def read_failures(home: VaultHome) -> tuple[int, str | None]:
    try:
        data = json.loads(home.failures.read_text())
        return int(data["failed_unlocks"]), str(data.get("last"))
    except (OSError, ValueError, KeyError, TypeError):
        return 0, None


def clear_failures(home: VaultHome) -> None:
    home.failures.unlink(missing_ok=True)
