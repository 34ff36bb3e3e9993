"""The vault's policy: thresholds the health rules apply, read from ``policy.toml`` in the vault folder.

Pure logic: the storage layer reads and writes the file, this module only turns text into a
:class:`Policy` (or a :class:`PolicyError` naming ``file:line``) and edits text line by line so a
user's comments survive ``vault-app config KEY VALUE``.

Scope matching (``wildcard_scopes``): a scope is compared case-insensitively with each entry. An
entry matches when it is equal to the scope, or when it contains a glob character (``*``, ``?``,
``[``) and matches the scope as an :func:`fnmatch.fnmatchcase` pattern (``write:*`` matches
``write:packages``). A lone ``*`` is the one exception: it matches only the literal scope ``*``,
since as a glob it would flag every scope there is.
"""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from types import MappingProxyType
from typing import Any

from vault_app.core import validate
from vault_app.core.errors import PolicyError, ValidationError

_DAY = timedelta(days=1)
_MAX_DAYS = 3650


def _default_lifetimes() -> Mapping[str, int]:
    return MappingProxyType({"prod": 90})


@dataclass(frozen=True)
class Policy:
    """Thresholds for the health rules and notifications. Defaults match DEFAULT_POLICY_TOML."""

    #: A token with less than this many days left counts as "expiring" (0 turns the state off).
    expiring_soon_days: int = 7
    #: Lead times before expiry at which a notification is sent; 0 means "at expiry".
    notify_before: tuple[timedelta, ...] = (
        timedelta(days=14),
        timedelta(days=3),
        timedelta(days=1),
        timedelta(hours=1),
        timedelta(0),
    )
    #: Longest allowed time from issue (or last rotation) to expiry, per environment.
    max_lifetime_days: Mapping[str, int] = field(default_factory=_default_lifetimes, hash=False)
    #: Environments where every token must be bound to IP ranges.
    require_cidr_envs: tuple[str, ...] = ("prod",)
    #: Scopes that grant broad access; see the module docstring for how they match.
    wildcard_scopes: tuple[str, ...] = (
        "*",
        "admin",
        "all",
        "repo",
        "write:*",
        "api",
        "root",
        "full_access",
    )
    #: Providers whose tokens can be limited by scopes, so a record with no scopes is all-access.
    scoped_providers: tuple[str, ...] = (
        "github",
        "gitlab",
        "slack",
        "cloudflare",
        "huggingface",
        "npm",
        "pypi",
        "stripe",
        "sendgrid",
        "digitalocean",
    )
    #: Rotation interval for records that set none of their own; None: no default interval.
    default_rotation_days: int | None = 90
    #: Environments counted as production (they raise severities).
    prod_envs: tuple[str, ...] = ("prod",)

    @property
    def expiring_within_seconds(self) -> int:
        """The value to pass to :meth:`TokenRecord.status`, so list and health agree."""
        return self.expiring_soon_days * 86400

    def is_prod(self, env: str) -> bool:
        return env in self._prod

    def is_scoped_provider(self, provider: str | None) -> bool:
        if not provider:
            return False
        return provider.strip().lower() in self._scoped

    def wildcard_matches(self, scopes: tuple[str, ...]) -> tuple[str, ...]:
        """The scopes (in the record's order) that the policy counts as wildcards."""
        found = self._wildcard_memo.get(scopes)
        if found is None:
            found = tuple(s for s in scopes if self._is_wildcard(s))
            if len(self._wildcard_memo) < 10_000:
                self._wildcard_memo[scopes] = found
        return found

    @cached_property
    def _wildcard_memo(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        return {}

    # Precomputed once per policy: a report over 10,000 records asks these 10,000 times.
    @cached_property
    def _prod(self) -> frozenset[str]:
        return frozenset(self.prod_envs)

    @cached_property
    def _scoped(self) -> frozenset[str]:
        return frozenset(p.lower() for p in self.scoped_providers)

    @cached_property
    def _wildcard_test(self) -> Callable[[str], bool]:
        exact = frozenset(p.lower() for p in self.wildcard_scopes)
        globs = [p.lower() for p in self.wildcard_scopes if p != "*" and any(c in p for c in "*?[")]
        pattern = re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs)) if globs else None
        memo: dict[str, bool] = {}

        def test(scope: str) -> bool:
            found = memo.get(scope)
            if found is None:
                s = scope.strip().lower()
                found = s in exact or bool(pattern is not None and pattern.match(s))
                if len(memo) < 10_000:
                    memo[scope] = found
            return found

        return test

    def _is_wildcard(self, scope: str) -> bool:
        return self._wildcard_test(scope)


