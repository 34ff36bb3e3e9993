"""PostgreSQL role passwords: ``ALTER ROLE ... PASSWORD`` through psycopg.

The new password is made here; the server only ever receives its SCRAM-SHA-256 verifier (computed
by libpq), so the plain password is never in a statement the server could log. Options: ``host``,
``port``, ``dbname``, ``user`` (the role, which logs in with the stored password), ``sslmode``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from vault_app.core.secret import Secret
from vault_app.providers.base import (
    Capability,
    Check,
    Context,
    Created,
    LiveInfo,
    OptionSpec,
    Provider,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailableError,
    clean,
)

PASSWORD_BYTES = 24


class Postgres(Provider):
    name = "postgres"
    title = "PostgreSQL role password"
    capabilities = frozenset({Capability.INSPECT, Capability.ROTATE})
    options = (
        OptionSpec("host", "server host or socket directory", default="localhost"),
        OptionSpec("port", "server port", default="5432"),
        OptionSpec("dbname", "database to connect to", default="postgres"),
        OptionSpec("user", "the role whose password this record holds", required=True),
        OptionSpec("sslmode", "libpq sslmode", default="prefer"),
    )

    def available(self) -> tuple[bool, str]:
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            return False, f"psycopg is not installed ({type(exc).__name__})"
        return True, ""

    def _connect(self, ctx: Context, password: Secret) -> Any:
        ok, why = self.available()
        if not ok:
            raise ProviderUnavailableError(why)
        import psycopg

        try:
            return psycopg.connect(
                host=ctx.option("host", "localhost"),
                port=ctx.option("port", "5432"),
                dbname=ctx.option("dbname", "postgres"),
                user=ctx.need("user"),
                password=password.reveal(),
                sslmode=ctx.option("sslmode", "prefer"),
                connect_timeout=int(ctx.timeout() or 10),
                autocommit=True,
            )
        except psycopg.OperationalError as exc:
            text = clean(str(exc), (password,))
            if "password authentication failed" in text or "authentication" in text:
                raise ProviderAuthError(
                    f"PostgreSQL refused the password of role {ctx.need('user')}"
                ) from None
            raise ProviderError(f"cannot connect to PostgreSQL: {text}") from None

    def inspect(self, ctx: Context, value: Secret) -> LiveInfo:
        try:
            conn = self._connect(ctx, value)
        except ProviderAuthError:
            return LiveInfo(status="revoked")
        with conn:
            row = conn.execute(
                "SELECT rolname, rolvaliduntil, rolcanlogin, rolsuper, rolcreaterole "
                "FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
        name, valid_until, can_login, is_super, create_role = row
        flags = [f for f, on in (("superuser", is_super), ("createrole", create_role)) if on]
        return LiveInfo(
            status="active" if can_login else "inactive",
            scopes=tuple(flags),
            expires_at=valid_until,
            identity=str(name),
        )

    def create(self, ctx: Context, current: Secret) -> Created:
        # Nothing leaves this machine yet: apply() sets it on the server.
        return Created(Secret(secrets.token_urlsafe(PASSWORD_BYTES)))

    def apply(self, ctx: Context, current: Secret, new: Secret, state: Mapping[str, str]) -> None:
        try:
            conn = self._connect(ctx, current)
        except ProviderAuthError:
            # Done already (a run stopped after ALTER ROLE)? Then the new password works.
            self._connect(ctx, new).close()
            return
        from psycopg import sql

        with conn:
            role = ctx.need("user")
            verifier = conn.pgconn.encrypt_password(
                new.reveal().encode(), role.encode(), b"scram-sha-256"
            ).decode()
            try:
                conn.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(verifier)
                    )
                )
            except Exception as exc:
                raise ProviderError(
                    clean(f"PostgreSQL refused the password change: {type(exc).__name__}", (new,))
                ) from None

    def test(self, ctx: Context, value: Secret, state: Mapping[str, str]) -> Check:
        try:
            conn = self._connect(ctx, value)
        except ProviderAuthError as exc:
            return Check(False, str(exc))
        with conn:
            conn.execute("SELECT 1")
        return Check(True, "", LiveInfo(status="active", identity=ctx.need("user")))
