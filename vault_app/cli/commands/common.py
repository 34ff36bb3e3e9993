"""Opening the vault for a command, and printing."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vault_app.cli.secrets_in import existing_passphrase
from vault_app.core.clock import SystemClock
from vault_app.core.secret import Secret
from vault_app.services.home import VaultHome
from vault_app.services.vault import Vault


def home_of(args: argparse.Namespace) -> VaultHome:
    return VaultHome.resolve(args.home)


def open_vault(args: argparse.Namespace) -> Vault:
    def ask() -> Secret | None:
        return existing_passphrase(args.passphrase_file)

    vault = Vault.open(home_of(args), ask, clock=SystemClock(), use_keyring=args.use_keyring)
    if vault.failed_unlocks:
        note(f"{vault.failed_unlocks} failed unlock attempt(s) since the last successful unlock")
    if getattr(args, "command", None) not in ("rotate", "rollback", "rotation"):
        stuck = vault.interrupted_rotations()
        if stuck:
            names = ", ".join(f"{r.name} ({r.env})" for r in stuck)
            note(f"an interrupted rotation is waiting for {names}: see `vault-app rotation status`")
    return vault


def note(message: str) -> None:
    print(f"vault-app: {message}", file=sys.stderr)


def warn(message: str) -> None:
    print(f"vault-app: warning: {message}", file=sys.stderr)


def print_json(data: Any) -> None:
    """Indented for a person at a terminal; compact (C encoder, ~4x faster) for a pipe."""
    if sys.stdout.isatty():
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def print_json_bytes(document: bytes) -> None:
    """A JSON document that arrives as compact UTF-8: as it is for a pipe, indented for a
    terminal."""
    if sys.stdout.isatty():
        print_json(json.loads(document))
        return
    # Straight to the byte stream: a listing is megabytes, and the text layer would copy it again.
    sys.stdout.flush()
    out = sys.stdout.buffer
    out.write(document)
    out.write(b"\n")
    out.flush()
