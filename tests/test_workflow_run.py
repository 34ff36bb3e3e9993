"""`vault-app run` and `inject` through the real CLI process, with real child programs."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys

import pytest
from tokens_for_tests import github_pat

DEV = "dev-value-" + "d" * 24
PROD = "prod-value-" + "p" * 24


@pytest.fixture
def filled(vault_cli):
    vault_cli.ok("add", "GITHUB_TOKEN", "--env", "dev", input=github_pat())
    vault_cli.ok("add", "API_KEY", "--env", "dev", input=DEV)
    vault_cli.ok("add", "API_KEY", "--env", "prod", input=PROD)
    return vault_cli


def value_of(cli, name, env):
    return json.loads(cli.ok("show", name, "--env", env, "--reveal", "--json").out)["value"]


def py(code: str) -> list[str]:
    return [sys.executable, "-c", code]


DUMP_ENV = "import json, os, sys; json.dump(dict(os.environ), open(sys.argv[1], 'w'))"


def test_child_gets_the_env_values_and_nothing_else(filled, tmp_path):
    dump = tmp_path / "env.json"
    filled.ok("run", "--env", "dev", "--", *py(DUMP_ENV), str(dump))
    seen = json.loads(dump.read_text())
    assert seen["API_KEY"] == DEV
    assert seen["GITHUB_TOKEN"] == value_of(filled, "GITHUB_TOKEN", "dev")
    # Nothing from another environment, and not the passphrase that unlocked the vault.
    assert PROD not in json.dumps(seen)
    assert "VAULT_APP_PASSPHRASE" not in seen
    # The rest of the caller's environment is there (PATH etc.), unchanged.
    assert seen["PATH"] == filled.env["PATH"]
    injected = set(seen) - set(filled.env)
    assert injected == {"API_KEY", "GITHUB_TOKEN"}


def test_values_never_in_the_childs_arguments(filled, tmp_path):
    dump = tmp_path / "argv.json"
    filled.ok(
        "run",
        "--env",
        "dev",
        "--",
        *py("import json, sys; json.dump(sys.argv, open(sys.argv[1], 'w'))"),
        str(dump),
    )
    assert DEV not in dump.read_text()


def test_only_limits_the_tokens(filled, tmp_path):
    dump = tmp_path / "env.json"
    filled.ok("run", "--env", "dev", "--only", "API_KEY", "--", *py(DUMP_ENV), str(dump))
    seen = json.loads(dump.read_text())
    assert seen["API_KEY"] == DEV and "GITHUB_TOKEN" not in seen
    result = filled("run", "--env", "dev", "--only", "API_KEY,NOPE", "--", "true")
    assert result.code == 1 and "NOPE" in result.err


def test_output_is_masked_even_when_split_across_writes(filled):
    # The child writes the value in pieces, flushing and pausing between them, so the pieces
    # reach the masker in separate reads.
    code = (
        "import os, sys, time\n"
        "v = os.environ['API_KEY']\n"
        "for stream in (sys.stdout, sys.stderr):\n"
        "    for piece in ('x' + v[:3], v[3:11], v[11:-1], v[-1:] + ' done\\n'):\n"
        "        stream.write(piece); stream.flush(); time.sleep(0.05)\n"
    )
    result = filled.ok("run", "--env", "dev", "--", *py(code))
    assert DEV not in result.out and DEV not in result.err
    assert result.out == "x<concealed:API_KEY> done\n"
    assert result.err.endswith("x<concealed:API_KEY> done\n")


def test_no_masking_lets_values_through(filled):
    result = filled.ok(
        "run", "--env", "dev", "--no-masking", "--", *py("import os; print(os.environ['API_KEY'])")
    )
    assert result.out == DEV + "\n"


def test_interactive_output_appears_before_the_program_ends(filled, tmp_path):
    code = (
        "import sys; sys.stdout.write('prompt> '); sys.stdout.flush(); "
        "line = sys.stdin.readline(); print('got', line.strip())"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "vault_app", "run", "--env", "dev", "--", *py(code)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=filled.env,
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "the prompt did not come through while the program waited for input"
        assert os.read(proc.stdout.fileno(), 100) == b"prompt> "
        proc.stdin.write(b"yes\n")
        proc.stdin.close()
        assert proc.stdout.read() == b"got yes\n"
        assert proc.wait(30) == 0
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("code, expected", [(0, 0), (3, 3), (255, 255)])
def test_exit_code_is_passed_through(filled, code, expected):
    assert filled("run", "--env", "dev", "--", *py(f"raise SystemExit({code})")).code == expected


def test_killed_child_gives_128_plus_signal(filled):
    result = filled(
        "run", "--env", "dev", "--", *py("import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    )
    assert result.code == 128 + signal.SIGKILL


def test_command_not_found_is_127(filled):
    result = filled("run", "--env", "dev", "--", "no-such-command-here")
    assert result.code == 127 and "command not found" in result.err


def test_no_shell_is_involved(filled, tmp_path):
    marker = tmp_path / "marker"
    result = filled("run", "--env", "dev", "--", "echo", f"$API_KEY; touch {marker}")
    assert result.code == 0
    assert result.out == f"$API_KEY; touch {marker}\n" and not marker.exists()


TRAP = (
    "import signal, sys, time\n"
    "def got(n, f):\n"
    "    print('got', signal.Signals(n).name, flush=True); sys.exit(40 + n)\n"
    "for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(s, got)\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signals_are_forwarded_to_the_child(filled, sig):
    proc = subprocess.Popen(
        [sys.executable, "-m", "vault_app", "run", "--env", "dev", "--", *py(TRAP)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=filled.env,
        start_new_session=True,  # no controlling terminal: every SIGINT must come from us
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
        assert out == f"got {sig.name}\n".encode(), err
        assert proc.returncode == 40 + sig
    finally:
        proc.kill()
        proc.wait()


def test_env_file_references_and_plain_values(filled, tmp_path):
    template = tmp_path / "app.env"
    template.write_text(
        "# a template\n"
        "export TOKEN=vault://API_KEY\n"
        "PROD_TOKEN='vault://prod/API_KEY'\n"
        "DATABASE_URL=postgres://app:vault://prod/API_KEY@db/app\n"
        'GREETING="hello world"  # plain values pass through\n'
    )
    dump = tmp_path / "env.json"
    filled.ok(
        "run",
        "--env",
        "dev",
        "--only",
        "GITHUB_TOKEN",
        "--env-file",
        str(template),
        "--",
        *py(DUMP_ENV),
        str(dump),
    )
    seen = json.loads(dump.read_text())
    assert seen["TOKEN"] == DEV and seen["PROD_TOKEN"] == PROD
    assert seen["DATABASE_URL"] == f"postgres://app:{PROD}@db/app"
    assert seen["GREETING"] == "hello world"
    assert "API_KEY" not in seen  # --only: the template's names, not the whole environment


def test_env_file_alone_and_its_output_masked(filled, tmp_path):
    template = tmp_path / "app.env"
    template.write_text("TOKEN=vault://prod/API_KEY\n")
    result = filled.ok(
        "run",
        "--env-file",
        str(template),
        "--",
        *py("import os; print(os.environ['TOKEN'], 'API_KEY' in os.environ)"),
    )
    assert result.out == "<concealed:TOKEN> False\n"


@pytest.mark.parametrize(
    "line",
    [
        "X=vault://NOPE",
        "X=vault://prod/GITHUB_TOKEN",  # exists in dev only
        "X=vault://API_KEY",  # ambiguous without --env
        "X=vault://bad-name",
    ],
)
def test_missing_or_bad_reference_fails_before_the_command_starts(filled, tmp_path, line):
    template = tmp_path / "app.env"
    template.write_text(f"OK=vault://dev/API_KEY\n{line}\n")
    marker = tmp_path / "started"
    result = filled("run", "--env-file", str(template), "--", *py(f"open({str(marker)!r}, 'w')"))
    assert result.code == 1 and "line 2 (X)" in result.err, result.err
    assert not marker.exists()
    # Nothing was revealed either: no run event in the audit log.
    actions = [e["action"] for e in json.loads(filled.ok("audit", "--json").out)]
    assert "run" not in actions


def test_run_is_audited_per_token(filled):
    filled.ok("run", "--env", "dev", "--", "true")
    events = [e for e in json.loads(filled.ok("audit", "--json").out) if e["action"] == "run"]
    assert sorted((e["name"], e["env"]) for e in events) == [
        ("API_KEY", "dev"),
        ("GITHUB_TOKEN", "dev"),
    ]


def test_run_needs_a_command_and_something_to_inject(filled):
    assert filled("run", "--env", "dev").code == 1
    result = filled("run", "--", "true")
    assert result.code == 1 and "--env" in result.err
    result = filled("run", "--only", "API_KEY", "--env-file", "/dev/null", "--", "true")
    assert result.code == 1 and "give --env too" in result.err


def test_inject_to_a_private_file(filled, tmp_path):
    template = tmp_path / "config.yaml.tpl"
    template.write_text(
        "api:\n  key: vault://dev/API_KEY\n  prod: vault://prod/API_KEY\n  plain: yes\n"
    )
    out = tmp_path / "config.yaml"
    result = filled.ok("inject", "-i", str(template), "-o", str(out))
    assert out.read_text() == f"api:\n  key: {DEV}\n  prod: {PROD}\n  plain: yes\n"
    assert out.stat().st_mode & 0o777 == 0o600
    assert "plain text" in result.err and DEV not in result.text
    events = [e for e in json.loads(filled.ok("audit", "--json").out) if e["action"] == "inject"]
    assert sorted(e["env"] for e in events) == ["dev", "prod"]


def test_inject_to_stdout_with_default_env(filled, tmp_path):
    template = tmp_path / "t"
    template.write_text("K=vault://API_KEY\n")
    result = filled.ok("inject", "-i", str(template), "--env", "prod")
    assert result.out == f"K={PROD}\n" and "plain text" in result.err


def test_inject_missing_reference_writes_nothing(filled, tmp_path):
    template = tmp_path / "t"
    template.write_text("A=vault://dev/API_KEY\nB=vault://dev/MISSING\n")
    out = tmp_path / "out"
    result = filled("inject", "-i", str(template), "-o", str(out))
    assert result.code == 1 and "line 2" in result.err and "MISSING" in result.err
    assert not out.exists() and DEV not in result.text


def test_the_program_may_use_the_vault_itself(filled, tmp_path):
    # The vault is closed before the program starts, and the program unlocks it on its own
    # terms (here a passphrase file: it is not handed the caller's passphrase).
    secret_file = tmp_path / "pass"
    secret_file.write_text(filled.env["VAULT_APP_PASSPHRASE"] + "\n")
    code = (
        "import subprocess, sys\n"
        f"r = subprocess.run([sys.executable, '-m', 'vault_app', '--passphrase-file', {str(secret_file)!r},"
        " 'add', 'NESTED', '--env', 'dev'], input=b'nested-value-123456')\n"
        "sys.exit(r.returncode)\n"
    )
    filled.ok("run", "--env", "dev", "--", *py(code))
    assert value_of(filled, "NESTED", "dev") == "nested-value-123456"
