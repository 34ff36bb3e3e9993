"""Finding adapters through entry points, skipping broken ones, and keeping credentials out of text."""

from __future__ import annotations

import logging
import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import httpx
import pytest

from vault_app.core.secret import Secret
from vault_app.providers.base import ProviderAuthError, ProviderRateLimitedError, clean
from vault_app.providers.http import Api, retry_after
from vault_app.providers.registry import BUILTINS, GROUP, discover

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_registers_every_builtin_adapter():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["entry-points"][GROUP] == BUILTINS


def test_a_broken_third_party_adapter_is_logged_and_skipped(caplog):
    broken = [
        EntryPoint("exploding", "no_such_module_for_vault_app:Adapter", GROUP),
        EntryPoint("not-a-provider", "json:dumps", GROUP),
    ]
    with caplog.at_level(logging.WARNING, logger="vault_app.providers.registry"):
        registry = discover(extra=broken)
    assert {"gitlab", "vault", "postgres"} <= set(registry.names())
    assert {s.name for s in registry.skipped} == {"exploding", "not-a-provider"}
    assert "exploding" in caplog.text and "ModuleNotFoundError" in caplog.text


def test_clean_masks_values_and_credential_shapes():
    secret = Secret("s3cr3t-value-123")
    text = (
        "denied for s3cr3t-value-123; header Authorization: Bearer abcdefghijklmnop; "
        "token glpat-ABCDEFGHIJKLMNOPQRST; url https://user:pw@example.com/x; password=hunter22"
    )
    out = clean(text, [secret])
    for leaked in ("s3cr3t-value-123", "abcdefghijklmnop", "glpat-ABCD", "user:pw", "hunter22"):
        assert leaked not in out
    assert len(clean("x" * 1000)) <= 300


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after(httpx.Response(429, headers={"Retry-After": "7"})) == 7.0
    assert (
        retry_after(httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
        == 0.0
    )
    assert retry_after(httpx.Response(429)) is None


def test_errors_never_echo_the_token_even_when_the_provider_does():
    value = Secret("glpat-EchoedBackByTheServer1")

    def handler(request: httpx.Request) -> httpx.Response:
        assert value.reveal() not in str(request.url)
        return httpx.Response(401, json={"message": f"token {value.reveal()} is revoked"})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        api = Api(
            client,
            "https://gitlab.example",
            "GitLab",
            lambda v: {"PRIVATE-TOKEN": v.reveal()},
            error_text=lambda b: b["message"],
        )
        with pytest.raises(ProviderAuthError) as caught:
            api.call("GET", "/api/v4/personal_access_tokens/self", value)
    assert value.reveal() not in str(caught.value)
    assert "HTTP 401" in str(caught.value)


def test_429_without_retry_after_is_not_retried():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(429, text="Retry later")

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        api = Api(client, "https://x.example", "X", lambda v: {}, sleep=lambda s: None)
        with pytest.raises(ProviderRateLimitedError) as caught:
            api.call("GET", "/", None)
    assert calls == [1] and caught.value.retry_after is None


def test_httpx_logging_is_quiet():
    from vault_app.providers.http import make_client

    make_client().close()
    assert logging.getLogger("httpx").level >= logging.WARNING