DEFAULT_POLICY_TOML = """\
# Vault App policy: the thresholds behind `vault-app health` and expiry notifications.
# Change a value with `vault-app config KEY VALUE` (comments are kept) or edit this file.
# A key left out takes its built-in default; an unknown key is an error.

# Days before expiry at which a token counts as "expiring" (status column and the
# expiring-soon finding). 0 turns the expiring state off.
expiring_soon_days = 7

# When expiry notifications are sent, as spans before the token's expiry
# (w = weeks, d = days, h = hours, m = minutes, s = seconds); "0s" means at expiry.
notify_before = ["14d", "3d", "1d", "1h", "0s"]

# Days between rotations for a token that sets no interval of its own
# (`vault-app edit NAME --rotate-every DAYS`). 0 turns the default off.
default_rotation_days = 90

# Environments counted as production: findings there are more severe.
prod_envs = ["prod"]

# Environments where every token must be bound to IP ranges (CIDRs), or the
# no-ip-restriction finding is raised.
require_cidr_envs = ["prod"]

# Scopes that grant broad access (wildcard-scope finding). Compared case-insensitively;
# an entry with *, ? or [ is a glob ("write:*" matches "write:packages"), except a
# lone "*", which matches only the literal scope "*".
wildcard_scopes = ["*", "admin", "all", "repo", "write:*", "api", "root", "full_access"]

# Providers whose tokens can be limited to scopes or permissions: a token of one of
# these with no scopes recorded is treated as all-access.
scoped_providers = [
    "github", "gitlab", "slack", "cloudflare", "huggingface",
    "npm", "pypi", "stripe", "sendgrid", "digitalocean",
]

# Longest allowed lifetime in days, from issue (or last rotation) to expiry, per
# environment (lifetime-too-long finding). Environments not listed have no limit;
# 0 also means no limit.
[max_lifetime_days]
prod = 90
"""

# ---------------------------------------------------------------------------------------------
# Parsing

_INT_KEYS = ("expiring_soon_days", "default_rotation_days")
_ENV_LIST_KEYS = ("prod_envs", "require_cidr_envs")
_WORD_LIST_KEYS = ("wildcard_scopes", "scoped_providers")
_SPAN_LIST_KEYS = ("notify_before",)
_TABLE_KEYS = ("max_lifetime_days",)
KNOWN_KEYS = (
    "expiring_soon_days",
    "notify_before",
    "default_rotation_days",
    "prod_envs",
    "require_cidr_envs",
    "wildcard_scopes",
    "scoped_providers",
    "max_lifetime_days",
)

_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_END = re.compile(r"\s*\(at end of document\)")


