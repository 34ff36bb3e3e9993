"""Where secrets come from on the command line: stdin, a file, the environment, a terminal prompt.

Never from argv: arguments are visible to every user on the machine through the process list.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from vault_app.core.errors import ValidationError
from vault_app.core.secret import Secret

PASSPHRASE_ENV = "VAULT_APP_PASSPHRASE"


def value_from_stdin() -> Secret:
    if sys.stdin is None or sys.stdin.isatty():
        raise ValidationError(
            "pipe the token value on standard input, e.g. `pbpaste | vault-app add ...` "
            "or `vault-app add ... < token.txt`"
        )
    data = sys.stdin.buffer.read(64 * 1024 + 2)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("the token value on stdin is not UTF-8 text") from None
    return Secret(text.strip())


def passphrase_from_file(path: str) -> Secret:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"cannot read the passphrase file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ValidationError(f"the passphrase file {path} is not UTF-8 text") from None
    line = raw.splitlines()[0] if raw else ""
    if not line:
        raise ValidationError(f"the passphrase file {path} is empty")
    return Secret(line)


def _tty_prompt(prompt: str) -> str | None:
    try:
        with open("/dev/tty", "r+b", buffering=0):
            pass
    except OSError:
        return None
    import getpass

    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        return None


def existing_passphrase(passphrase_file: str | None) -> Secret | None:
    """For unlocking: file, then environment, then a prompt on the terminal."""
    if passphrase_file:
        return passphrase_from_file(passphrase_file)
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return Secret(env)
    answer = _tty_prompt("Vault passphrase: ")
    return Secret(answer) if answer else None


def new_passphrase(passphrase_file: str | None, *, required: bool) -> Secret | None:
    """For init/passwd: file, environment, or asked twice on the terminal with a strength hint."""
    if passphrase_file:
        return passphrase_from_file(passphrase_file)
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return Secret(env)
    first = _tty_prompt("New passphrase: ")
    if first is None:
        if required:
            raise ValidationError(
                "a passphrase is needed: run in a terminal, or use --passphrase-file FILE"
            )
        return None
    from vault_app.services.vault import strength_hint

    hint = strength_hint(first)
    if hint:
        print(f"vault-app: note: passphrase {hint}", file=sys.stderr)
    second = _tty_prompt("Repeat passphrase: ")
    if second != first:
        raise ValidationError("the passphrases do not match; nothing was changed")
    return Secret(first)
