"""A small process that owns the clipboard for ``vault-app copy``.

On X11 the clipboard's contents live in the process that set them, so the command stays in the
foreground (like ``keepassxc-cli clip``) until the delay ends, then clears the clipboard if it
still holds our value. The value arrives on stdin, never in argv.
"""

from __future__ import annotations

import argparse
import signal
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vault-app copy")
    parser.add_argument("--clear-after", type=int, default=30)
    parser.add_argument("--label", default="token")
    args = parser.parse_args(argv)
    value = sys.stdin.read()
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from vault_app.gui import secure_clipboard

    app = QGuiApplication(["vault-app"])
    clipboard = QGuiApplication.clipboard()
    secure_clipboard.put(clipboard, value)
    remaining = [max(args.clear_after, 1)]

    def finish(*_: object) -> None:
        cleared = secure_clipboard.clear_if_ours(clipboard, value)
        message = "clipboard cleared" if cleared else "clipboard changed since; left alone"
        print(f"\rvault-app: {message}{' ' * 20}", file=sys.stderr, flush=True)
        app.quit()

    def tick() -> None:
        remaining[0] -= 1
        if remaining[0] <= 0:
            finish()
            return
        if sys.stderr.isatty():
            print(
                f"\rvault-app: clearing in {remaining[0]:>3} s (Ctrl+C clears now) ",
                end="",
                file=sys.stderr,
                flush=True,
            )

    print(
        f"vault-app: copied {args.label}; clearing in {remaining[0]} s", file=sys.stderr, flush=True
    )
    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(1000)
    # Qt's loop does not see SIGINT/SIGTERM by itself: turn them into a clean clear-and-exit.
    signal.signal(signal.SIGINT, finish)
    signal.signal(signal.SIGTERM, finish)
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
