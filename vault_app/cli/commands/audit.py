"""audit: the hash-chained event log."""

from __future__ import annotations

import argparse
import sys

from vault_app.cli.commands.common import open_vault, print_json


def audit_cmd(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        if args.verify:
            result = vault.verify_audit()
            if args.json:
                print_json(
                    {"ok": result.ok, "events": result.events, "problems": list(result.problems)}
                )
            elif result.ok:
                sys.stdout.write(f"audit log intact: {result.events} events\n")
            else:
                sys.stdout.write(f"audit log TAMPERED ({len(result.problems)} problem(s)):\n")
                for problem in result.problems:
                    sys.stdout.write(f"  {problem}\n")
            return 0 if result.ok else 3
        events = vault.audit_events(args.limit)
        if args.json:
            print_json([e.to_json() for e in events])
            return 0
        for e in events:
            who = f"{e.name} ({e.env})" if e.name else ""
            sys.stdout.write(
                f"{e.seq:>6}  {e.at:%Y-%m-%d %H:%M:%S}Z  {e.action:<14} {who} {e.detail}".rstrip()
                + "\n"
            )
    return 0
