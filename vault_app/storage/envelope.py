"""Per-record encryption of secret values, and keyed fingerprints for finding reuse.

Values are sealed a second time, inside the encrypted database, so that code that lists,
searches or checks health never holds a plaintext value: only :meth:`ValueCipher.open` does,
and only for the record asked for. The associated data binds each ciphertext to its record id
and version, so a ciphertext copied onto another record (or an older version) fails to open.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault_app.core.errors import CorruptVaultError
from vault_app.core.secret import Secret

FINGERPRINT_CONTEXT = b"vault-app/fingerprint/v1\x00"


class ValueCipher:
    def __init__(self, value_key: bytes, fingerprint_key: bytes) -> None:
        self._aead = AESGCM(value_key)
        self._fingerprint_key = fingerprint_key

    def __repr__(self) -> str:
        return "ValueCipher(<keys hidden>)"

    @staticmethod
    def _associated(token_id: str, version: int) -> bytes:
        return f"vault-app/value/v1\x00{token_id}\x00{version}".encode()

    def seal(self, value: Secret, token_id: str, version: int) -> tuple[bytes, bytes]:
        nonce = os.urandom(12)
        data = value.reveal().encode("utf-8")
        return nonce, self._aead.encrypt(nonce, data, self._associated(token_id, version))

    def open(self, nonce: bytes, ciphertext: bytes, token_id: str, version: int) -> Secret:
        try:
            data = self._aead.decrypt(nonce, ciphertext, self._associated(token_id, version))
        except InvalidTag:
            raise CorruptVaultError(
                "a stored value failed its integrity check: the vault was tampered with or damaged"
            ) from None
        return Secret(data.decode("utf-8"))

    def fingerprint(self, value: Secret) -> str:
        """HMAC-SHA256 under a vault key: equal values match, and nothing leaks without the key."""
        mac = hmac.new(self._fingerprint_key, FINGERPRINT_CONTEXT, hashlib.sha256)
        mac.update(value.reveal().encode("utf-8"))
        return mac.hexdigest()
