"""HashiCorp Vault tokens: ``lookup-self``, ``create`` with the same policies, ``revoke-self``,
``renew-self``. Create-then-revoke: the old token keeps working until the run revokes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
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
from vault_app.providers.http import Api

DEFAULT_URL = "http://127.0.0.1:8200"


def _error_text(body: Any) -> str:
    errors = body.get("errors") if isinstance(body, dict) else None
    return "; ".join(str(e) for e in errors) if errors else str(body)


class HashiCorpVault(Provider):
    name = "vault"
    title = "HashiCorp Vault token"
    capabilities = frozenset(
        {Capability.INSPECT, Capability.ROTATE, Capability.REVOKE, Capability.RENEW}
    )
    options = (
        OptionSpec("url", "address of the Vault server", default=DEFAULT_URL),
        OptionSpec("namespace", "Vault Enterprise namespace"),
        OptionSpec("ttl", "TTL of the new token (e.g. 768h; default: the old token's period)"),
    )
    previous_stays_valid = True

    def _api(self, ctx: Context) -> Api:
        namespace = ctx.option("namespace")

        def auth(value: Secret) -> dict[str, str]:
            headers = {"X-Vault-Token": value.reveal()}
            if namespace:
                headers["X-Vault-Namespace"] = namespace
            return headers

        return Api.for_context(
            ctx, "Vault", DEFAULT_URL, auth, error_text=_error_text, suffix="/v1"
        )

    def _lookup(self, api: Api, value: Secret) -> dict[str, Any]:
        body = api.json(api.call("GET", "/auth/token/lookup-self", value))
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise ProviderError("Vault's lookup answer holds no data")
        return data

    def inspect(self, ctx: Context, value: Secret) -> LiveInfo:
        api = self._api(ctx)
        try:
            data = self._lookup(api, value)
        except ProviderAuthError:
            return LiveInfo(status="revoked")
        return _live(data)

    def create(self, ctx: Context, current: Secret) -> Created:
        api = self._api(ctx)
        data = self._lookup(api, current)
        policies = [p for p in data.get("policies") or () if p != "root"] or ["default"]
        payload: dict[str, Any] = {
            "policies": policies,
            "renewable": bool(data.get("renewable", True)),
            "display_name": str(data.get("display_name") or "vault-app").removeprefix("token-"),
            "meta": data.get("meta") or {},
        }
        ttl = ctx.option("ttl") or (
            f"{int(data['creation_ttl'])}s" if data.get("creation_ttl") else None
        )
        if ttl:
            payload["ttl"] = ttl
        if data.get("num_uses"):
            payload["num_uses"] = int(data["num_uses"])
        body = api.json(api.call("POST", "/auth/token/create", current, json=payload))
        auth = body.get("auth") if isinstance(body, dict) else None
        token = auth.get("client_token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            raise ProviderError("Vault's create answer holds no client_token")
        assert isinstance(auth, dict)
        lease = auth.get("lease_duration")
        expires = ctx.clock.now() + timedelta(seconds=int(lease)) if lease else None
        return Created(
            Secret(token), expires_at=expires, state={"accessor": str(auth.get("accessor", ""))}
        )

    def revoke(self, ctx: Context, old: Secret, state: Mapping[str, str]) -> None:
        api = self._api(ctx)
        try:
            api.call("POST", "/auth/token/revoke-self", old, ok=(200, 204))
        except ProviderAuthError:
            return  # already revoked or expired: Vault answers 403 "permission denied"

    def renew(self, ctx: Context, value: Secret) -> LiveInfo:
        api = self._api(ctx)
        api.call("POST", "/auth/token/renew-self", value, json={})
        return _live(self._lookup(api, value))


def _live(data: Mapping[str, Any]) -> LiveInfo:
    extra = {
        k: str(data[k])
        for k in ("accessor", "ttl", "explicit_max_ttl", "num_uses", "renewable", "display_name")
        if data.get(k) is not None
    }
    return LiveInfo(
        status="active",
        scopes=tuple(str(p) for p in data.get("policies") or ()),
        expires_at=parse_time(data.get("expire_time")),
        cidrs=tuple(str(c) for c in data.get("bound_cidrs") or ()) or None,
        identity=str(data.get("display_name")) if data.get("display_name") else None,
        extra=extra,
    )