def parse_policy(text: str, *, filename: str = "policy.toml") -> Policy:
    """Read a policy file's text; every problem is a PolicyError starting with ``file:line:``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _decode_error(exc, text, filename) from None
    scan = _scan(text)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in KNOWN_KEYS:
            raise _error(
                filename,
                scan.line_of((key,)),
                f"unknown key {key!r} (known keys: {', '.join(KNOWN_KEYS)})",
            )
        values[key] = _convert(key, value, scan, filename)
    return Policy(**values)


def _convert(key: str, value: object, scan: _Scan, filename: str) -> object:
    line = scan.line_of((key,))
    if key in _INT_KEYS:
        days = _days(value, key, filename, line)
        if key == "default_rotation_days":
            return days or None
        return days
    if key in _TABLE_KEYS:
        if not isinstance(value, dict):
            raise _error(filename, line, f"{key} must be a table of environment = days")
        limits: dict[str, int] = {}
        for env, days in value.items():
            env_line = scan.line_of((key, env))
            _check_env(env, f"{key}.{env}", filename, env_line)
            limit = _days(days, f"{key}.{env}", filename, env_line)
            if limit:
                limits[env] = limit
        return MappingProxyType(limits)
    words = _string_list(value, key, filename, line)
    if key in _ENV_LIST_KEYS:
        for env in words:
            _check_env(env, key, filename, line)
        return validate.unique(words)
    if key in _SPAN_LIST_KEYS:
        spans: list[timedelta] = []
        for word in words:
            span = timedelta(0) if word.strip() == "0" else validate.parse_span(word.strip())
            if span is None or span > _MAX_DAYS * _DAY:
                raise _error(
                    filename,
                    line,
                    f"{key}: {word!r} is not a span such as 14d, 12h, 30m or 0s "
                    f"(at most {_MAX_DAYS} days)",
                )
            spans.append(span)
        return tuple(sorted(set(spans), reverse=True))
    for word in words:
        if not word or any(c.isspace() for c in word) or len(word) > 200:
            raise _error(filename, line, f"{key}: {word!r} must be one word without spaces")
    if key == "scoped_providers":
        words = [w.lower() for w in words]
    return validate.unique(words)


def _days(value: object, key: str, filename: str, line: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(filename, line, f"{key} must be a whole number of days, not {_kind(value)}")
    if not 0 <= value <= _MAX_DAYS:
        raise _error(filename, line, f"{key} must be between 0 and {_MAX_DAYS} days, not {value}")
    return value


def _string_list(value: object, key: str, filename: str, line: int | None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _error(filename, line, f"{key} must be a list of strings, not {_kind(value)}")
    return [str(v) for v in value]


def _check_env(env: str, key: str, filename: str, line: int | None) -> None:
    try:
        normal = validate.environment(env)
    except ValidationError as exc:
        raise _error(filename, line, f"{key}: {exc}") from None
    if normal != env:
        raise _error(filename, line, f"{key}: write the environment as {normal!r}")


def _kind(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a decimal number", str: "a string"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def _error(filename: str, line: int | None, message: str) -> PolicyError:
    where = f"{filename}:{line}" if line is not None else filename
    return PolicyError(f"{where}: {message}")


def _decode_error(exc: tomllib.TOMLDecodeError, text: str, filename: str) -> PolicyError:
    message = str(exc)
    lineno: int | None = getattr(exc, "lineno", None)
    if lineno is None:
        found = _TOML_LINE.search(message)
        if found:
            lineno = int(found.group(1))
        elif _TOML_END.search(message):
            lineno = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    if message.startswith("Cannot overwrite a value") or message.startswith("Cannot declare"):
        duplicate = _scan(text).duplicate()
        if duplicate is not None:
            path, lineno = duplicate
            return _error(filename, lineno, f"{'.'.join(path)} is set twice")
    message = _TOML_END.sub("", _TOML_LINE.sub("", message)).strip()
    return _error(filename, lineno, f"not valid TOML: {message}")


# ---------------------------------------------------------------------------------------------
# A small line scanner: where each key is assigned, so errors name a line and edits keep comments.

_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\\\n]*"|'[^'\n]*')"""
_KEY_PATH = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_ASSIGN = re.compile(rf"[ \t]*({_KEY_PATH})[ \t]*=[ \t]*")
_HEADER = re.compile(rf"[ \t]*\[\[?[ \t]*({_KEY_PATH})[ \t]*\]\]?")
_PART = re.compile(_KEY_PART)


def _split_path(raw: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PART.findall(raw))


@dataclass(frozen=True)
class _Assign:
    line: int  # 1-based line of the key
    path: tuple[str, ...]  # full path: table + key
    start: int  # offset where the value starts
    end: int  # offset just past the value (before any trailing comment)
    end_line: int  # 1-based line where the value ends


