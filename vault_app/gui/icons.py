"""Icons drawn for the app (SVG under ``resources/icons``), loaded once and cached."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from vault_app.resources_path import icons_dir

ICON_DIR = icons_dir()  # the installed package data, or resources/icons in a source checkout


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
