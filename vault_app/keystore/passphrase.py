"""Wrapping the database key under a passphrase: Argon2id, then AES-256-GCM.

Changing the passphrase rewraps this 32-byte key; the database itself is never re-encrypted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from vault_app.core.errors import CorruptVaultError, WrongPassphraseError
from vault_app.core.secret import Secret

# RFC 9106 second recommended option: 64 MiB, 3 passes, 4 lanes.
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_ITERATIONS = 3
ARGON2_LANES = 4
MIN_PASSPHRASE_LENGTH = 8


@dataclass(frozen=True, slots=True)
class WrappedKey:
    salt: bytes
    nonce: bytes
    ciphertext: bytes
    memory_kib: int = ARGON2_MEMORY_KIB
    iterations: int = ARGON2_ITERATIONS
    lanes: int = ARGON2_LANES

    def to_json(self) -> dict[str, object]:
        return {
            "kdf": "argon2id",
            "memory_kib": self.memory_kib,
            "iterations": self.iterations,
            "lanes": self.lanes,
            "salt": self.salt.hex(),
            "cipher": "aes-256-gcm",
            "nonce": self.nonce.hex(),
            "ciphertext": self.ciphertext.hex(),
        }

    @classmethod
    def from_json(cls, data: object) -> WrappedKey:
        try:
            assert isinstance(data, dict)
            if data["kdf"] != "argon2id" or data["cipher"] != "aes-256-gcm":
                raise ValueError("unknown algorithm")
            wrapped = cls(
                salt=bytes.fromhex(data["salt"]),
                nonce=bytes.fromhex(data["nonce"]),
                ciphertext=bytes.fromhex(data["ciphertext"]),
                memory_kib=int(data["memory_kib"]),
                iterations=int(data["iterations"]),
                lanes=int(data["lanes"]),
            )
        except (AssertionError, KeyError, ValueError, TypeError):
            raise CorruptVaultError(
                "the vault's key file is damaged (passphrase section)"
            ) from None
        if not (
            8 * wrapped.lanes <= wrapped.memory_kib <= 4 * 1024 * 1024
            and 1 <= wrapped.iterations <= 100
            and 1 <= wrapped.lanes <= 64
        ):
            raise CorruptVaultError("the vault's key file has implausible key-derivation settings")
        return wrapped


def _derive(passphrase: Secret, w: WrappedKey | None, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    kdf = Argon2id(
        salt=salt,
        length=32,
        iterations=w.iterations if w else ARGON2_ITERATIONS,
        lanes=w.lanes if w else ARGON2_LANES,
        memory_cost=w.memory_kib if w else ARGON2_MEMORY_KIB,
    )
    return kdf.derive(passphrase.reveal().encode("utf-8"))


def wrap(key: bytes, passphrase: Secret, associated: bytes) -> WrappedKey:
    """Wrap ``key``; ``associated`` (the vault id) binds the wrapped key to its vault."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt = os.urandom(16)
    nonce = os.urandom(12)
    kek = _derive(passphrase, None, salt)
    return WrappedKey(
        salt=salt, nonce=nonce, ciphertext=AESGCM(kek).encrypt(nonce, key, associated)
    )


def unwrap(wrapped: WrappedKey, passphrase: Secret, associated: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kek = _derive(passphrase, wrapped, wrapped.salt)
    try:
        return AESGCM(kek).decrypt(wrapped.nonce, wrapped.ciphertext, associated)
    except InvalidTag:
        raise WrongPassphraseError("wrong passphrase") from None


def strength_hint(passphrase: str) -> str | None:
    """A short hint when a passphrase is weak; None when it looks fine. Not a guarantee."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return f"too short: use at least {MIN_PASSPHRASE_LENGTH} characters"
    classes = sum(
        any(test(c) for c in passphrase)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    if len(passphrase) < 12 and classes < 3:
        return "weak: use 12 or more characters, or several words"
    if len(set(passphrase)) < 5:
        return "weak: too many repeated characters"
    return None