@dataclass(frozen=True)
class _Header:
    line: int
    path: tuple[str, ...]
    offset: int


@dataclass(frozen=True)
class _Scan:
    assigns: tuple[_Assign, ...]
    headers: tuple[_Header, ...]

    def find(self, path: tuple[str, ...]) -> _Assign | None:
        return next((a for a in self.assigns if a.path == path), None)

    def line_of(self, path: tuple[str, ...]) -> int | None:
        """The line that sets ``path``, or the nearest enclosing table/inline-table line."""
        for depth in range(len(path), 0, -1):
            prefix = path[:depth]
            found = self.find(prefix)
            if found is not None:
                return found.line
            header = next((h for h in self.headers if h.path == prefix), None)
            if header is not None:
                return header.line
            nested = next((a for a in self.assigns if a.path[:depth] == prefix), None)
            if nested is not None:
                return nested.line
        return None

    def duplicate(self) -> tuple[tuple[str, ...], int] | None:
        seen: set[tuple[str, ...]] = set()
        items = [(a.line, a.path) for a in self.assigns] + [(h.line, h.path) for h in self.headers]
        for line, path in sorted(items):
            if path in seen:
                return path, line
            seen.add(path)
        return None


def _scan(text: str) -> _Scan:
    assigns: list[_Assign] = []
    headers: list[_Header] = []
    table: tuple[str, ...] = ()
    pos = 0
    while pos < len(text):
        line_end = text.find("\n", pos)
        if line_end < 0:
            line_end = len(text)
        lineno = text.count("\n", 0, pos) + 1
        header = _HEADER.match(text, pos, line_end)
        assign = None if header else _ASSIGN.match(text, pos, line_end)
        if header:
            table = _split_path(header.group(1))
            headers.append(_Header(lineno, table, pos))
        elif assign:
            start = assign.end()
            end = _value_end(text, start)
            assigns.append(
                _Assign(
                    lineno,
                    table + _split_path(assign.group(1)),
                    start,
                    end,
                    text.count("\n", 0, end) + 1,
                )
            )
            line_end = text.find("\n", end)
            if line_end < 0:
                line_end = len(text)
        pos = line_end + 1
    return _Scan(tuple(assigns), tuple(headers))


