"""GitLab routable tokens: ``<prefix><base64url payload>.[<version>.]<length><crc>``.

The payload is ``k:v`` lines (c cell, g group, o organisation, p project, u user; integers in
base36), then 16 random bytes, then one byte holding that count (gitlab
``lib/authn/token_field/generator/routable_token.rb``). The CRC is checked in ``checksum``.
"""

from __future__ import annotations

import base64
import binascii
import re

from vault_app.core.tokens.findings import Findings

#: Prefix (``glpat-``, ``glrt-t1_``, ...), payload, optional 2-char version, 2-char base36
#: length of the payload, 7-char base36 CRC32. '.' is outside the payload class: linear.
ROUTABLE_SUFFIX = r"[A-Za-z0-9_-]{27,300}\.(?:[0-9a-z]{2}\.)?[0-9a-z]{2}[0-9a-z]{7}"
_PARTS = re.compile(
    r"(?P<prefix>gl[a-z]+-(?:t\d_)?)(?P<payload>[A-Za-z0-9_-]{27,300})\."
    r"(?:[0-9a-z]{2}\.)?(?P<length>[0-9a-z]{2})[0-9a-z]{7}",
    re.ASCII,
)
_ID = re.compile(r"[0-9a-z]{1,13}", re.ASCII)
_RESOURCE_KEYS = {"o": "organization-id", "g": "group-id", "p": "project-id"}


def decode_routable(token: str) -> Findings:
    """The owner ids a routable token carries: user id as ``account``, organisation, group and
    project ids as resources (``organization-id:N``, ``group-id:N``, ``project-id:N``)."""
    parts = _PARTS.fullmatch(token)
    if parts is None:
        return Findings()
    payload = parts["payload"]
    if int(parts["length"], 36) != len(payload):
        return Findings(warnings=("the token's length field does not match: a truncated paste?",))
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        return Findings()
    if not raw or raw[-1] + 1 > len(raw):
        return Findings()
    routing = raw[: -(raw[-1] + 1)].decode("utf-8", errors="replace")
    account = None
    resources = []
    for line in routing.split("\n"):
        key, sep, value = line.partition(":")
        if not sep or not _ID.fullmatch(value):
            continue
        number = str(int(value, 36))
        if key == "u":
            account = number
        elif key in _RESOURCE_KEYS:
            resources.append(f"{_RESOURCE_KEYS[key]}:{number}")
    return Findings(account=account, resources=tuple(resources))
