"""init, passwd, keyring: how the vault's key is kept."""

from __future__ import annotations

import argparse

from vault_app.cli.commands.common import home_of, note, open_vault, print_json
from vault_app.cli.secrets_in import new_passphrase
from vault_app.core.clock import SystemClock
from vault_app.core.errors import ValidationError
from vault_app.services.vault import Vault, keyring_status


def init(args: argparse.Namespace) -> int:
    home = home_of(args)
    use_keyring = args.use_keyring and not args.init_no_keyring
    status = keyring_status()
    keyring_ok = use_keyring and status.usable
    secret = new_passphrase(args.passphrase_file, required=not keyring_ok or args.want_passphrase)
    if use_keyring and not status.usable:
        if secret is None:
            raise ValidationError(f"no usable OS keyring here ({status.reason}); give a passphrase")
        note(f"no usable OS keyring ({status.reason}): the vault opens with its passphrase")
        use_keyring = False
    with Vault.create(
        home, passphrase_value=secret, use_keyring=use_keyring, clock=SystemClock()
    ) as vault:
        how = " and ".join(
            w
            for w, on in (
                ("the OS keyring", vault.keyring_enabled),
                ("a passphrase", vault.passphrase_enabled),
            )
            if on
        )
        note(f"created a vault at {home.root}, unlocked by {how}")
    return 0


def passwd(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        # The new passphrase never comes from the file/variable used to unlock.
        secret = new_passphrase(None, required=True)
        assert secret is not None
        vault.change_passphrase(secret)
        note("passphrase changed (the key was rewrapped; the data was not re-encrypted)")
    return 0


def keyring_cmd(args: argparse.Namespace) -> int:
    if args.action == "status":
        status = keyring_status()
        print_json({"usable": status.usable, "backend": status.backend, "reason": status.reason})
        return 0
    with open_vault(args) as vault:
        vault.set_keyring(args.action == "enable")
        note(f"OS keyring {args.action}d for this vault")
    return 0
