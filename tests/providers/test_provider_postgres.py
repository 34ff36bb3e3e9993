"""The postgres adapter end to end against a real PostgreSQL server that the test starts.

Debian's ``postgresql`` package (CI installs it) puts initdb and pg_ctl under
/usr/lib/postgresql/*/bin. PostgreSQL refuses to run as root, so under root the server runs as
the ``postgres`` user (or ``nobody``) through runuser.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import httpx
import pytest

from vault_app.core.clock import FixedClock, SystemClock
from vault_app.core.secret import Secret
from vault_app.providers.base import Context
from vault_app.providers.postgres import Postgres
from vault_app.providers.testing import ProviderContract

psycopg = pytest.importorskip("psycopg")
REQUIRE_SYSTEM = os.environ.get("VAULT_APP_REQUIRE_SYSTEM") == "1"
OLD_PASSWORD = "the-old-app-password-1"


def _bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Server:
    port: int
    superuser_password: str

    def connect(self, user: str, password: str) -> object:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            dbname="postgres",
            user=user,
            password=password,
            connect_timeout=5,
        )

    def works(self, password: str) -> bool:
        try:
            self.connect("app", password).close()
        except psycopg.OperationalError:
            return False
        return True

    def reset_app(self, password: str = OLD_PASSWORD) -> None:
        with self.connect("postgres", self.superuser_password) as conn:
            conn.autocommit = True
            conn.execute(
                psycopg.sql.SQL("ALTER ROLE app PASSWORD {}").format(psycopg.sql.Literal(password))
            )


@pytest.fixture(scope="module")
def pg() -> Iterator[Server]:
    bindir = _bindir()
    if bindir is None:
        message = "needs PostgreSQL's initdb (Debian package postgresql)"
        if REQUIRE_SYSTEM:
            pytest.fail(f"VAULT_APP_REQUIRE_SYSTEM=1 but this machine lacks it: {message}")
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="vault-app-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = "postgres"
        try:
            pwd.getpwnam(user)
        except KeyError:
            user = "nobody"
        prefix = ["runuser", "-u", user, "--"]
        shutil.chown(root, user)
    superuser = "superuser-" + os.urandom(8).hex()
    pwfile = root / "pw"
    pwfile.write_text(superuser + "\n")
    if prefix:
        shutil.chown(pwfile, prefix[2])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = root / "data"
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root}"
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-o",
            options,
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    server = Server(port, superuser)
    try:
        with server.connect("postgres", superuser) as conn:
            conn.autocommit = True
            conn.execute("CREATE ROLE app LOGIN")
        server.reset_app()
        yield server
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def _options(pg: Server) -> dict[str, str]:
    return {
        "adapter": "postgres",
        "host": "127.0.0.1",
        "port": str(pg.port),
        "user": "app",
        "dbname": "postgres",
        "sslmode": "disable",
    }


class TestPostgresContract(ProviderContract):
    provider = Postgres()

    @pytest.fixture(autouse=True)
    def _server(self, pg: Server) -> None:
        pg.reset_app()
        self.pg = pg

    def context(self) -> Context:
        return Context(
            options=MappingProxyType(_options(self.pg)), http=httpx.Client(), clock=SystemClock()
        )

    def working_value(self) -> Secret:
        self.pg.reset_app()
        return Secret(OLD_PASSWORD)


def test_rotation_changes_the_password_end_to_end(pg, tmp_path, no_keyring):
    from vault_app.services.home import VaultHome
    from vault_app.services.inputs import TokenFields
    from vault_app.services.rotation import Rotation
    from vault_app.services.vault import Vault

    pg.reset_app()
    with Vault.create(
        VaultHome(tmp_path / "v"),
        passphrase_value=Secret("correct horse battery"),
        use_keyring=False,
        clock=FixedClock(),
    ) as vault:
        vault.add(
            "db",
            "prod",
            Secret(OLD_PASSWORD),
            TokenFields(provider_options=tuple(_options(pg).items())),
        )
        with Rotation(vault) as rotation:
            outcome = rotation.rotate("db", "prod")
            assert outcome.state == "done", outcome.message
            new = vault.reveal(vault.resolve("db", "prod")).reveal()
            assert new != OLD_PASSWORD
            assert pg.works(new) and not pg.works(OLD_PASSWORD), "the old password stops working"
            # Rollback puts the old password back on the server and in the vault.
            back = rotation.rollback("db", "prod")
            assert back.state == "rolled_back", back.message
            assert vault.reveal(vault.resolve("db", "prod")).reveal() == OLD_PASSWORD
            assert pg.works(OLD_PASSWORD) and not pg.works(new)


@pytest.mark.parametrize("point", ["after-created", "after-applied", "after-tested"])
def test_postgres_rotation_survives_a_kill(pg, vault_cli, point):
    cli = vault_cli
    pg.reset_app()
    args = [a for k, v in _options(pg).items() for a in ("--provider-option", f"{k}={v}")]
    cli.ok("add", "db", "--env", "prod", *args, input=OLD_PASSWORD)
    crashed = cli("rotate", "db", "--env", "prod", "--yes", env={"VAULT_APP_CRASH_AT": point})
    assert crashed.code == -signal.SIGKILL, crashed.text
    resumed = cli("rotate", "db", "--env", "prod", "--yes")
    assert resumed.code == 0, resumed.err
    value = json.loads(cli.ok("show", "db", "--env", "prod", "--reveal", "--json").out)["value"]
    assert value != OLD_PASSWORD and pg.works(value) and not pg.works(OLD_PASSWORD)
