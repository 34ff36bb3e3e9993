"""Importing from other tools: parse, plan (what will be added or changed), then apply at once.

The plan is shown before anything is written, and ``--dry-run`` stops there. Applying goes
through :meth:`Vault.import_items`, one transaction: one bad item and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from vault_app.core import validate
from vault_app.core.errors import ConflictError, ValidationError, VaultError
from vault_app.core.importers import ImportedEntry, Parsed, Skipped, dotenv, keepassxc
from vault_app.services.inputs import TokenFields
from vault_app.services.vault import Change, ImportItem, Vault, check_value

FOREIGN_FORMATS = ("dotenv", "keepassxc-csv", "keepassxc-xml")


@dataclass(frozen=True, slots=True)
class PlannedItem:
    """One line of the preview. ``action``: add, replace, or unchanged (same value)."""

    action: str
    name: str
    env: str
    origin: str
    provider: str | None
    kind: str | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class ImportPlan:
    items: tuple[ImportItem, ...]
    planned: tuple[PlannedItem, ...]
    skipped: tuple[Skipped, ...] = ()
    replace_existing: bool = False

    def count(self, action: str) -> int:
        return sum(1 for p in self.planned if p.action == action)


def parse_foreign(
    fmt: str, data: bytes, *, source: str, env: str | None
) -> tuple[list[tuple[ImportItem, str]], tuple[Skipped, ...]]:
    """A foreign file as import items with their origin ("line 3 (API_KEY)") for messages."""
    if fmt == "keepassxc-xml":
        parsed = keepassxc.parse_xml(data, source=source)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(f"{source}: not UTF-8 text") from None
        if fmt == "dotenv":
            if env is None:
                raise ValidationError("a .env file says no environment: give --env ENV")
            parsed = dotenv.parse(text, source=source)
        elif fmt == "keepassxc-csv":
            parsed = keepassxc.parse_csv(text, source=source)
        else:
            raise ValidationError(f"unknown import format {fmt!r}")
    return _items(parsed, env, source), parsed.skipped


def _items(parsed: Parsed, env: str | None, source: str) -> list[tuple[ImportItem, str]]:
    chosen = validate.environment(env) if env else None
    out: list[tuple[ImportItem, str]] = []
    for entry in parsed.entries:
        where = f"{source}: {entry.origin}"
        target = chosen or entry.env
        if target is None:
            raise ValidationError(
                f"{where} is in the root group, which names no environment: give --env ENV"
            )
        out.append((_item(entry, target), where))
    return out


def _item(entry: ImportedEntry, env: str) -> ImportItem:
    fields = TokenFields(expires_at=entry.expires_at) if entry.expires_at else TokenFields()
    return ImportItem(entry.name, env, entry.value, fields)


def plan(
    vault: Vault,
    items: Sequence[tuple[ImportItem, str]],
    *,
    replace_existing: bool,
    skipped: tuple[Skipped, ...] = (),
) -> ImportPlan:
    """What importing ``items`` would do, checked as far as possible without writing."""
    from vault_app.core.tokens import detect

    existing = {r.key for r in vault.records()}
    seen: dict[tuple[str, str], str] = {}
    planned: list[PlannedItem] = []
    checked: list[ImportItem] = []
    for item, origin in items:
        try:
            name, env = validate.name(item.name), validate.environment(item.env)
            value = check_value(item.value)
        except VaultError as exc:
            raise ValidationError(f"{origin}: {exc}") from None
        key = (name, env)
        if key in seen:
            raise ValidationError(
                f"{origin} and {seen[key]} both become {name} in {env}: rename one of them"
            )
        seen[key] = origin
        action = "add"
        if key in existing:
            if not replace_existing:
                raise ConflictError(
                    f"{name} already exists in {env} ({origin}): use --replace to overwrite; "
                    "nothing was imported"
                )
            same = any(ref.name == name and ref.env == env for ref in vault.holders_of(value))
            action = "unchanged" if same else "replace"
        found = detect(value.reveal())
        given = item.fields.expires_at
        planned.append(
            PlannedItem(
                action=action,
                name=name,
                env=env,
                origin=origin,
                provider=found.provider,
                kind=found.kind,
                expires_at=given if isinstance(given, datetime) else found.expires_at,
            )
        )
        checked.append(ImportItem(name, env, value, item.fields))
    return ImportPlan(tuple(checked), tuple(planned), skipped, replace_existing)


def apply(vault: Vault, import_plan: ImportPlan) -> list[Change]:
    """Write the plan in one transaction; values already stored unchanged are left alone."""
    unchanged = {(p.name, p.env) for p in import_plan.planned if p.action == "unchanged"}
    wanted = [i for i in import_plan.items if (i.name, i.env) not in unchanged]
    if not wanted:
        return []
    return vault.import_items(wanted, replace_existing=import_plan.replace_existing)


def json_items(items: Sequence[ImportItem]) -> list[tuple[ImportItem, str]]:
    """JSON items (parsed by the front end) with an origin for messages."""
    return [(item, f"item {n} ({item.name})") for n, item in enumerate(items, start=1)]


__all__ = [
    "FOREIGN_FORMATS",
    "ImportPlan",
    "PlannedItem",
    "Skipped",
    "apply",
    "json_items",
    "parse_foreign",
    "plan",
]
