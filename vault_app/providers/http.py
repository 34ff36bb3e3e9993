"""One way to call a provider over HTTP: timeouts, credentials in headers only, clean errors.

Tokens go in headers, never in a URL (URLs end up in logs, proxies and browser history). httpx
logs every request URL at INFO, so its loggers are held at WARNING.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from vault_app.core.secret import Secret
from vault_app.providers.base import (
    Context,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimitedError,
    ProviderTimeoutError,
    clean,
)

DEFAULT_TIMEOUT = 10.0
#: wait and retry a 429 when the provider asks for at most this many seconds
MAX_RETRY_WAIT = 5.0
MAX_ATTEMPTS = 3
USER_AGENT = "vault-app (token rotation)"


def quiet_httpx() -> None:
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def make_client(timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    """The client adapters get by default; tests inject their own."""
    quiet_httpx()
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        trust_env=True,
    )


def bearer(value: Secret) -> dict[str, str]:
    return {"Authorization": f"Bearer {value.reveal()}"}


@dataclass
class Api:
    """Requests to one provider's base URL with one way of sending the credential."""

    client: httpx.Client
    base_url: str
    provider: str
    #: builds the auth headers for a value, e.g. {"PRIVATE-TOKEN": value}
    auth: Callable[[Secret], dict[str, str]]
    timeout: float | None = None
    sleep: Callable[[float], None] = time.sleep
    #: pulls a human message out of an error body
    error_text: Callable[[Any], str] | None = None

    @classmethod
    def for_context(
        cls,
        ctx: Context,
        provider: str,
        default_url: str,
        auth: Callable[[Secret], dict[str, str]],
        *,
        error_text: Callable[[Any], str] | None = None,
        suffix: str = "",
    ) -> Api:
        """The usual adapter set-up: the record's ``url`` option (or the public default), the
        injected client and the context's timeout."""
        base = (ctx.option("url", default_url) or default_url).rstrip("/") + suffix
        return cls(ctx.http, base, provider, auth, timeout=ctx.timeout(), error_text=error_text)

    def call(
        self,
        method: str,
        path: str,
        value: Secret | None,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        ok: Iterable[int] = (200, 201, 202, 204),
        secrets: Iterable[Secret] = (),
    ) -> httpx.Response:
        """One request; 429 is retried when the wait asked for is short. Errors are cleaned."""
        quiet_httpx()
        url = self.base_url.rstrip("/") + path
        sent: dict[str, str] = dict(headers or {})
        if value is not None:
            sent.update(self.auth(value))
        hidden = [s for s in (value, *secrets) if s is not None]
        kwargs: dict[str, Any] = {"headers": sent}
        if json is not None:
            kwargs["json"] = json
        if params:
            kwargs["params"] = dict(params)
        if self.timeout is not None:
            kwargs["timeout"] = self.timeout
        wanted = set(ok)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.TimeoutException:
                raise ProviderTimeoutError(
                    f"{self.provider} did not answer in time ({method} {path})"
                ) from None
            except httpx.HTTPError as exc:
                raise ProviderError(
                    clean(f"cannot reach {self.provider}: {type(exc).__name__}: {exc}", hidden)
                ) from None
            if response.status_code == 429:
                wait = retry_after(response)
                if attempt < MAX_ATTEMPTS and wait is not None and wait <= MAX_RETRY_WAIT:
                    self.sleep(wait)
                    continue
                shown = f"; retry after {int(wait)} s" if wait is not None else ""
                raise ProviderRateLimitedError(
                    f"{self.provider} is rate limiting requests (HTTP 429{shown})", wait
                )
            break
        if response.status_code in wanted:
            return response
        detail = clean(self._detail(response), hidden)
        where = f"{method} {path}"
        if response.status_code in (401, 403):
            raise ProviderAuthError(
                f"{self.provider} refused the token (HTTP {response.status_code} on {where})"
                + (f": {detail}" if detail else "")
            )
        raise ProviderError(
            f"{self.provider} answered HTTP {response.status_code} on {where}"
            + (f": {detail}" if detail else "")
        )

    def json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise ProviderError(f"{self.provider} sent an answer that is not JSON") from None

    def _detail(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return response.text[:200]
        if self.error_text is not None:
            try:
                return self.error_text(body)
            except (KeyError, TypeError, IndexError, AttributeError):
                pass
        return str(body)[:200]


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
