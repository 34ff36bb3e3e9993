"""Token values for tests, built the way providers build them (with valid checksums)."""

from __future__ import annotations

import secrets
import string
import zlib

_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def _base62(number: int, width: int = 6) -> str:
    out = ""
    while number:
        number, rem = divmod(number, 62)
        out = _B62[rem] + out
    return out.rjust(width, "0")


def github_pat(random_part: str | None = None, prefix: str = "ghp_") -> str:
    body = random_part or "".join(secrets.choice(_B62) for _ in range(30))
    assert len(body) == 30
    return prefix + body + _base62(zlib.crc32(body.encode()))


def sentinel(tag: str = "") -> str:
    """A value that is unmistakable in any byte stream: search for it everywhere it must not be."""
    return github_pat(("SENTINEL" + tag + "Q" * 30)[:30])
