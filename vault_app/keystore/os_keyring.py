"""The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker) via ``keyring``.

"No usable keyring here" is a normal state with a reason, not a crash: a headless box or a CI
runner simply falls back to the passphrase.
"""

from __future__ import annotations

from dataclasses import dataclass

from vault_app.core.errors import UnlockError

SERVICE = "vault-app"


@dataclass(frozen=True, slots=True)
class KeyringStatus:
    usable: bool
    backend: str
    reason: str


def status() -> KeyringStatus:
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if isinstance(backend, fail.Keyring):
            return KeyringStatus(False, name, "no keyring backend is available here")
        priority = float(getattr(backend, "priority", 0))
        if priority < 1:
            return KeyringStatus(False, name, f"the keyring backend {name} is not secure enough")
        return KeyringStatus(True, name, "ok")
    except Exception as exc:  # a broken keyring must never stop the vault from opening
        return KeyringStatus(False, "unknown", f"the keyring failed to load ({type(exc).__name__})")


def store(vault_id: str, key: bytes) -> None:
    import keyring

    try:
        keyring.set_password(SERVICE, vault_id, key.hex())
    except Exception as exc:
        raise UnlockError(f"could not store the key in the OS keyring ({_describe(exc)})") from None


def load(vault_id: str) -> bytes | None:
    """The key, or None when the keyring has no entry for this vault or cannot be reached."""
    try:
        import keyring

        value = keyring.get_password(SERVICE, vault_id)
    except Exception:
        return None
    if value is None:
        return None
    try:
        key = bytes.fromhex(value)
    except ValueError:
        return None
    return key if len(key) == 32 else None


def delete(vault_id: str) -> None:
    try:
        import keyring

        keyring.delete_password(SERVICE, vault_id)
    except Exception:  # already gone, or no keyring: nothing left to remove
        return


def _describe(exc: Exception) -> str:
    # Keyring errors can carry D-Bus detail but never our key; keep the class name only.
    return type(exc).__name__
