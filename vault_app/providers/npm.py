"""npm registry tokens: list, create (CIDR whitelist and read-only carried over), delete.

Creating a token needs the account password (and a one-time password when 2FA is on for
writes): the ``password_record`` option names the vault record that holds it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from vault_app.core.secret import Secret
from vault_app.providers.base import (
    Capability,
    Context,
    Created,
    LiveInfo,
    OptionSpec,
    Provider,
    ProviderAuthError,
    ProviderError,
    parse_time,
)
from vault_app.providers.http import Api, bearer

DEFAULT_URL = "https://registry.npmjs.org"


def _error_text(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("error") or body.get("message") or body)
    return str(body)


def token_key(value: Secret) -> str:
    """The registry's key for a token: the SHA-512 of its value, in hex."""
    return hashlib.sha512(value.reveal().encode()).hexdigest()


class Npm(Provider):
    name = "npm"
    title = "npm registry token"
    capabilities = frozenset({Capability.INSPECT, Capability.ROTATE, Capability.REVOKE})
    options = (
        OptionSpec("url", "registry URL", default=DEFAULT_URL),
        OptionSpec(
            "password_record", "the record holding the npm account password", names_record=True
        ),
        OptionSpec("otp_record", "a record holding a current one-time password", names_record=True),
    )
    previous_stays_valid = True

    def _api(self, ctx: Context) -> Api:
        return Api.for_context(ctx, "npm", DEFAULT_URL, bearer, error_text=_error_text)

    def _find(self, api: Api, value: Secret) -> dict[str, Any] | None:
        key = token_key(value)
        path = "/-/npm/v1/tokens"
        for _ in range(50):  # pages
            body = api.json(api.call("GET", path, value))
            for entry in body.get("objects") or ():
                if entry.get("key") == key:
                    return dict(entry)
            following = (body.get("urls") or {}).get("next")
            if not following:
                return None
            path = "/" + str(following).split("://", 1)[-1].split("/", 1)[-1]
        return None

    def inspect(self, ctx: Context, value: Secret) -> LiveInfo:
        api = self._api(ctx)
        try:
            entry = self._find(api, value)
        except ProviderAuthError:
            return LiveInfo(status="revoked")
        if entry is None:
            return LiveInfo(status="active", extra={"note": "not in the token list"})
        readonly = bool(entry.get("readonly"))
        return LiveInfo(
            status="active",
            scopes=("read-only",) if readonly else ("publish",),
            cidrs=tuple(str(c) for c in entry.get("cidr_whitelist") or ()),
            extra={
                "key": str(entry.get("key", ""))[:12],
                "created": str(entry.get("created", "")),
            },
        )

    def create(self, ctx: Context, current: Secret) -> Created:
        api = self._api(ctx)
        entry = self._find(api, current) or {}
        password = ctx.secret_of("password_record")
        payload: dict[str, Any] = {
            "password": password.reveal(),
            "readonly": bool(entry.get("readonly", False)),
            "cidr_whitelist": list(entry.get("cidr_whitelist") or []),
        }
        headers: dict[str, str] = {}
        if ctx.option("otp_record"):
            headers["npm-otp"] = ctx.secret_of("otp_record").reveal()
        body = api.json(
            api.call(
                "POST",
                "/-/npm/v1/tokens",
                current,
                json=payload,
                headers=headers,
                secrets=(password,),
            )
        )
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ProviderError("the registry's create answer holds no token")
        return Created(
            Secret(token),
            expires_at=parse_time(body.get("expires")),
            state={"key": str(body.get("key", ""))},
        )

    def revoke(self, ctx: Context, old: Secret, state: Mapping[str, str]) -> None:
        api = self._api(ctx)
        try:
            api.call("DELETE", f"/-/npm/v1/tokens/token/{token_key(old)}", old, ok=(200, 204, 404))
        except ProviderAuthError:
            return  # a revoked token cannot authenticate: it is gone already
