"""Offline checksums that tell a real token from a typo or a truncated paste.

GitHub (``gh?_``) and npm (``npm_``) append CRC32 (zlib) of the 30 random characters after the
prefix, in base62 (alphabet ``0-9A-Za-z``) left-padded with ``0`` to 6 characters; see GitHub's
post "Behind GitHub's new authentication token formats" (2021). GitLab routable tokens append
CRC32 of everything before it in base36, left-padded to 7 characters
(gitlab ``lib/authn/token_field/generator/routable_token.rb``).
"""

from __future__ import annotations

import zlib

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode_base(number: int, alphabet: str, width: int) -> str:
    """``number`` in the given alphabet, left-padded with the alphabet's zero to ``width``."""
    base = len(alphabet)
    digits = []
    while number:
        number, rest = divmod(number, base)
        digits.append(alphabet[rest])
    return "".join(reversed(digits)).rjust(width, alphabet[0])


def base62_crc32(random_part: str) -> str:
    """The 6-character checksum GitHub and npm append to ``random_part``."""
    return encode_base(zlib.crc32(random_part.encode("ascii")), BASE62, 6)


def prefixed_base62_crc_ok(token: str) -> bool:
    """``<prefix>_<30 random><6 checksum>``: the GitHub/npm scheme (prefix is not checksummed)."""
    body = token.rpartition("_")[2]
    if len(body) != 36:
        return False
    return base62_crc32(body[:30]) == body[30:]


def gitlab_routable_crc_ok(token: str) -> bool:
    """A GitLab routable token: the last 7 characters are base36 CRC32 of all that precedes."""
    head, tail = token[:-7], token[-7:]
    return encode_base(zlib.crc32(head.encode("ascii")), BASE36, 7) == tail
