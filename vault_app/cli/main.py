"""Command-line entry: parse, run one command, map errors to exit codes in one place.

Exit codes: 0 ok; 1 an error the user can act on (one line on stderr); 2 usage; 3 a check or
health gate said no; 130 interrupted. No traceback ever reaches the user: an unexpected error
prints one line and, with ``--debug``, the traceback goes to stderr for a bug report.
"""

from __future__ import annotations

import sys

from vault_app.cli.parser import build

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_DENIED = 3


def main(argv: list[str] | None = None) -> int:
    parser = build()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from vault_app.core.errors import VaultError

    try:
        from vault_app.cli import commands

        return commands.dispatch(args)
    except VaultError as exc:
        print(f"vault-app: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("vault-app: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `vault-app list | head`: the reader left; not an error worth a message.
        sys.stderr.close()
        return 0
    except Exception as exc:
        if getattr(args, "debug", False):
            import traceback

            traceback.print_exc()
        # The class name only: an exception's text could echo input we were handed.
        print(
            f"vault-app: error: unexpected internal error ({type(exc).__name__}); "
            "run again with --debug for details",
            file=sys.stderr,
        )
        return EXIT_ERROR
