"""The command-line grammar. Building it imports nothing heavy, so ``--help`` is instant."""

from __future__ import annotations

import argparse

from vault_app import __version__

EPILOG = (
    "Secret values are read from standard input, never from arguments. "
    "Unlock order: OS keyring, --passphrase-file, VAULT_APP_PASSPHRASE (automation), prompt."
)


class Parser(argparse.ArgumentParser):
    """argparse with our one-line error format (exit 2 for usage errors)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"vault-app: error: {message}\n(see `{self.prog} --help`)\n")


def _record_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--provider", help="provider id (detected from the token when left out)")
    p.add_argument("--kind", help="token kind (detected from the token when left out)")
    p.add_argument(
        "--expires",
        metavar="WHEN",
        help="ISO 8601 date/time or a span such as 90d, 12h; 'never' clears it",
    )
    p.add_argument("--not-before", metavar="WHEN", help="not valid before this time")
    p.add_argument("--scope", action="append", metavar="S", help="a scope (repeatable)")
    p.add_argument("--cidr", action="append", metavar="CIDR", help="an allowed address block")
    p.add_argument(
        "--country", action="append", metavar="CC", help="an allowed country (ISO alpha-2)"
    )
    p.add_argument(
        "--endpoint",
        action="append",
        metavar="'METHOD /path'",
        help="an allowed endpoint pattern (* one segment, ** any depth)",
    )
    p.add_argument(
        "--resource", action="append", metavar="R", help="a resource the token may touch"
    )
    p.add_argument("--tag", action="append", metavar="T", help="a tag (repeatable)")
    p.add_argument("--note", metavar="TEXT", help="free-form notes (no secrets, please)")
    p.add_argument("--rotate-every", type=int, metavar="DAYS", help="rotation interval in days")
    p.add_argument(
        "--provider-option",
        action="append",
        metavar="KEY=VALUE",
        help="a setting for the provider adapter (repeatable; KEY= removes it)",
    )


def build() -> Parser:
    parser = Parser(
        prog="vault-app", description="A vault for developers' API tokens.", epilog=EPILOG
    )
    parser.add_argument("--version", action="version", version=f"vault-app {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="the vault folder (default: user data folder; or VAULT_APP_HOME)",
    )
    parser.add_argument(
        "--passphrase-file", metavar="FILE", help="read the passphrase from the first line of FILE"
    )
    parser.add_argument(
        "--no-keyring",
        dest="use_keyring",
        action="store_false",
        help="do not use the OS keyring for this command",
    )
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser("init", help="create a new vault")
    p.add_argument(
        "--no-keyring",
        dest="init_no_keyring",
        action="store_true",
        help="keep the key under a passphrase only",
    )
    p.add_argument(
        "--passphrase",
        dest="want_passphrase",
        action="store_true",
        help="also protect the key with a passphrase when the keyring is used",
    )

    p = sub.add_parser("add", help="store a token (value read from stdin)")
    p.add_argument("name")
    p.add_argument("--env", required=True)
    _record_options(p)

    p = sub.add_parser("edit", help="change a token's metadata, or its value with --value-stdin")
    p.add_argument("name")
    p.add_argument("--env")
    _record_options(p)
    p.add_argument("--value-stdin", action="store_true", help="read a new value from stdin")

    p = sub.add_parser("list", aliases=["ls"], help="list tokens (never decrypts a value)")
    p.add_argument("--env")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", help="show one token's metadata and constraints")
    p.add_argument("name")
    p.add_argument("--env")
    p.add_argument("--json", action="store_true")
    p.add_argument("--reveal", action="store_true", help="include the secret value")

    p = sub.add_parser("copy", help="copy a token to the clipboard, cleared after a delay")
    p.add_argument("name")
    p.add_argument("--env")
    p.add_argument("--clear-after", type=int, default=30, metavar="SECONDS")

    p = sub.add_parser("rm", help="delete a token")
    p.add_argument("name")
    p.add_argument("--env", required=True)

    p = sub.add_parser("import", help="import tokens (all or nothing)")
    p.add_argument("file")
    p.add_argument(
        "--format", choices=["json", "dotenv", "keepassxc-csv", "keepassxc-xml"], default="json"
    )
    p.add_argument("--replace", action="store_true", help="overwrite tokens that already exist")
    p.add_argument("--env", help="the environment (dotenv: required; keepassxc: instead of groups)")
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")

    p = sub.add_parser("export", help="export tokens with their values")
    p.add_argument("file")
    p.add_argument("--format", choices=["json"], default="json")
    p.add_argument("--plaintext", action="store_true", help="required: the file holds plain values")

    p = sub.add_parser("audit", help="show the audit log")
    p.add_argument("--json", action="store_true")
    p.add_argument("--verify", action="store_true", help="check the hash chain")
    p.add_argument("--limit", type=int, metavar="N")

    p = sub.add_parser("passwd", help="set or change the passphrase (rewraps the key)")
    p = sub.add_parser("keyring", help="keep the key in the OS keyring, or stop doing so")
    p.add_argument("action", choices=["enable", "disable", "status"])

    p = sub.add_parser("inspect", help="what a token says about itself (value on stdin; stores nothing)")
    p.add_argument("name", nargs="?", help="a stored token, with --live: ask its provider")
    p.add_argument("--env")
    p.add_argument("--live", action="store_true", help="ask the provider (stored token)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("check", help="would a request be within the token's constraints?")
    p.add_argument("name")
    p.add_argument("--env")
    p.add_argument("--ip", help="the client address of the request")
    p.add_argument("--endpoint", metavar="'METHOD /path'")
    p.add_argument("--scope", action="append", metavar="S", help="a scope the request needs")
    p.add_argument("--at", metavar="WHEN", help="when (default now)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("health", help="risky tokens: reuse, expiry, wildcard scopes, ...")
    p.add_argument("--env")
    p.add_argument("--json", action="store_true")
    p.add_argument("--fail-on", choices=["critical", "warning"],
                   help="exit 3 when a finding is at or above this severity")

    p = sub.add_parser("config", help="show or set the policy (policy.toml in the vault folder)")
    p.add_argument("key", nargs="?", help="e.g. expiring_soon_days, max_lifetime_days.prod")
    p.add_argument("value", nargs="?")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("scan", help="find the vault's token values in files and folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.add_argument("--fail", action="store_true", help="exit 3 when a value is found")

    p = sub.add_parser("rotate", help="rotate a token through its provider (staged, resumable)")
    p.add_argument("name", nargs="?")
    p.add_argument("--env")
    p.add_argument("--due", action="store_true", help="rotate every token whose interval passed")
    p.add_argument("--dry-run", action="store_true", help="show the steps; change nothing")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("versions", help="a token's current/pending/previous values and rotations")
    p.add_argument("name")
    p.add_argument("--env")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="rotation runs to show")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("rollback", help="abandon an interrupted rotation, or restore the previous value")
    p.add_argument("name")
    p.add_argument("--env")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    p = sub.add_parser("rotation", help="interrupted rotation runs: status, resume")
    p.add_argument("action", choices=["status", "resume"])
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("run", help="run a command with tokens in its environment (masked output)")
    p.add_argument("--env", help="inject every token of this environment")
    p.add_argument("--only", metavar="NAME,...", help="only these tokens of --env")
    p.add_argument("--env-file", metavar="FILE", help="NAME=value lines; vault://[ENV/]NAME resolved")
    p.add_argument("--no-masking", action="store_true", help="do not filter the command's output")
    p.add_argument("run_command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")

    p = sub.add_parser("inject", help="resolve vault:// references in a template (plaintext out)")
    p.add_argument("-i", "--input", required=True, metavar="TEMPLATE", help="the template ('-': stdin)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (0600) instead of stdout")
    p.add_argument("--env", help="the environment of references without one")

    p = sub.add_parser("backup", help="write an encrypted backup (asks for its passphrase)")
    p.add_argument("file")
    p.add_argument("--backup-passphrase-file", metavar="FILE", help="the backup's passphrase")

    p = sub.add_parser("restore", help="restore a backup into a new vault folder (--home DIR)")
    p.add_argument("file")
    p.add_argument("--backup-passphrase-file", metavar="FILE", help="the backup's passphrase")

    sub.add_parser("gui", help="open the desktop app")
    return parser
