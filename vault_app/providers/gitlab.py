"""GitLab personal access tokens: inspect ``/personal_access_tokens/self``, rotate ``.../self/rotate``.

GitLab revokes the old token the moment it answers a rotation, and the call has no idempotency
key: the engine records "rotation in flight" before :meth:`GitLab.create` and stores the answer
before anything else (``create_is_repeatable = False``).
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

DEFAULT_URL = "https://gitlab.com"


def _error_text(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error_description") or body.get("error"))
    return str(body)


class GitLab(Provider):
    name = "gitlab"
    title = "GitLab personal access token"
    capabilities = frozenset({Capability.INSPECT, Capability.ROTATE, Capability.REVOKE})
    options = (
        OptionSpec("url", "base URL of the GitLab instance", default=DEFAULT_URL),
        OptionSpec("expires_in_days", "lifetime of the rotated token in days (GitLab's default)"),
    )
    revokes_old_itself = True
    create_is_repeatable = False

    def _api(self, ctx: Context) -> Api:
        return Api.for_context(
            ctx,
            "GitLab",
            DEFAULT_URL,
            lambda v: {"PRIVATE-TOKEN": v.reveal()},
            error_text=_error_text,
            suffix="/api/v4",
        )

    def inspect(self, ctx: Context, value: Secret) -> LiveInfo:
        api = self._api(ctx)
        try:
            body = api.json(api.call("GET", "/personal_access_tokens/self", value))
        except ProviderAuthError:
            return LiveInfo(status="revoked")
        return _live(body)

    def create(self, ctx: Context, current: Secret) -> Created:
        api = self._api(ctx)
        payload: dict[str, str] = {}
        days = ctx.option("expires_in_days")
        if days:
            try:
                payload["expires_at"] = (ctx.clock.now() + timedelta(days=int(days))).strftime(
                    "%Y-%m-%d"
                )
            except ValueError:
                raise ProviderError(
                    "the provider option expires_in_days must be a number"
                ) from None
        response = api.call(
            "POST", "/personal_access_tokens/self/rotate", current, json=payload or None
        )
        body = api.json(response)
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ProviderError("GitLab's rotation answer holds no token")
        return Created(
            Secret(token),
            expires_at=parse_time(body.get("expires_at")),
            old_revoked=True,
            state={"token_id": str(body.get("id", ""))},
        )

    def revoke(self, ctx: Context, old: Secret, state: Mapping[str, str]) -> None:
        api = self._api(ctx)
        try:
            api.call("DELETE", "/personal_access_tokens/self", old, ok=(204, 200))
        except ProviderAuthError:
            return  # already revoked (GitLab answers 401 for a revoked token)


def _live(body: Any) -> LiveInfo:
    if not isinstance(body, dict):
        raise ProviderError("GitLab sent an unexpected answer")
    if body.get("revoked"):
        status = "revoked"
    elif body.get("active") is False:
        status = "inactive"
    else:
        status = "active"
    return LiveInfo(
        status=status,
        scopes=tuple(str(s) for s in body.get("scopes") or ()),
        expires_at=parse_time(body.get("expires_at")),
        identity=f"user {body.get('user_id')}" if body.get("user_id") is not None else None,
        extra={
            k: str(body[k])
            for k in ("id", "name", "created_at", "last_used_at")
            if body.get(k) is not None
        },
    )
