"""Where the app's own files are: icons, screenshots, the desktop entry and AppStream metadata.

One answer for every way the app runs. A wheel installs the top-level ``resources/`` folder as
the package ``vault_app.resources`` and ``packaging/linux/`` as its ``linux`` folder (see
setup.py), so there it is the folder next to this module, the same one that
``importlib.resources.files("vault_app.resources")`` gives; the PyInstaller bundle lays the files
out the same way. A source checkout (and an editable install) has both at the top of the
repository. Plain paths, not ``importlib.resources``: QIcon and file copies need real files, and
the lookup then costs no imports.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE.parent


@cache
def resources_dir() -> Path:
    """The folder holding ``icons/`` and ``screenshots/``."""
    installed = PACKAGE / "resources"
    return installed if (installed / "icons").is_dir() else SOURCE_ROOT / "resources"


def icons_dir() -> Path:
    return resources_dir() / "icons"


@cache
def linux_dir() -> Path:
    """The folder holding the .desktop files, the AppStream metainfo and ``icons/hicolor``."""
    installed = resources_dir() / "linux"
    return installed if installed.is_dir() else SOURCE_ROOT / "packaging" / "linux"
