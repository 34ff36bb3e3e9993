"""One function per command; each returns its exit code. Heavy modules are imported per command."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from importlib import import_module

# command -> "module:function", so that only the module a command needs is imported.
_COMMANDS = {
    "init": "keys:init",
    "passwd": "keys:passwd",
    "keyring": "keys:keyring_cmd",
    "add": "records:add",
    "edit": "records:edit",
    "list": "records:list_cmd",
    "ls": "records:list_cmd",
    "show": "records:show",
    "rm": "records:rm",
    "copy": "clipboard:copy",
    "import": "transfer:import_cmd",
    "export": "transfer:export_cmd",
    "audit": "audit:audit_cmd",
    "run": "workflow:run_cmd",
    "inject": "workflow:inject_cmd",
    "backup": "workflow:backup_cmd",
    "restore": "workflow:restore_cmd",
    "rotate": "rotation:rotate",
    "versions": "rotation:versions",
    "rollback": "rotation:rollback",
    "rotation": "rotation:rotation_cmd",
    "inspect": "intel:inspect_cmd",
    "check": "intel:check_cmd",
    "health": "health:health_cmd",
    "config": "health:config_cmd",
    "scan": "health:scan_cmd",
}


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "gui":
        from vault_app.core.errors import VaultError

        raise VaultError("start the desktop app as `vault-app` or `vault-app [--home DIR] gui`")
    module, _, func = _COMMANDS[args.command].partition(":")
    handler: Callable[[argparse.Namespace], int] = getattr(
        import_module(f"vault_app.cli.commands.{module}"), func
    )
    return handler(args)
