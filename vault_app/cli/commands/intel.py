"""inspect (what a token says about itself) and check (would a request be within its limits)."""

from __future__ import annotations

import argparse
import sys

from vault_app.cli.commands.common import open_vault, print_json
from vault_app.cli.secrets_in import value_from_stdin
from vault_app.core.errors import ValidationError
from vault_app.services.intel import check_request, inspect_value

EXIT_DENIED = 3


def inspect_cmd(args: argparse.Namespace) -> int:
    if args.name:
        if not args.live:
            raise ValidationError("inspecting a stored token asks its provider: add --live")
        from vault_app.cli.commands.rotation import live_inspect  # type: ignore[import-not-found, unused-ignore]

        return int(live_inspect(args))
    found = inspect_value(value_from_stdin())
    if args.json:
        print_json(found)
        return 0
    if found["provider"] is None:
        sys.stdout.write("not recognised: no known token format matches\n")
    for key, value in found.items():
        if key in ("claims", "warnings", "claims_verified") or value in (None, [], {}, False):
            continue
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else value
        sys.stdout.write(f"{key.replace('_', ' '):<17}{shown}\n")
    claims = found.get("claims")
    if isinstance(claims, dict):
        sys.stdout.write("claims (UNVERIFIED: the signature was not checked)\n")
        for part in ("header", "payload"):
            for key, value in (claims.get(part) or {}).items():
                sys.stdout.write(f"  {part}.{key:<12}{value}\n")
    warnings = found.get("warnings")
    for warning in warnings if isinstance(warnings, list) else []:
        sys.stdout.write(f"warning          {warning}\n")
    return 0


def check_cmd(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        record, evaluation = check_request(
            vault, args.name, args.env, ip=args.ip, endpoint=args.endpoint,
            scopes=args.scope or [], at=args.at,
        )
    if args.json:
        print_json({"name": record.name, "env": record.env, **evaluation.to_json()})
    else:
        verdict = "ALLOWED" if evaluation.allowed else "DENIED"
        sys.stdout.write(f"{verdict}: {record.name} ({record.env})\n")
        for result in evaluation.results:
            sys.stdout.write(f"  {result.rule:<11}{result.outcome:<15}{result.reason}\n")
    return 0 if evaluation.allowed else EXIT_DENIED
