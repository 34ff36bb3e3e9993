"""`vault-app` with no arguments opens the desktop app, or explains why it cannot."""

from __future__ import annotations


def test_no_display_points_to_the_cli(cli):
    result = cli(env={"QT_QPA_PLATFORM": ""})
    assert result.code == 1
    assert "no display" in result.err and "vault-app list" in result.err
    assert "Traceback" not in result.err and "Aborted" not in result.err


def test_gui_subcommand_and_home_form_take_the_same_path(cli, tmp_path):
    for args in (["gui"], ["--home", str(tmp_path / "x")], ["--home", str(tmp_path / "x"), "gui"]):
        result = cli(*args, env={"QT_QPA_PLATFORM": ""})
        assert result.code == 1 and "no display" in result.err


def test_version_and_module_entry(cli):
    result = cli.ok("--version")
    assert result.out.startswith("vault-app ")
