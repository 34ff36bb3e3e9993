"""A sentinel secret must never appear where it must not: files, output, logs, errors, argv."""

from __future__ import annotations

import json

from tokens_for_tests import sentinel

from vault_app.core.secret import Secret


def test_sentinel_never_in_vault_files_or_plain_output(vault_cli, tmp_path):
    value = sentinel()
    vault_cli.ok("add", "GITHUB_TOKEN", "--env", "prod", "--scope", "repo", input=value)
    vault_cli.ok("add", "GITHUB_TOKEN", "--env", "dev", input=value)
    vault_cli.ok("edit", "GITHUB_TOKEN", "--env", "dev", "--value-stdin", input=sentinel("B"))
    outputs = [
        vault_cli.ok("list"),
        vault_cli.ok("list", "--json"),
        vault_cli.ok("show", "GITHUB_TOKEN", "--env", "prod"),
        vault_cli.ok("show", "GITHUB_TOKEN", "--env", "prod", "--json"),
        vault_cli.ok("audit", "--json"),
        vault_cli("show", "GITHUB_TOKEN"),  # ambiguous: an error path
        vault_cli("add", "GITHUB_TOKEN", "--env", "prod", input=value),  # conflict path
        vault_cli("add", "BAD NAME", "--env", "prod", input=value),  # validation path
        vault_cli("copy", "GITHUB_TOKEN", "--env", "prod"),  # no-display path
    ]
    for result in outputs:
        assert "SENTINEL" not in result.text
    # Raw bytes of every file in the vault folder: db, -wal, -shm, key file, counters.
    for path in vault_cli.home.iterdir():
        assert b"SENTINEL" not in path.read_bytes(), path.name
    # While a process holds the WAL open too.
    shown = vault_cli.ok("show", "GITHUB_TOKEN", "--env", "prod", "--reveal", "--json")
    assert json.loads(shown.out)["value"] == value


def test_file_and_folder_modes(vault_cli):
    vault_cli.ok("add", "X", "--env", "dev", input="value-123456789")
    assert vault_cli.home.stat().st_mode & 0o777 == 0o700
    for path in vault_cli.home.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path.name


def test_secret_wrapper_hides_the_value():
    secret = Secret(sentinel())
    assert "SENTINEL" not in repr(secret) and "SENTINEL" not in str(secret)
    assert "SENTINEL" not in f"{secret}" and "SENTINEL" not in "%s" % (secret,)  # noqa: UP031
    try:
        raise ValueError(secret)
    except ValueError as exc:
        assert "SENTINEL" not in str(exc)
    assert secret.reveal().startswith("ghp_SENTINEL")


def test_inspect_errors_never_echo_a_whole_value():
    from vault_app.core import validate
    from vault_app.core.errors import ValidationError

    value = sentinel()
    for check in (validate.name, validate.cidr, validate.environment, validate.endpoint):
        try:
            check(value + " !")
        except ValidationError as exc:
            assert value not in str(exc)
