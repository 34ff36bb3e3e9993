"""Entry point: no arguments opens the desktop app, anything else is the command line.

Lives outside both front ends so that neither has to import the other, and so that a CLI
command never pays for importing Qt.
"""

from __future__ import annotations

import os
import sys

NO_DISPLAY = (
    "vault-app: error: no display to open the desktop app on (DISPLAY and WAYLAND_DISPLAY are "
    "unset); the command line works without one: try `vault-app list` or `vault-app --help`"
)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    rest = args[2:] if args[:1] == ["--home"] else args
    if rest in ([], ["gui"], ["gui", "--tray"]):
        return run_gui((args[:2] if args[:1] == ["--home"] else []) + rest[1:])
    from vault_app.cli.main import main as cli_main

    return cli_main(args)


def has_display() -> bool:
    """Whether Qt has somewhere to draw; checked first so a headless box gets advice, not an abort."""
    if sys.platform in ("darwin", "win32"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc", "eglfs"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(args: list[str]) -> int:
    """Open the desktop app (``vault-app``, ``vault-app gui``, ``vault-app --home DIR``);
    ``--tray`` (``vault-app gui --tray``, the autostart entry) starts hidden in the tray."""
    home = args[1] if len(args) >= 2 and args[0] == "--home" else None
    tray = "--tray" in args
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    try:
        from vault_app.gui.app import run
    except ImportError as exc:
        # Typically a missing system library of Qt's (libEGL, libxkbcommon): name it.
        print(
            f"vault-app: error: the desktop app cannot start here ({exc}); "
            "the command line still works (`vault-app --help`)",
            file=sys.stderr,
        )
        return 1
    return int(run(home, tray=tray))
