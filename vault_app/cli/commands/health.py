"""health, config and scan."""

from __future__ import annotations

import argparse
import sys

from vault_app.cli.commands.common import home_of, note, open_vault, print_json
from vault_app.core.errors import ValidationError
from vault_app.services import policy_file
from vault_app.services.health import SEVERITIES, policy_json, report_at_or_above

EXIT_FOUND = 3
_MARK = {"critical": "!!", "warning": "! ", "info": "i "}


def health_cmd(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        report = vault.health(args.env)
    if args.json:
        print_json(report.to_json())
    else:
        summary = report.summary()
        if not report.findings:
            sys.stdout.write(f"no findings across {summary['tokens']} token(s)\n")
        for finding in report.findings:
            sys.stdout.write(f"{_MARK.get(finding.severity, '  ')} {finding.severity:<8} "
                             f"{finding.code:<27} {finding.message}\n")
        if report.findings:
            sys.stdout.write(
                f"\n{summary['critical']} critical, {summary['warning']} warning, "
                f"{summary['info']} info across {summary['tokens']} token(s)\n"
            )
    if args.fail_on and report_at_or_above(report, args.fail_on):
        return EXIT_FOUND
    return 0


def config_cmd(args: argparse.Namespace) -> int:
    home = home_of(args)
    if not home.exists():
        from vault_app.core.errors import VaultMissingError

        raise VaultMissingError(f"no vault at {home.root} (create one with `vault-app init`)")
    if args.key is None:
        policy = policy_file.load(home)
        if args.json:
            print_json(policy_json(policy))
        else:
            sys.stdout.write(f"# {home.policy}\n")
            sys.stdout.write(policy_file.read_text(home))
        return 0
    if args.value is None:
        data = policy_json(policy_file.load(home))
        head, _, rest = args.key.partition(".")
        if head not in data:
            raise ValidationError(f"unknown policy key {args.key!r}")
        value = data[head]
        if rest:
            if not isinstance(value, dict):
                raise ValidationError(f"unknown policy key {args.key!r}")
            value = value.get(rest)
        print_json(value)
        return 0
    policy_file.set_value(home, args.key, args.value)
    note(f"set {args.key} in {home.policy}")
    return 0


def scan_cmd(args: argparse.Namespace) -> int:
    from vault_app.services.scan import scan

    with open_vault(args) as vault:
        result = scan(vault, args.paths)
    if args.json:
        print_json(result.to_json())
    else:
        for leak in result.leaks:
            extra = f"  <- {leak.note}" if leak.note else ""
            sys.stdout.write(f"{leak.path}:{leak.line}: {leak.name} ({leak.env}){extra}\n")
        s = result
        sys.stdout.write(
            f"{len(s.leaks)} leak(s) in {s.files_scanned} file(s) scanned; skipped "
            f"{s.skipped_binary} binary, {s.skipped_large} over 10 MiB, "
            f"{s.skipped_unreadable} unreadable\n"
        )
    return EXIT_FOUND if result.leaks and args.fail else 0


__all__ = ["SEVERITIES", "config_cmd", "health_cmd", "scan_cmd"]
