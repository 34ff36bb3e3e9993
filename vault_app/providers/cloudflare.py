"""Cloudflare API tokens: verify with ``/user/tokens/verify``, roll with ``PUT /user/tokens/{id}/value``.

Rolling invalidates the old value at once and keeps the token's permissions, so like GitLab the
call is recorded as in flight before it is made.
"""

from __future__ import annotations

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

DEFAULT_URL = "https://api.cloudflare.com/client/v4"


def _error_text(body: Any) -> str:
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        return "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors)
    return str(body)


class Cloudflare(Provider):
    name = "cloudflare"
    title = "Cloudflare API token"
    capabilities = frozenset({Capability.INSPECT, Capability.ROTATE})
    options = (OptionSpec("url", "API base URL", default=DEFAULT_URL),)
    revokes_old_itself = True
    create_is_repeatable = False

    def _api(self, ctx: Context) -> Api:
        return Api.for_context(ctx, "Cloudflare", DEFAULT_URL, bearer, error_text=_error_text)

    def _verify(self, api: Api, value: Secret) -> dict[str, Any]:
        body = api.json(api.call("GET", "/user/tokens/verify", value))
        result = body.get("result") if isinstance(body, dict) else None
        if not isinstance(result, dict) or not result.get("id"):
            raise ProviderError("Cloudflare's verify answer holds no token id")
        return result

    def inspect(self, ctx: Context, value: Secret) -> LiveInfo:
        api = self._api(ctx)
        try:
            result = self._verify(api, value)
        except ProviderAuthError:
            return LiveInfo(status="revoked")
        cidrs: tuple[str, ...] | None = None
        scopes: tuple[str, ...] | None = None
        try:
            # Needs "API Tokens Read"; many tokens lack it, which is not an error.
            detail = api.json(api.call("GET", f"/user/tokens/{result['id']}", value))
            token = detail.get("result") or {}
            ip = ((token.get("condition") or {}).get("request_ip")) or {}
            cidrs = tuple(str(c) for c in ip.get("in") or ())
            scopes = tuple(
                str(group.get("name"))
                for policy in token.get("policies") or ()
                for group in policy.get("permission_groups") or ()
            )
        except ProviderError:
            pass
        return LiveInfo(
            status=str(result.get("status") or "unknown"),
            scopes=scopes,
            cidrs=cidrs,
            expires_at=parse_time(result.get("expires_on")),
            not_before=parse_time(result.get("not_before")),
            extra={"id": str(result["id"])},
        )

    def create(self, ctx: Context, current: Secret) -> Created:
        api = self._api(ctx)
        token_id = self._verify(api, current)["id"]
        body = api.json(api.call("PUT", f"/user/tokens/{token_id}/value", current, json={}))
        value = body.get("result") if isinstance(body, dict) else None
        if not isinstance(value, str) or not value:
            raise ProviderError("Cloudflare's roll answer holds no token value")
        return Created(Secret(value), old_revoked=True, state={"token_id": str(token_id)})

    def revoke(self, ctx: Context, old: Secret, state: Mapping[str, str]) -> None:
        return None  # rolling already invalidated the old value
