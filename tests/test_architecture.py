"""The layering rules, checked mechanically: a wrong import fails here, not in review."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "vault_app"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules() -> list[tuple[str, set[str]]]:
    return [(str(p.relative_to(PACKAGE.parent)), imports_of(p)) for p in PACKAGE.rglob("*.py")]


def test_only_gui_imports_qt():
    offenders = [m for m, imps in modules()
                 if not m.startswith("vault_app/gui/")
                 and any(i.split(".")[0] in ("PySide6", "shiboken6") for i in imps)]
    assert offenders == []


def test_only_storage_imports_sqlcipher():
    offenders = [m for m, imps in modules()
                 if not m.startswith("vault_app/storage/")
                 and any(i.split(".")[0] == "sqlcipher3" for i in imps)]
    assert offenders == []


def test_core_does_no_io_and_knows_no_outer_layer():
    banned = {"PySide6", "sqlcipher3", "sqlite3", "httpx", "keyring", "subprocess", "socket",
              "platformdirs", "shutil"}
    outer = ("vault_app.storage", "vault_app.keystore", "vault_app.services", "vault_app.cli",
             "vault_app.gui", "vault_app.providers", "vault_app.securefs", "vault_app.launcher")
    for module, imps in modules():
        if module.startswith("vault_app/core/"):
            assert not {i.split(".")[0] for i in imps} & banned, module
            assert not [i for i in imps if i.startswith(outer)], module


def test_front_ends_only_use_the_service_layer():
    lower = ("vault_app.storage", "vault_app.keystore", "vault_app.providers")
    for module, imps in modules():
        if module.startswith(("vault_app/cli/", "vault_app/gui/")):
            assert not [i for i in imps if i.startswith(lower)], module


def test_import_linter_contracts_hold():
    beside = Path(sys.executable).with_name("lint-imports")
    lint = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert lint, "import-linter is in the test extra: install with pip install -e '.[test]'"
    result = subprocess.run([lint], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_command_does_not_import_qt():
    code = ("import sys; from vault_app.cli.main import main; "
            "rc = main(['--version']) if False else 0; "
            "import vault_app.cli.commands.records, vault_app.cli.commands.keys; "
            "print(any(m.startswith('PySide6') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PACKAGE.parent)
    assert result.stdout.strip() == "False", result.stderr
