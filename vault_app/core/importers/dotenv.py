"""``.env`` files: ``NAME=value`` lines, ``export`` prefixes, comments, single and double quotes.

The grammar is the common one (python-dotenv, docker compose): a ``#`` starts a comment at the
start of a line or after whitespace outside quotes; double quotes understand backslash escapes
(``\\n``, ``\\t``, ``\\"``, ``\\\\``, ...), single quotes only ``\\'`` and ``\\\\``. No variable
expansion: ``${OTHER}`` stays as written. A value must end on its own line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vault_app.core.errors import ValidationError
from vault_app.core.importers import ImportedEntry, Parsed, Skipped
from vault_app.core.secret import Secret

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXPORT = re.compile(r"export[ \t]+")
_DOUBLE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "$": "$",
}
_SINGLE_ESCAPES = {"\\": "\\", "'": "'"}


@dataclass(frozen=True, slots=True)
class Assignment:
    """One ``NAME=value`` line. ``value`` may be a secret: never put it in a message."""

    key: str
    value: str
    line: int

    def __repr__(self) -> str:
        return f"Assignment(key={self.key!r}, line={self.line})"


def assignments(text: str, *, source: str = "") -> list[Assignment]:
    """Every assignment in file order; a key set twice is an error (which one would win?)."""
    where = f"{source}: " if source else ""
    out: list[Assignment] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        export = _EXPORT.match(line)
        if export:
            line = line[export.end() :]
        key_match = _KEY.match(line)
        if not key_match:
            raise ValidationError(
                f"{where}line {number}: expected NAME=value (a name is letters, digits and '_')"
            )
        key = key_match.group()
        rest = line[key_match.end() :].lstrip(" \t")
        if not rest.startswith("="):
            # No name in the message: a line without '=' may be a pasted value.
            raise ValidationError(f"{where}line {number}: expected NAME=value (no '=' found)")
        value = _value(rest[1:].lstrip(" \t"), f"{where}line {number}")
        if key in seen:
            raise ValidationError(
                f"{where}line {number}: {key} is set twice (also on line {seen[key]})"
            )
        seen[key] = number
        out.append(Assignment(key, value, number))
    return out


def _value(text: str, where: str) -> str:
    if text[:1] in ("'", '"'):
        quote = text[0]
        escapes = _DOUBLE_ESCAPES if quote == '"' else _SINGLE_ESCAPES
        chars: list[str] = []
        index = 1
        while index < len(text):
            char = text[index]
            if char == "\\" and index + 1 < len(text):
                following = text[index + 1]
                if following in escapes:
                    chars.append(escapes[following])
                    index += 2
                    continue
            if char == quote:
                after = text[index + 1 :].strip(" \t")
                if after and not after.startswith("#"):
                    raise ValidationError(f"{where}: unexpected text after the closing quote")
                return "".join(chars)
            chars.append(char)
            index += 1
        kind = "double" if quote == '"' else "single"
        raise ValidationError(
            f"{where}: the {kind}-quoted value does not end on this line "
            "(multi-line values cannot be imported)"
        )
    comment = re.search(r"[ \t]#", text)
    if comment:
        text = text[: comment.start()]
    return text.rstrip(" \t")


def parse(text: str, *, source: str = "") -> Parsed:
    """A ``.env`` file as entries; empty values are skipped (and said so in the preview)."""
    entries: list[ImportedEntry] = []
    skipped: list[Skipped] = []
    for item in assignments(text, source=source):
        origin = f"line {item.line} ({item.key})"
        if not item.value.strip():
            skipped.append(Skipped(origin, "empty value"))
            continue
        entries.append(ImportedEntry(name=item.key, value=Secret(item.value), origin=origin))
    return Parsed(tuple(entries), tuple(skipped))
