"""Secret references in templates: ``vault://NAME`` and ``vault://ENV/NAME``.

A reference may fill a whole value (``GITHUB_TOKEN=vault://prod/GITHUB_TOKEN``) or sit inside
one (``DATABASE_URL=postgres://app:vault://DB_PASSWORD@db/app``); it ends at the first character
that cannot be in an environment or a name (anything but letters, digits, ``_``, ``-``, ``/``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from vault_app.core import validate
from vault_app.core.errors import ValidationError

SCHEME = "vault://"
_REFERENCE = re.compile(r"vault://([A-Za-z0-9_/-]*)")


@dataclass(frozen=True, slots=True)
class Reference:
    """``env`` is None for ``vault://NAME``: the caller's default environment applies."""

    name: str
    env: str | None
    text: str

    def __str__(self) -> str:
        return self.text


def parse(text: str) -> Reference:
    """One reference, ``vault://`` included; a clear error for anything else."""
    match = _REFERENCE.fullmatch(text)
    if not match:
        raise ValidationError(
            f"not a secret reference: {text[:60]!r} (expected vault://[ENV/]NAME)"
        )
    parts = match.group(1).split("/")
    if len(parts) == 1 and parts[0]:
        return Reference(validate.name(parts[0]), None, text)
    if len(parts) == 2 and all(parts):
        return Reference(validate.name(parts[1]), validate.environment(parts[0]), text)
    raise ValidationError(f"malformed secret reference {text[:60]!r}: expected vault://[ENV/]NAME")


def find(text: str) -> list[Reference]:
    """Every reference in ``text``, in order; a malformed one is an error."""
    return [parse(m.group()) for m in _REFERENCE.finditer(text)]


def substitute(text: str, value_of: Callable[[Reference], str]) -> str:
    """``text`` with each reference replaced by ``value_of(reference)``."""
    return _REFERENCE.sub(lambda m: value_of(parse(m.group())), text)
