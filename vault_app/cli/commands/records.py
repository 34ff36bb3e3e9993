"""add, edit, list, show, rm."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence

from vault_app.cli.commands.common import note, open_vault, print_json, print_json_bytes, warn
from vault_app.cli.secrets_in import value_from_stdin
from vault_app.core.health import Finding
from vault_app.core.model import RecordRef, TokenRecord
from vault_app.services.health import SEVERITIES, findings_by_record
from vault_app.services.inputs import TokenFields, parse_fields
from vault_app.services.vault import Vault
from vault_app.services.views import countdown, iso, record_json


def _fields(args: argparse.Namespace, vault: Vault) -> TokenFields:
    return parse_fields(
        vault.clock.now(),
        provider=args.provider,
        kind=args.kind,
        expires=args.expires,
        not_before=args.not_before,
        rotate_every=args.rotate_every,
        scopes=args.scope,
        cidrs=args.cidr,
        countries=args.country,
        endpoints=args.endpoint,
        resources=args.resource,
        tags=args.tag,
        notes=args.note,
        provider_options=args.provider_option,
    )


def add(args: argparse.Namespace) -> int:
    value = value_from_stdin()
    with open_vault(args) as vault:
        change = vault.add(args.name, args.env, value, _fields(args, vault))
        for message in change.warnings:
            warn(message)
        reused = [r for r in vault.holders_of(value) if r != RecordRef(change.record.name, change.record.env)]
        if reused:
            where = ", ".join(f"{r.name} ({r.env})" for r in reused)
            warn(f"the same value is already stored as {where}")
        note(f"added {change.record.name} ({change.record.env}){_described(change.record)}")
    return 0


def edit(args: argparse.Namespace) -> int:
    value = value_from_stdin() if args.value_stdin else None
    with open_vault(args) as vault:
        change = vault.edit(args.name, args.env, _fields(args, vault), value)
        for message in change.warnings:
            warn(message)
        note(f"updated {change.record.name} ({change.record.env})")
    return 0


def list_cmd(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        if args.json:
            print_json_bytes(vault.list_json(args.env))
            return 0
        overview = vault.overview(args.env)
        records = overview.records
        now = vault.clock.now()
        within = vault.policy().expiring_within_seconds
        findings = findings_by_record(overview.health)
        if not records:
            note(
                "no tokens" + (f" in {args.env}" if args.env else "") + " yet: add one with "
                "`vault-app add NAME --env ENV < token.txt`"
            )
            return 0
        rows = [("NAME", "ENV", "PROVIDER", "EXPIRES", "STATUS", "FINDINGS", "SCOPES")]
        for r in records:
            status = str(r.status(now, within))
            marks = _worst(findings.get(r.key, []))
            scopes = ",".join(r.constraints.scopes) or "-"
            rows.append(
                (
                    r.name,
                    r.env,
                    r.provider or "-",
                    countdown(r.seconds_left(now)),
                    status,
                    marks,
                    scopes if len(scopes) <= 40 else scopes[:37] + "...",
                )
            )
        _table(rows)
    return 0


def show(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        record = vault.resolve(args.name, args.env)
        reused, findings = vault.record_health(record)
        data = record_json(record, vault.clock.now(), reused,
                           expiring_within_seconds=vault.policy().expiring_within_seconds,
                           findings=findings)

        data["token_info"] = dict(record.token_info)
        if args.reveal:
            data["value"] = vault.reveal(record).reveal()
        if args.json:
            print_json(data)
            return 0
        _print_record(data)
    return 0


def rm(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        record = vault.remove(args.name, args.env)
        note(f"deleted {record.name} ({record.env})")
    return 0


def _worst(findings: Sequence[Finding]) -> str:
    if not findings:
        return "-"
    counts = Counter(str(f.severity) for f in findings)
    return " ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s])


def _described(record: TokenRecord) -> str:
    bits = [b for b in (record.provider, record.kind) if b]
    if record.expires_at:
        bits.append(f"expires {iso(record.expires_at)}")
    return f": {', '.join(bits)}" if bits else ""


def _table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = sys.stdout
    for row in rows:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        out.write("\n")


def _print_record(data: dict[str, object]) -> None:
    sources = data.get("sources") or {}
    assert isinstance(sources, dict)

    def line(label: str, value: object, source_key: str | None = None) -> None:
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value) if value else "(unconstrained)"
        origin = sources.get(source_key or "")
        suffix = f"   [from {origin}]" if origin else ""
        sys.stdout.write(f"{label:<15}{value if value not in (None, '') else '-'}{suffix}\n")

    seconds = data["seconds_left"]
    line("name", data["name"])
    line("environment", data["env"])
    line("provider", data["provider"], "provider")
    line("kind", data["kind"], "kind")
    line("status", f"{data['status']} ({countdown(seconds if isinstance(seconds, int) else None)})")
    line("expires", data["expires_at"] or "never", "expires_at")
    line("not before", data["not_before"], "not_before")
    sys.stdout.write("constraints\n")
    for key, label in (
        ("scopes", "  scopes"),
        ("cidrs", "  cidrs"),
        ("countries", "  countries"),
        ("endpoints", "  endpoints"),
        ("resources", "  resources"),
    ):
        line(label, data[key], key)
    line("tags", data["tags"] if data["tags"] else "-")
    line("rotate every", f"{data['rotate_every_days']} days" if data["rotate_every_days"] else None)
    reused = data["reused_in"]
    if isinstance(reused, list) and reused:
        line("REUSED IN", [f"{r['name']} ({r['env']})" for r in reused])
    findings = data.get("findings")
    for finding in findings if isinstance(findings, list) else []:
        line(finding["severity"].upper(), finding["message"])
    line("version", data["version"])
    line("created", data["created_at"])
    line("updated", data["updated_at"])
    line("last rotated", data["last_rotated_at"])
    if data.get("notes"):
        line("notes", data["notes"])
    info = data.get("token_info")
    if isinstance(info, dict):
        for message in info.get("warnings") or []:
            line("token says", message)
    if "value" in data:
        line("value", data["value"])
