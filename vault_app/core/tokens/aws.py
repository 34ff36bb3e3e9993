"""AWS access key ids carry their account id; reading it needs no call to AWS.

Method from Aidan Steele, "AWS Access Key ID formats" (2020) and Tal Be'ery, "A short note on
AWS KEY ID" (2023): base32-decode the characters after the 4-character prefix, take the first 6
bytes big-endian, mask ``0x7fffffffff80`` and shift right by 7.
"""

from __future__ import annotations

import base64
import binascii

from vault_app.core.tokens.findings import Findings

_ACCOUNT_MASK = 0x7FFFFFFFFF80


def account_id(key_id: str) -> str | None:
    """The 12-digit account id (zero-padded) encoded in ``key_id``, or None if it does not decode."""
    body = key_id[4:]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        return None
    if len(raw) < 6:
        return None
    number = (int.from_bytes(raw[:6], "big") & _ACCOUNT_MASK) >> 7
    return f"{number:012d}"


def decode_access_key_id(key_id: str) -> Findings:
    warnings: tuple[str, ...] = ()
    if key_id.endswith("EXAMPLE"):
        warnings = ("this looks like the example key from AWS's documentation, not a real one",)
    return Findings(account=account_id(key_id), warnings=warnings)
