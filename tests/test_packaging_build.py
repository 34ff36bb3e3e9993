"""The packages a user installs: the sdist and wheel in a fresh venv, and the PyInstaller bundle.

Each build test makes its packages from this checkout into a temporary folder and runs what came
out as a user would: the console script, ``python -m vault_app``, and a CLI round trip on a
temporary vault (the passphrase in the environment, the token on stdin: never in argv).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
from support import PASSPHRASE, REQUIRE_SYSTEM
from tokens_for_tests import github_pat

ROOT = Path(__file__).resolve().parents[1]
HICOLOR = ROOT / "packaging" / "linux" / "icons" / "hicolor"
SIZES = (16, 32, 48, 64, 128, 256, 512)
PROVIDERS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"][
    "vault_app.providers"
]


def _require_module(name: str, why: str) -> None:
    """Skip on a laptop without the build tool; with VAULT_APP_REQUIRE_SYSTEM=1 (CI) fail instead."""
    found = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True).returncode == 0
    if not found:
        message = f"needs the Python package {name} ({why}; in the test extra)"
        if REQUIRE_SYSTEM:
            pytest.fail(f"VAULT_APP_REQUIRE_SYSTEM=1 but this environment lacks it: {message}")
        pytest.skip(message)


def _user_env(tmp_path: Path) -> dict[str, str]:
    """A user's environment: no source tree on the path, no display, no keyring, a temporary vault."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_APP_", "PYTHON", "QT_"))}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "VIRTUAL_ENV"):
        env.pop(name, None)
    env["HOME"] = str(tmp_path / "user-home")
    env["XDG_DATA_HOME"] = str(tmp_path / "user-home" / "data")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["VAULT_APP_HOME"] = str(tmp_path / "vault")
    env["VAULT_APP_PASSPHRASE"] = PASSPHRASE
    return env


def _run(argv: list[str | Path], env: dict[str, str], cwd: Path, input: str = "",
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in argv], input=input, capture_output=True, text=True,
                            env=env, cwd=cwd, timeout=timeout, check=False)
    assert result.returncode == 0, f"{argv} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def _cli_round_trip(vault_app: list[str | Path], env: dict[str, str], cwd: Path) -> None:
    """init a passphrase vault, add a token from stdin, and find it again in ``list --json``."""
    _run([*vault_app, "init", "--no-keyring"], env, cwd)
    _run([*vault_app, "add", "GITHUB_TOKEN", "--env", "prod"], env, cwd, input=github_pat() + "\n")
    listed = json.loads(_run([*vault_app, "list", "--json"], env, cwd).stdout)
    assert [(t["name"], t["env"], t["provider"]) for t in listed] == [("GITHUB_TOKEN", "prod", "github")]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


@pytest.mark.parametrize("size", SIZES)
def test_hicolor_png_icons_have_their_size(size):
    assert _png_size(HICOLOR / f"{size}x{size}" / "apps" / "vault-app.png") == (size, size)


def test_scalable_icon_is_the_app_svg():
    svg = (ROOT / "resources" / "icons" / "vault-app.svg").read_bytes()
    assert (HICOLOR / "scalable" / "apps" / "vault-app.svg").read_bytes() == svg


