"""Entry point: no arguments opens the desktop app, anything else is the command line.

Lives outside both front ends so that neither has to import the other, and so that a CLI
command never pays for importing Qt.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] == "gui" or (len(args) == 2 and args[0] == "--home"):
        from vault_app.cli.main import run_gui

        return run_gui(args)
    from vault_app.cli.main import main as cli_main

    return cli_main(args)
