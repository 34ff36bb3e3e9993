"""rotate, versions, rollback, rotation status|resume, and ``inspect NAME --live``."""

from __future__ import annotations

import argparse
import sys

from vault_app.cli.commands.common import note, open_vault, print_json, warn
from vault_app.core.errors import ValidationError
from vault_app.core.secret import Secret
from vault_app.services.rotation import LiveReport, Outcome, Progress, Rotation
from vault_app.services.views import iso

EXIT_ERROR = 1


def _progress(news: Progress) -> None:
    detail = f": {news.detail}" if news.detail else ""
    if news.status != "running" or news.detail:
        print(f"  {news.step:<8}{news.status}{detail}", file=sys.stderr)


def _ask_value(url: str, instructions: str) -> Secret | None:
    """Assisted rotation: show where to go, then read the new value (stdin pipe or terminal)."""
    note(instructions)
    if sys.stdin is not None and not sys.stdin.isatty():
        data = sys.stdin.buffer.read(64 * 1024 + 2)
        try:
            text = data.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise ValidationError("the new value on stdin is not UTF-8 text") from None
        return Secret(text) if text else None
    import getpass

    try:
        text = getpass.getpass("new value (hidden): ").strip()
    except (EOFError, KeyboardInterrupt):
        return None
    return Secret(text) if text else None


def _confirm(question: str) -> bool:
    try:
        with open("/dev/tty", "r+", encoding="utf-8") as tty:
            tty.write(f"{question} [y/N] ")
            tty.flush()
            return tty.readline().strip().lower() in ("y", "yes")
    except OSError:
        raise ValidationError(
            "no terminal to confirm on: add --yes to rotate without asking"
        ) from None


def _outcome_json(o: Outcome) -> dict[str, object]:
    return {
        "name": o.name,
        "env": o.env,
        "state": o.state,
        "ok": o.ok,
        "message": o.message,
        "version": o.version,
        "warnings": list(o.warnings),
        "steps": [{"step": s.step, "status": s.status, "detail": s.detail} for s in o.steps],
    }


def _report(o: Outcome) -> None:
    for message in o.warnings:
        warn(message)
    if o.state == "dry-run":
        print(f"{o.name} ({o.env}): {o.message}")
        for step in o.steps:
            print(f"  would {step.step}")
        return
    if o.ok:
        note(f"{o.name} ({o.env}): {o.state}, version {o.version} is current. {o.message}".rstrip())
    else:
        print(f"vault-app: error: {o.name} ({o.env}): {o.state}: {o.message}", file=sys.stderr)


def rotate(args: argparse.Namespace) -> int:
    if args.due and args.name:
        raise ValidationError("give a NAME or --due, not both")
    if not args.due and not args.name:
        raise ValidationError("give the NAME of a token to rotate (or --due)")
    with open_vault(args) as vault:
        quiet = bool(args.json)
        with Rotation(
            vault, progress=None if quiet else _progress, ask_value=_ask_value
        ) as rotation:
            if args.due:
                due = rotation.due()
                if not due:
                    note("no token is due for rotation")
                    return 0
                names = ", ".join(f"{r.name} ({r.env})" for r in due)
                if not args.dry_run and not args.yes and not _confirm(f"rotate {names}?"):
                    note("nothing was rotated")
                    return 0
                outcomes = rotation.rotate_due(dry_run=args.dry_run)
            else:
                if not args.env:
                    record = vault.resolve(args.name, None)
                    args.env = record.env
                if not args.dry_run and not args.yes:
                    plan = rotation.plan(args.name, args.env)
                    for line in plan.notes:
                        note(line)
                    if not _confirm(f"rotate {plan.record.name} ({plan.record.env}) now?"):
                        note("nothing was rotated")
                        return 0
                outcomes = [rotation.rotate(args.name, args.env, dry_run=args.dry_run)]
        if args.json:
            print_json([_outcome_json(o) for o in outcomes])
        else:
            for outcome in outcomes:
                _report(outcome)
    return 0 if all(o.ok for o in outcomes) else EXIT_ERROR


