"""Icons drawn for the app (SVG under ``resources/icons``), loaded once and cached."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"


@cache
def icon(name: str) -> QIcon:
    """``icon("status-ok")``; an empty icon when the file is missing (e.g. a trimmed install)."""
    path = ICON_DIR / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


@cache
def provider_icon(provider: str) -> QIcon:
    path = ICON_DIR / f"provider-{provider}.svg"
    return icon(f"provider-{provider}") if path.exists() else icon("provider-unknown")


def app_icon() -> QIcon:
    return icon("vault-app")