def _value_end(text: str, start: int) -> int:
    """Offset just past a TOML value starting at ``start``: strings, arrays and inline tables."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                if quote[0] == '"' and text[i] == "\\":
                    i += 1
                elif len(quote) == 1 and text[i] == "\n":
                    break
                i += 1
            i += len(quote)
            continue
        if c == "#":
            if depth == 0:
                break
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        elif c == "\n" and depth <= 0:
            break
        i += 1
    i = min(i, n)
    while i > start and text[i - 1] in " \t\r":
        i -= 1
    return i


# ---------------------------------------------------------------------------------------------
# Editing


def set_policy_value(text: str, dotted_key: str, raw_value: str) -> str:
    """Return ``text`` with one key set, comments and layout kept; the result is validated.

    ``dotted_key`` is a top-level key (``expiring_soon_days``) or ``max_lifetime_days.ENV``.
    ``raw_value`` is what the user typed: a number of days (``30`` or ``30d``), a TOML array or a
    comma-separated list (``prod,live``) for list keys.
    """
    path = tuple(part.strip() for part in dotted_key.strip().split("."))
    key = path[0]
    if key not in KNOWN_KEYS:
        raise PolicyError(
            f"unknown policy key {dotted_key!r} (known keys: {', '.join(KNOWN_KEYS)})"
        )
    if key in _TABLE_KEYS:
        if len(path) != 2 or not path[1]:
            raise PolicyError(f"set one environment at a time, for example {key}.prod")
        try:
            env = validate.environment(path[1])
        except ValidationError as exc:
            raise PolicyError(f"{dotted_key}: {exc}") from None
        path = (key, env)
    elif len(path) != 1:
        raise PolicyError(f"{key} has no sub-keys; use: {key} VALUE")
    literal = _literal(key, dotted_key, raw_value)
    new_text = _replace_or_insert(text, path, literal)
    parse_policy(new_text)
    return new_text


def _literal(key: str, dotted_key: str, raw_value: str) -> str:
    raw = raw_value.strip()
    if key in _INT_KEYS or key in _TABLE_KEYS:
        number = raw[:-1] if raw.lower().endswith("d") else raw
        if not re.fullmatch(r"-?\d{1,9}", number):
            raise PolicyError(f"{dotted_key}: expected a whole number of days, got {raw_value!r}")
        return str(int(number))
    if raw.startswith("["):
        try:
            items = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            raise PolicyError(f"{dotted_key}: {raw_value!r} is not a valid list") from None
        if not all(isinstance(item, str) for item in items):
            raise PolicyError(f"{dotted_key}: expected a list of strings")
        words = [str(item) for item in items]
    else:
        words = [w.strip() for w in raw.split(",") if w.strip()]
    return "[" + ", ".join(json.dumps(w, ensure_ascii=False) for w in words) + "]"


def _replace_or_insert(text: str, path: tuple[str, ...], literal: str) -> str:
    scan = _scan(text)
    found = scan.find(path)
    if found is not None:
        return text[: found.start] + literal + text[found.end :]
    if len(path) == 2 and scan.find(path[:1]) is not None:
        raise PolicyError(
            f"{path[0]} is written as an inline table in the policy file; edit the file by hand"
        )
    key_text = path[-1] if len(path) == 1 else path[1]
    if len(path) == 2:
        header = next((h for h in scan.headers if h.path == path[:1]), None)
        if header is None:
            dotted = [a for a in scan.assigns if a.path[:1] == path[:1]]
            if dotted:
                return _insert_after(text, dotted[-1].end, f"{path[0]}.{key_text} = {literal}")
            prefix = text if not text or text.endswith("\n") else text + "\n"
            return f"{prefix}\n[{path[0]}]\n{key_text} = {literal}\n"
        in_table = [a for a in scan.assigns if a.path[:1] == path[:1] and a.line > header.line]
        anchor = in_table[-1].end if in_table else _line_end(text, header.offset)
        return _insert_after(text, anchor, f"{key_text} = {literal}")
    first_header = scan.headers[0].line if scan.headers else None
    root = [
        a
        for a in scan.assigns
        if len(a.path) == 1 and (first_header is None or a.line < first_header)
    ]
    line = f"{key_text} = {literal}"
    if root:
        return _insert_after(text, root[-1].end, line)
    if scan.headers:
        offset = scan.headers[0].offset
        return text[:offset] + line + "\n\n" + text[offset:]
    prefix = text if not text or text.endswith("\n") else text + "\n"
    return prefix + line + "\n"


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _insert_after(text: str, offset: int, line: str) -> str:
    """Insert ``line`` as a new line after the line containing ``offset``."""
    end = _line_end(text, offset)
    if end == len(text):
        return text + "\n" + line + "\n"
    return text[: end + 1] + line + "\n" + text[end + 1 :]


# ---------------------------------------------------------------------------------------------
# Output


def format_span(span: timedelta) -> str:
    """``timedelta(days=1, hours=12)`` -> ``1d12h``; zero -> ``0s`` (the form the file uses)."""
    seconds = int(span.total_seconds())
    if seconds <= 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def policy_as_dict(p: Policy) -> dict[str, object]:
    """The policy as JSON-able data, keyed like the file (spans as text, "off" as None)."""
    return {
        "expiring_soon_days": p.expiring_soon_days,
        "notify_before": [format_span(s) for s in p.notify_before],
        "default_rotation_days": p.default_rotation_days,
        "prod_envs": list(p.prod_envs),
        "require_cidr_envs": list(p.require_cidr_envs),
        "wildcard_scopes": list(p.wildcard_scopes),
        "scoped_providers": list(p.scoped_providers),
        "max_lifetime_days": dict(p.max_lifetime_days),
    }