def test_resources_are_found_in_a_source_checkout():
    from vault_app.resources_path import icons_dir, linux_dir

    assert (icons_dir() / "vault-app.svg").is_file()
    assert (linux_dir() / "io.github.vault_app.VaultApp.desktop").is_file()
    assert (linux_dir() / "icons" / "hicolor" / "48x48" / "apps" / "vault-app.png").is_file()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sdist_and_wheel_install_and_run_in_a_fresh_venv(tmp_path):
    _require_module("build", "python -m build makes the sdist and the wheel")
    dist = tmp_path / "dist"
    env = _user_env(tmp_path)
    started = time.monotonic()
    # The wheel is built from the sdist, so a file the sdist forgets is missing from the wheel too.
    _run([sys.executable, "-m", "build", "--outdir", dist, ROOT], {**env, "PYTHONPATH": ""}, tmp_path,
         timeout=600)
    built = time.monotonic() - started
    (sdist,) = dist.glob("vault_app-*.tar.gz")
    (wheel,) = dist.glob("vault_app-*.whl")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {"resources/icons/vault-app.svg", "packaging/linux/io.github.vault_app.VaultApp.desktop",
            "packaging/pyinstaller/vault-app.spec", "setup.py"} <= names
    with zipfile.ZipFile(wheel) as whl:
        files = set(whl.namelist())
    assert {"vault_app/resources/icons/vault-app.svg", "vault_app/resources/screenshots/main-window.png",
            "vault_app/resources/linux/io.github.vault_app.VaultApp.metainfo.xml",
            "vault_app/resources/linux/icons/hicolor/512x512/apps/vault-app.png",
            "vault_app/storage/migrations/0001_initial.sql"} <= files
    assert not any(name.endswith(".sh") for name in files)  # the renderer stays in the sdist

    # A clean venv (no system site-packages): the wheel plus its dependencies from the index.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], env, tmp_path)
    python, script = venv / "bin" / "python", venv / "bin" / "vault-app"
    _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel], env, tmp_path,
         timeout=600)
    installed = time.monotonic() - started - built
    print(f"sdist+wheel built in {built:.1f}s, installed in a fresh venv in {installed:.1f}s")

    version = _run([script, "--version"], env, tmp_path).stdout.strip()
    assert version == f"vault-app {_version()}"
    assert _run([python, "-m", "vault_app", "--version"], env, tmp_path).stdout.strip() == version
    probe = (
        "import sys, vault_app\n"
        "from importlib.resources import files\n"
        "from vault_app.resources_path import icons_dir, linux_dir\n"
        "package = files('vault_app.resources')\n"
        "assert (package / 'icons' / 'vault-app.svg').is_file()\n"
        "assert icons_dir() == package / 'icons', icons_dir()\n"
        "assert (linux_dir() / 'io.github.vault_app.VaultApp.desktop').is_file()\n"
        "assert (linux_dir() / 'io.github.vault_app.VaultApp.metainfo.xml').is_file()\n"
        "assert (linux_dir() / 'icons/hicolor/256x256/apps/vault-app.png').is_file()\n"
        "assert (vault_app.__file__).startswith(sys.prefix), vault_app.__file__\n"
        "from vault_app.gui.icons import ICON_DIR\n"
        "assert ICON_DIR == icons_dir()\n"
        "import vault_app.storage.database as db\n"
        "assert sorted(p.name for p in db.MIGRATIONS.glob('*.sql'))\n"
    )
    _run([python, "-c", probe], env, tmp_path)
    _cli_round_trip([script], env, tmp_path)


def _version() -> str:
    from vault_app import __version__

    return __version__


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_pyinstaller_bundle_runs_the_cli_with_every_adapter(tmp_path):
    _require_module("PyInstaller", "builds the one-folder bundle")
    env = _user_env(tmp_path)
    build_env = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_APP_")}
    started = time.monotonic()
    _run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
          "--distpath", tmp_path / "dist", "--workpath", tmp_path / "build",
          ROOT / "packaging" / "pyinstaller" / "vault-app.spec"], build_env, tmp_path, timeout=1100)
    print(f"PyInstaller bundle built in {time.monotonic() - started:.1f}s")
    app = tmp_path / "dist" / "vault-app"
    binary = app / "vault-app"

    assert _run([binary, "--version"], env, tmp_path).stdout.strip() == f"vault-app {_version()}"
    _cli_round_trip([binary], env, tmp_path)

    # Every adapter of the entry-point group made it in: an unknown adapter's error lists them all.
    _run([binary, "add", "OTHER", "--env", "dev", "--provider-option", "adapter=no-such-adapter"], env,
         tmp_path, input="opaque-test-value\n")
    rotate = subprocess.run([binary, "rotate", "OTHER", "--env", "dev", "--dry-run"], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=60, check=False)
    assert rotate.returncode == 1, rotate.stderr
    assert f"known: {', '.join(sorted(PROVIDERS))})" in rotate.stderr

    # geoip2fast's data file: a country check needs it.
    _run([binary, "edit", "GITHUB_TOKEN", "--env", "prod", "--country", "DE"], env, tmp_path)
    check = subprocess.run([binary, "check", "GITHUB_TOKEN", "--env", "prod", "--ip", "8.8.8.8"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False)
    assert "8.8.8.8 is in US" in check.stdout, check.stdout + check.stderr

    # `copy` starts `sys.executable -m vault_app.gui.clipboard_holder`; in the bundle that is the binary.
    holder = _run([binary, "-m", "vault_app.gui.clipboard_holder", "--help"], env, tmp_path)
    assert "--clear-after" in holder.stdout

    internal = app / "_internal"
    plugins = internal / "PySide6" / "Qt" / "plugins"
    for plugin in ("platforms/libqxcb.so", "platforms/libqoffscreen.so", "iconengines/libqsvgicon.so"):
        assert (plugins / plugin).is_file(), plugin
    assert (internal / "vault_app" / "resources" / "icons" / "vault-app.svg").is_file()
    assert (internal / "vault_app" / "resources" / "linux" / "io.github.vault_app.VaultApp.desktop").is_file()

    # The desktop app starts on the offscreen platform and stays up (no missing plugin or module).
    gui = subprocess.Popen([binary], env={**env, "QT_QPA_PLATFORM": "offscreen"}, cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = gui.communicate(timeout=5)
        pytest.fail(f"the bundled desktop app exited ({gui.returncode}):\n{out}\n{err}")
    except subprocess.TimeoutExpired:
        pass
    finally:
        gui.terminate()
        try:
            gui.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            gui.kill()
            gui.communicate()
