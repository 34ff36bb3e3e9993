"""Entry point: no arguments opens the desktop app, anything else is the command line.

Lives outside both front ends so that neither has to import the other, and so that a CLI
command never pays for importing Qt.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    rest = args[2:] if args[:1] == ["--home"] else args
    if rest in ([], ["gui"]):
        return run_gui(args[:2] if args[:1] == ["--home"] else [])
    from vault_app.cli.main import main as cli_main

    return cli_main(args)


def run_gui(args: list[str]) -> int:
    """Open the desktop app (``vault-app``, ``vault-app gui``, ``vault-app --home DIR``)."""
    home = args[1] if len(args) >= 2 and args[0] == "--home" else None
    try:
        from vault_app.gui.app import run  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        print(
            "vault-app: error: the desktop app is not available in this installation; "
            "use the command line (`vault-app --help`)",
            file=sys.stderr,
        )
        return 1
    return int(run(home))
