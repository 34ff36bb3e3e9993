"""The errors a user may see. Their messages are written for people and never carry a secret.

    VaultError                      anything the front ends show as one line
    +-- ValidationError             bad input (name, env, CIDR, date, ...); nothing was written
    +-- NotFoundError               no such record (or vault)
    |   +-- VaultMissingError       no vault at that folder
    +-- ConflictError               a record with that name and environment already exists
    +-- AmbiguousError              a name exists in several environments and --env was not given
    +-- UnlockError                 the vault could not be opened; one error for every decrypt failure
    |   +-- WrongPassphraseError
    |   +-- CorruptVaultError       truncated, damaged, or not a vault at all
    |   +-- NoUnlockSourceError     no keyring entry, no passphrase given, no terminal to ask
    +-- ClipboardError              no clipboard to use here
    +-- PolicyError                 the policy file is malformed

Anything else that escapes is a bug; the front ends turn it into a generic message without a
traceback (the traceback goes to the debug log only when asked for).
"""

from __future__ import annotations


class VaultError(Exception):
    """An error whose message is safe and meant to be shown to a user as it is."""

    exit_code = 1


class ValidationError(VaultError):
    pass


class NotFoundError(VaultError):
    pass


class VaultMissingError(NotFoundError):
    pass


class ConflictError(VaultError):
    pass


class AmbiguousError(VaultError):
    pass


class UnlockError(VaultError):
    pass


class WrongPassphraseError(UnlockError):
    pass


class CorruptVaultError(UnlockError):
    pass


class NoUnlockSourceError(UnlockError):
    pass


class ClipboardError(VaultError):
    pass


class PolicyError(VaultError):
    pass
