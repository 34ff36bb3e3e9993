"""run, inject, backup, restore, and the import preview: the commands of a working day."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vault_app.cli.commands.common import home_of, note, open_vault, warn
from vault_app.cli.secrets_in import existing_passphrase, new_passphrase
from vault_app.core.clock import SystemClock
from vault_app.core.errors import ValidationError
from vault_app.securefs import write_private
from vault_app.services import backup, runner
from vault_app.services.importing import ImportPlan
from vault_app.services.views import iso


def _read_text(path: str, what: str) -> str:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read the {what} {path}: {exc.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(f"the {what} {path} is not UTF-8 text") from None


def run_cmd(args: argparse.Namespace) -> int:
    command = list(args.run_command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise ValidationError("give the command to run after --, e.g. vault-app run --env dev -- make")
    template = _read_text(args.env_file, "env file") if args.env_file else None
    only = args.only.split(",") if args.only else None
    with open_vault(args) as vault:
        injection = runner.prepare(
            vault,
            env=args.env,
            only=only,
            template=template,
            template_source=args.env_file or "",
            purpose="run",
        )
    # The vault is closed before the program starts: a long run holds no lock and no key.
    sys.stdout.flush()
    sys.stderr.flush()
    return runner.run(command, injection, masking=not args.no_masking)


def inject_cmd(args: argparse.Namespace) -> int:
    template = _read_text(args.input, "template")
    with open_vault(args) as vault:
        text = runner.render(vault, template, env=args.env, purpose="inject")
    if args.output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        warn("the output holds secret values in plain text")
        return 0
    write_private(Path(args.output), text.encode())
    warn(f"{args.output} holds secret values in plain text (mode 0600); delete it when done")
    return 0


def backup_cmd(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        secret = new_passphrase(args.backup_passphrase_file, required=True)
        assert secret is not None
        count = backup.write_backup(vault, Path(args.file), secret)
    note(
        f"backed up {count} token(s) to {args.file} (encrypted; restore with "
        "`vault-app --home NEW_DIR restore FILE` and this backup's passphrase)"
    )
    return 0


def restore_cmd(args: argparse.Namespace) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read {args.file}: {exc.strerror}") from None
    home = home_of(args)
    if home.exists():
        # Said before asking for a passphrase, so nobody types one for nothing.
        raise ValidationError(
            f"a vault already exists at {home.root}: restore into a new folder "
            "(vault-app --home NEW_DIR restore FILE); nothing was restored"
        )
    secret = existing_passphrase(args.backup_passphrase_file)
    if secret is None:
        raise ValidationError("the backup's passphrase is needed: run in a terminal, or use "
                              "--backup-passphrase-file FILE")
    contents = backup.restore(
        home, data, secret, use_keyring=args.use_keyring, clock=SystemClock(), label=args.file
    )
    state = "intact" if contents.audit.intact else "NOT intact"
    note(
        f"restored {len(contents.items)} token(s) from a backup made {contents.created_at} "
        f"into {home.root} (its audit log then: {contents.audit.events} event(s), {state}); "
        "the vault's passphrase is the backup's"
    )
    return 0


def print_plan(plan: ImportPlan, *, dry_run: bool) -> None:
    """What an import will do, one line per token, before anything is written."""
    out = sys.stdout
    heading = "would import" if dry_run else "importing"
    out.write(
        f"{heading}: {plan.count('add')} new, {plan.count('replace')} replaced, "
        f"{plan.count('unchanged')} unchanged, {len(plan.skipped)} skipped\n"
    )
    for item in plan.planned:
        about = ", ".join(
            bit
            for bit in (
                item.provider,
                item.kind,
                f"expires {iso(item.expires_at)}" if item.expires_at else None,
            )
            if bit
        )
        out.write(
            f"  {item.action:<9} {item.name} ({item.env})"
            + (f"  {about}" if about else "")
            + f"  <- {item.origin}\n"
        )
    for skipped in plan.skipped:
        out.write(f"  {'skipped':<9} {skipped.origin}: {skipped.reason}\n")
    out.flush()
