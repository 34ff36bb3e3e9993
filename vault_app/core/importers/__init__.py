"""Parsers that turn another tool's export into neutral entries. Pure: text in, entries out.

Every parser raises :class:`~vault_app.core.errors.ValidationError` with one line that says
where the file is wrong (line or entry number) and never quotes a value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from vault_app.core.errors import ValidationError
from vault_app.core.secret import Secret

_NOT_NAME = re.compile(r"[^A-Za-z0-9_]+")


@dataclass(frozen=True, slots=True)
class ImportedEntry:
    """One value found in a foreign file, before the vault decides what to do with it."""

    name: str
    value: Secret
    #: the environment the file says (a KeePassXC group path), or None: the caller's --env
    env: str | None = None
    expires_at: datetime | None = None
    #: where in the file it came from, for messages: "line 4", "entry 2 (Prod/GitHub)"
    origin: str = ""
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Skipped:
    """An entry left out on purpose (e.g. no password), with the reason shown in the preview."""

    origin: str
    reason: str


@dataclass(frozen=True, slots=True)
class Parsed:
    entries: tuple[ImportedEntry, ...]
    skipped: tuple[Skipped, ...] = ()


def name_from_title(title: str, origin: str) -> str:
    """A record name from a free-form title: "GitHub Token" -> GITHUB_TOKEN, "Clé" -> CLE.

    Names become environment variable names, so they are upper-cased, accents are dropped and
    every run of other characters becomes one '_'. A title with nothing usable is an error.
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    name = _NOT_NAME.sub("_", ascii_text).strip("_").upper()
    if not name:
        raise ValidationError(
            f"{origin}: the title {title[:40]!r} has no letters or digits to make a name from; "
            "rename the entry"
        )
    if name[0].isdigit():
        name = "_" + name
    if len(name) > 128:
        raise ValidationError(f"{origin}: the title is too long for a name (over 128 characters)")
    return name


def environment_from_group(path: str, origin: str) -> str | None:
    """An environment from a group path below the root: "Prod/EU" -> prod-eu; root -> None."""
    parts = [p for p in path.split("/") if p.strip()]
    if not parts:
        return None
    ascii_text = unicodedata.normalize("NFKD", "-".join(parts)).encode("ascii", "ignore").decode()
    env = re.sub(r"[^a-z0-9_-]+", "-", ascii_text.lower()).strip("-_")
    if not env or len(env) > 32:
        raise ValidationError(
            f"{origin}: the group {path[:40]!r} cannot become an environment name; "
            "give --env ENV to put every entry in one environment"
        )
    return env
