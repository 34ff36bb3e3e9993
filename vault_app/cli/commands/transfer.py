"""import and export in the JSON shape of ``list --json`` plus ``value``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from vault_app.cli.commands.common import note, open_vault, warn
from vault_app.core.errors import ValidationError
from vault_app.core.secret import Secret
from vault_app.securefs import write_private
from vault_app.services.inputs import parse_fields
from vault_app.services.vault import ImportItem
from vault_app.services.views import record_json

_LIST_FIELDS = ("scopes", "cidrs", "countries", "endpoints", "resources", "tags")


def _items(data: Any, now: Any) -> list[ImportItem]:
    if not isinstance(data, list):
        raise ValidationError("the import file must hold a JSON list of token objects")
    items = []
    for index, obj in enumerate(data, start=1):
        where = f"item {index}"
        if not isinstance(obj, dict):
            raise ValidationError(f"{where}: expected an object")
        for key in ("name", "env", "value"):
            if not isinstance(obj.get(key), str):
                raise ValidationError(f"{where}: '{key}' must be a string")
        for key in _LIST_FIELDS:
            if obj.get(key) is not None and not (
                isinstance(obj[key], list) and all(isinstance(v, str) for v in obj[key])
            ):
                raise ValidationError(f"{where} ({obj['name']}): '{key}' must be a list of strings")
        try:
            fields = parse_fields(
                now,
                provider=obj.get("provider"),
                kind=obj.get("kind"),
                expires=obj.get("expires_at"),
                not_before=obj.get("not_before"),
                rotate_every=obj.get("rotate_every_days"),
                scopes=obj.get("scopes"),
                cidrs=obj.get("cidrs"),
                countries=obj.get("countries"),
                endpoints=obj.get("endpoints"),
                resources=obj.get("resources"),
                tags=obj.get("tags"),
                notes=obj.get("notes"),
            )
        except ValidationError as exc:
            raise ValidationError(f"{where} ({obj['name']}): {exc}") from None
        items.append(ImportItem(obj["name"], obj["env"], Secret(obj["value"]), fields))
    return items


def import_cmd(args: argparse.Namespace) -> int:
    """Parse, show what will be added or changed, then write it all in one transaction."""
    from vault_app.cli.commands.workflow import print_plan
    from vault_app.services import importing

    fmt = getattr(args, "format", "json")
    env = getattr(args, "env", None)
    try:
        raw = Path(args.file).read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read {args.file}: {exc.strerror}") from None
    skipped: tuple[importing.Skipped, ...] = ()
    data: Any = None
    if fmt == "json":
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            raise ValidationError(
                f"{args.file} is not valid JSON" + (f" (line {line})" if line else "")
            ) from None
    else:
        found, skipped = importing.parse_foreign(fmt, raw, source=args.file, env=env)
    with open_vault(args) as vault:
        if fmt == "json":
            found = importing.json_items(_items(data, vault.clock.now()))
        plan = importing.plan(vault, found, replace_existing=args.replace, skipped=skipped)
        print_plan(plan, dry_run=getattr(args, "dry_run", False))
        if getattr(args, "dry_run", False):
            note("dry run: nothing was written")
            return 0
        changes = importing.apply(vault, plan)
        for change in changes:
            for message in change.warnings:
                warn(f"{change.record.name} ({change.record.env}): {message}")
        note(f"imported {len(changes)} token(s)")
    return 0


def export_cmd(args: argparse.Namespace) -> int:
    if not args.plaintext:
        raise ValidationError(
            "export writes every value in plain text: add --plaintext to confirm "
            "(for an encrypted copy, back up the vault folder)"
        )
    with open_vault(args) as vault:
        now = vault.clock.now()
        out = []
        for record, value in vault.export_items():
            obj = record_json(record, now)
            obj["value"] = value.reveal()
            out.append(obj)
        payload = (json.dumps(out, indent=2, ensure_ascii=False) + "\n").encode()
        if args.file == "-":
            sys.stdout.write(payload.decode())
        else:
            write_private(Path(args.file), payload)
        warn(f"{len(out)} token value(s) written in plain text to {args.file}; delete it when done")
    return 0
