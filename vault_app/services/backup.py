"""Encrypted, authenticated backups that restore on another machine with their passphrase.

File layout (``vault-app-backup/1``)::

    magic   16 bytes  b"VAULT-APP-BACKUP"
    length   4 bytes  big-endian length of the header
    header   JSON     {"format", "created_at", "kdf": {argon2id, memory_kib, iterations,
                       lanes, salt}, "cipher": {aes-256-gcm, nonce}}
    body              AES-256-GCM(key, nonce, payload, associated data = magic+length+header)

The key is Argon2id(passphrase, salt) with the header's settings (by default RFC 9106's
second recommendation, as for the vault's own key). The header is authenticated as associated
data, so changing any byte of the file (header, settings, body or tag) makes it unreadable.
The payload is JSON: every record as stored (ids, dates, sources, constraints), its value, and
a summary of the audit log at backup time.

A backup restores into a folder without a vault only: merging into a vault that has records
of its own would have to decide which copy wins, which ``import --replace`` already does.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from vault_app import __version__
from vault_app.core.clock import Clock, SystemClock
from vault_app.core.errors import ConflictError, ValidationError, VaultError
from vault_app.core.model import Constraints, Source, TokenId, TokenRecord
from vault_app.core.secret import Secret
from vault_app.keystore import os_keyring
from vault_app.keystore.passphrase import (
    ARGON2_ITERATIONS,
    ARGON2_LANES,
    ARGON2_MEMORY_KIB,
    MIN_PASSPHRASE_LENGTH,
    strength_hint,
)
from vault_app.securefs import write_private
from vault_app.services.home import VaultHome
from vault_app.services.vault import Vault

MAGIC = b"VAULT-APP-BACKUP"
FORMAT = "vault-app-backup/1"
PAYLOAD_FORMAT = "vault-app-backup-payload/1"
MAX_HEADER = 4096
_DAMAGED = (
    "cannot open the backup {}: wrong passphrase, or the file is damaged or was changed; "
    "nothing was restored"
)


class BackupError(VaultError):
    """A backup that cannot be read: one message for every decrypt or integrity failure."""


@dataclass(frozen=True, slots=True)
class KdfCost:
    memory_kib: int = ARGON2_MEMORY_KIB
    iterations: int = ARGON2_ITERATIONS
    lanes: int = ARGON2_LANES

    def check(self) -> None:
        if not (
            8 * self.lanes <= self.memory_kib <= 4 * 1024 * 1024
            and 1 <= self.iterations <= 100
            and 1 <= self.lanes <= 64
        ):
            raise ValueError("implausible key-derivation settings")


@dataclass(frozen=True, slots=True)
class AuditSummary:
    events: int
    intact: bool
    first_at: str | None
    last_at: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "events": self.events,
            "intact": self.intact,
            "first_at": self.first_at,
            "last_at": self.last_at,
        }


@dataclass(frozen=True, slots=True)
class BackupContents:
    created_at: str
    app_version: str
    items: tuple[tuple[TokenRecord, Secret], ...]
    audit: AuditSummary

    def __repr__(self) -> str:
        return f"BackupContents(created_at={self.created_at!r}, items={len(self.items)})"


def check_passphrase(passphrase: Secret) -> None:
    hint = strength_hint(passphrase.reveal())
    if hint and len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(f"backup passphrase {hint}")


def write_backup(
    vault: Vault, path: Path, passphrase: Secret, *, cost: KdfCost | None = None
) -> int:
    """Write every record and value of ``vault`` to ``path`` (0600, atomic); returns the count."""
    check_passphrase(passphrase)
    data = encode(vault, passphrase, cost=cost)
    write_private(path, data)
    # Read it back from the disk: a backup that cannot be restored is worse than none.
    return len(decode(path.read_bytes(), passphrase, label=str(path)).items)


def encode(vault: Vault, passphrase: Secret, *, cost: KdfCost | None = None) -> bytes:
    cost = cost or KdfCost()
    cost.check()
    verification = vault.verify_audit()
    events = vault.audit_events()
    at = [e.at for e in events]
    summary = AuditSummary(
        events=len(events),
        intact=verification.ok,
        first_at=_iso(min(at)) if at else None,
        last_at=_iso(max(at)) if at else None,
    )
    items = vault.open_all("backup", detail="encrypted backup")
    created = _iso(vault.clock.now())
    payload = {
        "format": PAYLOAD_FORMAT,
        "created_at": created,
        "app_version": __version__,
        "audit": summary.to_json(),
        "records": [dict(_record_json(r), value=v.reveal()) for r, v in items],
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    salt, nonce = os.urandom(16), os.urandom(12)
    header = json.dumps(
        {
            "format": FORMAT,
            "created_at": created,
            "kdf": {
                "name": "argon2id",
                "memory_kib": cost.memory_kib,
                "iterations": cost.iterations,
                "lanes": cost.lanes,
                "salt": salt.hex(),
            },
            "cipher": {"name": "aes-256-gcm", "nonce": nonce.hex()},
        },
        separators=(",", ":"),
    ).encode()
    prefix = MAGIC + len(header).to_bytes(4, "big") + header
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = _derive(passphrase, salt, cost)
    return prefix + AESGCM(key).encrypt(nonce, body, prefix)


def decode(data: bytes, passphrase: Secret, *, label: str = "") -> BackupContents:
    """Check and decrypt a whole backup; any failure is one :class:`BackupError`."""
    damaged = BackupError(_DAMAGED.format(label).replace("  ", " "))
    if not data.startswith(MAGIC):
        raise BackupError(f"{label or 'the file'} is not a Vault App backup; nothing was restored")
    length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 4], "big")
    start = len(MAGIC) + 4
    if not 0 < length <= MAX_HEADER or len(data) < start + length + 16:
        raise damaged
    prefix = data[: start + length]
    try:
        header = json.loads(prefix[start:])
        if header["format"] != FORMAT:
            raise ValueError
        kdf, cipher = header["kdf"], header["cipher"]
        if kdf["name"] != "argon2id" or cipher["name"] != "aes-256-gcm":
            raise ValueError
        cost = KdfCost(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"]))
        cost.check()
        salt, nonce = bytes.fromhex(kdf["salt"]), bytes.fromhex(cipher["nonce"])
        if len(salt) < 16 or len(nonce) != 12:
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise damaged from None
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        body = AESGCM(_derive(passphrase, salt, cost)).decrypt(nonce, data[len(prefix) :], prefix)
    except InvalidTag:
        raise damaged from None
    try:
        payload = json.loads(body)
        if payload["format"] != PAYLOAD_FORMAT:
            raise ValueError
        items = tuple(
            (_record_from_json(obj), Secret(_text(obj["value"]))) for obj in payload["records"]
        )
        audit = payload["audit"]
        summary = AuditSummary(
            int(audit["events"]), bool(audit["intact"]), audit["first_at"], audit["last_at"]
        )
        return BackupContents(
            _text(payload["created_at"]), _text(payload["app_version"]), items, summary
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackupError(
            f"the backup {label} was made by an incompatible version; nothing was restored".replace(
                "  ", " "
            )
        ) from None


def restore(
    home: VaultHome,
    data: bytes,
    passphrase: Secret,
    *,
    use_keyring: bool,
    clock: Clock | None = None,
    label: str = "",
) -> BackupContents:
    """A new vault at ``home`` holding the backup; its passphrase is the backup's.

    The backup is checked and decrypted completely before anything is created; if writing
    fails after that, what was created is removed again.
    """
    contents = decode(data, passphrase, label=label)
    if home.exists():
        raise ConflictError(
            f"a vault already exists at {home.root}: restore into a new folder (--home DIR); "
            "nothing was restored"
        )
    existed = frozenset(home.root.iterdir()) if home.root.is_dir() else None
    use_keyring = use_keyring and os_keyring.status().usable
    try:
        with Vault.create(
            home, passphrase_value=passphrase, use_keyring=use_keyring, clock=clock or SystemClock()
        ) as vault:
            vault.restore_items(
                contents.items,
                detail=f"from a backup made {contents.created_at}, "
                f"{contents.audit.events} audit event(s) then",
            )
    except BaseException:
        _remove_new_vault(home, existed)
        raise
    return contents


def _remove_new_vault(home: VaultHome, existed: frozenset[Path] | None) -> None:
    """Undo a half-made restore: every file that was not in the folder before, and the folder."""
    with contextlib.suppress(VaultError, OSError):
        from vault_app.keystore.keyfile import KeyFile

        keyfile = KeyFile.load(home.keyfile)
        if keyfile.keyring:
            os_keyring.delete(keyfile.vault_id)
    if existed is None:
        shutil.rmtree(home.root, ignore_errors=True)
        return
    with contextlib.suppress(OSError):
        for path in home.root.iterdir():
            if path not in existed:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def _derive(passphrase: Secret, salt: bytes, cost: KdfCost) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    return Argon2id(
        salt=salt,
        length=32,
        iterations=cost.iterations,
        lanes=cost.lanes,
        memory_cost=cost.memory_kib,
    ).derive(passphrase.reveal().encode("utf-8"))


# -- records as JSON, every field -----------------------------------------------------------
def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(text: object) -> datetime | None:
    if text is None:
        return None
    return datetime.strptime(_text(text), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError
    return tuple(_text(v) for v in value)


def _mapping(value: object) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise TypeError
    return value


def _record_json(r: TokenRecord) -> dict[str, object]:
    c = r.constraints
    return {
        "id": r.id,
        "name": r.name,
        "env": r.env,
        "provider": r.provider,
        "kind": r.kind,
        "created_at": _iso(r.created_at),
        "updated_at": _iso(r.updated_at),
        "expires_at": _iso(r.expires_at),
        "not_before": _iso(r.not_before),
        "last_rotated_at": _iso(r.last_rotated_at),
        "rotate_every_days": r.rotate_every_days,
        "constraints": {
            "scopes": list(c.scopes),
            "cidrs": list(c.cidrs),
            "countries": list(c.countries),
            "endpoints": list(c.endpoints),
            "resources": list(c.resources),
        },
        "tags": list(r.tags),
        "notes": r.notes,
        "version": r.version,
        "sources": {k: str(v) for k, v in r.sources.items()},
        "token_info": dict(r.token_info),
        "provider_options": dict(r.provider_options),
    }


def _record_from_json(obj: Mapping[str, Any]) -> TokenRecord:
    c = _mapping(obj["constraints"])
    created, updated = _when(obj["created_at"]), _when(obj["updated_at"])
    if created is None or updated is None:
        raise ValueError
    rotate = obj["rotate_every_days"]
    version = obj["version"]
    if rotate is not None and not isinstance(rotate, int):
        raise TypeError
    if not isinstance(version, int):
        raise TypeError
    return TokenRecord(
        id=TokenId(_text(obj["id"])),
        name=_text(obj["name"]),
        env=_text(obj["env"]),
        provider=None if obj["provider"] is None else _text(obj["provider"]),
        kind=None if obj["kind"] is None else _text(obj["kind"]),
        fingerprint="",
        created_at=created,
        updated_at=updated,
        expires_at=_when(obj["expires_at"]),
        not_before=_when(obj["not_before"]),
        last_rotated_at=_when(obj["last_rotated_at"]),
        rotate_every_days=rotate,
        constraints=Constraints(
            scopes=_strings(c["scopes"]),
            cidrs=_strings(c["cidrs"]),
            countries=_strings(c["countries"]),
            endpoints=_strings(c["endpoints"]),
            resources=_strings(c["resources"]),
        ),
        tags=_strings(obj["tags"]),
        notes=_text(obj["notes"]),
        version=version,
        sources=MappingProxyType(
            {_text(k): Source(_text(v)) for k, v in _mapping(obj["sources"]).items()}
        ),
        token_info=MappingProxyType(dict(_mapping(obj["token_info"]))),
        provider_options=MappingProxyType(
            {_text(k): _text(v) for k, v in _mapping(obj["provider_options"]).items()}
        ),
    )