def versions(args: argparse.Namespace) -> int:
    with open_vault(args) as vault, Rotation(vault) as rotation:
        slots = rotation.versions(args.name, args.env)
        history = rotation.history(args.name, args.env, limit=args.limit)
        if args.json:
            print_json(
                {
                    "versions": [
                        {"label": s.slot, "version": s.version, "stored_at": iso(s.created_at)}
                        for s in slots
                    ],
                    "runs": [
                        {
                            "id": v.run.id,
                            "adapter": v.run.adapter,
                            "state": v.run.state,
                            "from_version": v.run.from_version,
                            "to_version": v.run.to_version,
                            "started_at": iso(v.run.started_at),
                            "ended_at": iso(v.run.ended_at),
                            "message": v.run.message,
                            "steps": [
                                {"at": iso(s.at), "state": s.state, "detail": s.detail}
                                for s in v.steps
                            ],
                        }
                        for v in history
                    ],
                }
            )
            return 0
        print("LABEL     VERSION  STORED")
        for s in slots:
            print(f"{s.slot:<9} {s.version:<8} {iso(s.created_at)}")
        if history:
            print("\nROTATIONS")
            for v in history:
                ended = "running or interrupted" if v.run.open else v.run.state
                print(
                    f"{iso(v.run.started_at)}  v{v.run.from_version} -> v{v.run.to_version}  "
                    f"{v.run.adapter}  {ended}  {v.run.message}".rstrip()
                )
    return 0


def rollback(args: argparse.Namespace) -> int:
    with open_vault(args) as vault, Rotation(vault, progress=_progress) as rotation:
        record = vault.resolve(args.name, args.env)
        if not args.yes and not _confirm(
            f"go back to the previous value of {record.name} ({record.env})?"
        ):
            note("nothing was changed")
            return 0
        outcome = rotation.rollback(record.name, record.env)
        _report(outcome)
    return 0 if outcome.ok else EXIT_ERROR


def rotation_cmd(args: argparse.Namespace) -> int:
    with open_vault(args) as vault, Rotation(vault, progress=_progress) as rotation:
        if args.action == "resume":
            outcomes = rotation.resume_all()
            if not outcomes:
                note("no interrupted rotation")
            for outcome in outcomes:
                _report(outcome)
            return 0 if all(o.ok for o in outcomes) else EXIT_ERROR
        runs = rotation.interrupted()
        if args.json:
            print_json(
                [
                    {
                        "name": i.name,
                        "env": i.env,
                        "adapter": i.adapter,
                        "state": i.state,
                        "started_at": iso(i.started_at),
                        "advice": i.advice,
                    }
                    for i in runs
                ]
            )
            return 0
        if not runs:
            note("no interrupted rotation")
            return 0
        for i in runs:
            print(
                f"{i.name} ({i.env})  {i.adapter}  stopped at {i.state}  since {iso(i.started_at)}"
            )
            print(f"    {i.advice}")
    return 0


def _live_json(report: LiveReport) -> dict[str, object]:
    live = report.live
    return {
        "name": report.record.name,
        "env": report.record.env,
        "adapter": report.adapter,
        "provider": {
            "status": live.status,
            "scopes": None if live.scopes is None else list(live.scopes),
            "expires_at": iso(live.expires_at),
            "not_before": iso(live.not_before),
            "cidrs": None if live.cidrs is None else list(live.cidrs),
            "identity": live.identity,
            "extra": dict(live.extra),
        },
        "vault": {
            "scopes": list(report.record.constraints.scopes),
            "expires_at": iso(report.record.expires_at),
            "cidrs": list(report.record.constraints.cidrs),
        },
        "drift": [
            {"field": d.field, "vault": d.vault, "provider": d.provider} for d in report.drift
        ],
    }


def live_inspect(args: argparse.Namespace) -> int:
    """``vault-app inspect NAME --env ENV --live``: the provider's view beside the vault's."""
    with open_vault(args) as vault, Rotation(vault) as rotation:
        report = rotation.inspect_live(args.name, getattr(args, "env", None))
    if getattr(args, "json", False):
        print_json(_live_json(report))
        return 0
    data = _live_json(report)
    provider = data["provider"]
    ours = data["vault"]
    assert isinstance(provider, dict) and isinstance(ours, dict)

    def shown(value: object) -> str:
        if value is None:
            return "(not said)"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or "(none)"
        return str(value)

    print(f"{report.record.name} ({report.record.env}) via {report.adapter}")
    print(f"{'':<12}{'PROVIDER':<34}VAULT")
    print(f"{'status':<12}{shown(provider['status']):<34}-")
    for key, label in (("scopes", "scopes"), ("expires_at", "expires"), ("cidrs", "cidrs")):
        print(f"{label:<12}{shown(provider[key]):<34}{shown(ours[key])}")
    if provider["identity"]:
        print(f"{'identity':<12}{provider['identity']}")
    for key, value in sorted(report.live.extra.items()):
        print(f"{key:<12}{value}")
    for d in report.drift:
        warn(f"drift in {d.field}: the vault says {d.vault}, the provider says {d.provider}")
    return 0
