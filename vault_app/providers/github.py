"""GitHub tokens: scopes and expiry from response headers; assisted rotation for PATs.

Personal access tokens cannot be made by API. Rotation opens the settings page, the user pastes
the new value, the adapter tests it (same account, the expected scopes), and the user deletes
the old one on the same page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

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
    expect_scopes,
)
from vault_app.providers.http import Api, bearer

DEFAULT_API = "https://api.github.com"
DEFAULT_WEB = "https://github.com"


def _expiry(header: str | None) -> datetime | None:
    # "2026-10-28 12:00:00 UTC" (or with a numeric offset)
    if not header:
        return None
    text = header.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%d %H:%M:%S %z"):
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    return None


class GitHub(Provider):
    name = "github"
    title = "GitHub token (assisted rotation)"
    capabilities = frozenset({Capability.INSPECT, Capability.ROTATE})
    options = (
        OptionSpec(
            "url", "API base URL (GitHub Enterprise: https://HOST/api/v3)", default=DEFAULT_API
        ),
        OptionSpec("web_url", "web address for the token settings page", default=DEFAULT_WEB),
    )
    unattended = False
    previous_stays_valid = True

    def _api(self, ctx: Context) -> Api:
        return Api.for_context(
            ctx,
            "GitHub",
            DEFAULT_API,
            lambda v: {
                **bearer(v),
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            error_text=lambda body: str(body.get("message")),
        )

    def inspect(self, ctx: Context, value: Secret) -> LiveInfo:
        api = self._api(ctx)
        try:
            response = api.call("GET", "/user", value)
        except ProviderAuthError:
            return LiveInfo(status="revoked")
        body = api.json(response)
        raw_scopes = response.headers.get("X-OAuth-Scopes")
        scopes = (
            tuple(s.strip() for s in raw_scopes.split(",") if s.strip())
            if raw_scopes is not None
            else None  # fine-grained tokens send no scope header
        )
        login = body.get("login") if isinstance(body, dict) else None
        return LiveInfo(
            status="active",
            scopes=scopes,
            expires_at=_expiry(response.headers.get("GitHub-Authentication-Token-Expiration")),
            identity=str(login) if login else None,
        )

    def settings_url(self, ctx: Context, current: Secret) -> str:
        web = (ctx.option("web_url", DEFAULT_WEB) or DEFAULT_WEB).rstrip("/")
        if current.reveal().startswith("github_pat_"):
            return f"{web}/settings/personal-access-tokens"
        return f"{web}/settings/tokens"

    def create(self, ctx: Context, current: Secret) -> Created:
        if ctx.ask_value is None:
            raise ProviderError(
                "GitHub personal access tokens are rotated by hand: run this in a terminal or "
                "the desktop app, which ask for the new value"
            )
        before = self.inspect(ctx, current)
        url = self.settings_url(ctx, current)
        scopes = ", ".join(before.scopes or ctx.expected_scopes) or "the same permissions"
        value = ctx.ask_value(
            url,
            f"Open {url}, regenerate the token (or make a new one) with {scopes}, "
            "and paste the new value.",
        )
        if value is None or not value.reveal().strip():
            raise ProviderError("no new value was given; nothing was changed")
        return Created(
            Secret(value.reveal().strip()),
            state={"login": before.identity or ""},
        )

    def test(self, ctx: Context, value: Secret, state: Mapping[str, str]) -> Check:
        info = self.inspect(ctx, value)
        check = expect_scopes(info, ctx.expected_scopes)
        login = state.get("login")
        if check.ok and login and info.identity and info.identity != login:
            return Check(False, f"the new token belongs to {info.identity}, not {login}", info)
        return check

    def retire_hint(self, ctx: Context) -> str:
        web = (ctx.option("web_url", DEFAULT_WEB) or DEFAULT_WEB).rstrip("/")
        return f"delete the old token on {web}/settings/tokens if GitHub did not already"
