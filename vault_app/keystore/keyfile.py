"""The key file beside the database: the vault's id and how its key is kept.

It holds no secret in the clear: only the key wrapped under the passphrase, a flag saying
whether the OS keyring holds a copy, and the database's page format (page size and page HMAC),
which SQLCipher must be told before it can read a page. Being plain JSON, it is the one file that
can be read before unlocking, so it is also where a vault is recognised as ours.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from vault_app.core.errors import CorruptVaultError, VaultError, VaultMissingError
from vault_app.keystore.passphrase import WrappedKey
from vault_app.securefs import write_private

#: Version 1 records no page format: its vault has SQLCipher 4's own (4 KiB, HMAC-SHA512), and a
#: vault of that format keeps writing version 1, so an older Vault App can still open it.
#: Version 2 records the page format in "database".
FORMAT_PREFIX = "vault-app-keys/"
LEGACY_PAGE_SIZE = 4096
LEGACY_PAGE_HMAC = "HMAC_SHA512"
PAGE_SIZES = frozenset(1 << n for n in range(9, 17))  # 512 .. 65536, as SQLCipher allows
PAGE_HMACS = frozenset({"HMAC_SHA256", "HMAC_SHA512"})


@dataclass(frozen=True, slots=True)
class KeyFile:
    vault_id: str
    keyring: bool
    passphrase: WrappedKey | None
    page_size: int
    page_hmac: str

    @classmethod
    def new(cls, *, page_size: int, page_hmac: str) -> KeyFile:
        return cls(
            vault_id=str(uuid.uuid4()),
            keyring=False,
            passphrase=None,
            page_size=page_size,
            page_hmac=page_hmac,
        )

    def with_keyring(self, enabled: bool) -> KeyFile:
        return replace(self, keyring=enabled)

    def with_passphrase(self, wrapped: WrappedKey | None) -> KeyFile:
        return replace(self, passphrase=wrapped)

    @property
    def associated_data(self) -> bytes:
        return f"vault-app/db-key/{self.vault_id}".encode()

    def to_bytes(self) -> bytes:
        legacy = (self.page_size, self.page_hmac) == (LEGACY_PAGE_SIZE, LEGACY_PAGE_HMAC)
        data: dict[str, object] = {
            "format": f"{FORMAT_PREFIX}{1 if legacy else 2}",
            "vault_id": self.vault_id,
            "keyring": self.keyring,
            "passphrase": self.passphrase.to_json() if self.passphrase else None,
        }
        if not legacy:
            data["database"] = {"page_size": self.page_size, "page_hmac": self.page_hmac}
        return (json.dumps(data, indent=2) + "\n").encode()

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise VaultMissingError(
                f"no vault at {path.parent} (create one with `vault-app init`)"
            ) from None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError
            version = _version(data.get("format"))
            if version > 2:
                raise VaultError(
                    f"{path.name} was written by a newer Vault App: upgrade Vault App to open "
                    "this vault"
                )
            vault_id = str(uuid.UUID(str(data["vault_id"])))
            keyring = data["keyring"]
            if not isinstance(keyring, bool):
                raise ValueError
            if version == 1:
                if "database" in data:
                    raise ValueError
                page_size, page_hmac = LEGACY_PAGE_SIZE, LEGACY_PAGE_HMAC
            else:
                database = data["database"]
                page_size, page_hmac = database["page_size"], database["page_hmac"]
                if type(page_size) is not int or page_size not in PAGE_SIZES:
                    raise ValueError
                if page_hmac not in PAGE_HMACS:
                    raise ValueError
        except (ValueError, KeyError, UnicodeDecodeError, TypeError):
            raise CorruptVaultError(f"{path} is damaged or not a Vault App key file") from None
        wrapped = WrappedKey.from_json(data["passphrase"]) if data.get("passphrase") else None
        return cls(
            vault_id=vault_id,
            keyring=keyring,
            passphrase=wrapped,
            page_size=page_size,
            page_hmac=page_hmac,
        )

    def save(self, path: Path) -> None:
        write_private(path, self.to_bytes())


def _version(text: object) -> int:
    """The key file's format version; ValueError for anything that is not one of ours."""
    if not isinstance(text, str) or not text.startswith(FORMAT_PREFIX):
        raise ValueError
    number = text.removeprefix(FORMAT_PREFIX)
    if not number.isdigit() or int(number) < 1:
        raise ValueError
    return int(number)
