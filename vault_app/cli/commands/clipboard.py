"""copy: the value goes to a clipboard-holding child process through a pipe."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from vault_app.cli.commands.common import open_vault
from vault_app.core.errors import ClipboardError, ValidationError


def has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def copy(args: argparse.Namespace) -> int:
    if not 1 <= args.clear_after <= 3600:
        raise ValidationError("--clear-after must be 1-3600 seconds")
    if not has_display():
        raise ClipboardError(
            "no clipboard here (no display): use `vault-app show NAME --reveal`, or "
            "`vault-app run` to pass the token to a command"
        )
    with open_vault(args) as vault:
        record = vault.resolve(args.name, args.env)
        value = vault.reveal(record, "copy")
    label = f"{record.name} ({record.env})"
    env = dict(os.environ)
    if env.get("QT_QPA_PLATFORM") == "offscreen":  # an offscreen clipboard dies with the process
        del env["QT_QPA_PLATFORM"]
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vault_app.gui.clipboard_holder",
            "--clear-after",
            str(args.clear_after),
            "--label",
            label,
        ],
        stdin=subprocess.PIPE,
        env=env,
    )
    assert child.stdin is not None
    try:
        child.stdin.write(value.reveal().encode())
        child.stdin.close()
        return _wait(child)
    except KeyboardInterrupt:
        child.terminate()
        _wait(child)
        return 130


def _wait(child: subprocess.Popen[bytes]) -> int:
    while True:
        try:
            code = child.wait()
        except KeyboardInterrupt:
            child.terminate()
            continue
        if code != 0:
            raise ClipboardError("could not use the clipboard (is the display reachable?)")
        return 0
