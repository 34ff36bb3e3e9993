"""Every built-in adapter runs the shipped contract (vault_app.providers.testing) against a server
that follows its provider's published API (provider_fakes), or the real thing (postgres)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

import httpx
import jwt
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from provider_fakes import FakeCloudflare, FakeGitHub, FakeGitLab, FakeNpm, FakeVault, serve

from vault_app.core.clock import FixedClock, SystemClock
from vault_app.core.secret import Secret
from vault_app.providers.base import Context
from vault_app.providers.cloudflare import Cloudflare
from vault_app.providers.command import Command
from vault_app.providers.github import GitHub
from vault_app.providers.gitlab import GitLab
from vault_app.providers.hashicorp_vault import HashiCorpVault
from vault_app.providers.jwt_issuer import JwtIssuer
from vault_app.providers.npm import Npm
from vault_app.providers.testing import ProviderContract


class _Http(ProviderContract):
    fake_class: type
    url_suffix = ""

    @pytest.fixture(autouse=True)
    def _server(self) -> Iterator[None]:
        with serve(self.fake_class()) as fake, httpx.Client(timeout=5) as client:
            self.fake = fake
            self.client = client
            yield

    def options(self) -> dict[str, str]:
        return {"url": self.fake.url + self.url_suffix}

    def context(self) -> Context:
        return Context(
            options=MappingProxyType(self.options()), http=self.client, clock=SystemClock()
        )

    def working_value(self) -> Secret:
        return Secret(self.fake.issue())


class TestGitLabContract(_Http):
    provider = GitLab()
    fake_class = FakeGitLab


class TestCloudflareContract(_Http):
    provider = Cloudflare()
    fake_class = FakeCloudflare
    url_suffix = "/client/v4"


class TestVaultContract(_Http):
    provider = HashiCorpVault()
    fake_class = FakeVault


class TestNpmContract(_Http):
    provider = Npm()
    fake_class = FakeNpm

    def context(self) -> Context:
        ctx = super().context()
        ctx.options = MappingProxyType({**self.options(), "password_record": "npm-password"})
        ctx.secret_of = lambda key: Secret(FakeNpm.PASSWORD)
        return ctx


class TestGitHubContract(_Http):
    provider = GitHub()
    fake_class = FakeGitHub

    def context(self) -> Context:
        ctx = super().context()
        # Assisted rotation: "the user" makes a new token on the settings page and pastes it.
        ctx.ask_value = lambda url, text: Secret(self.fake.issue())
        return ctx


class TestCommandContract(ProviderContract):
    provider = Command()

    @pytest.fixture(autouse=True)
    def _programs(self, tmp_path: Path) -> None:
        maker = tmp_path / "make-token"
        maker.write_text(
            "#!/bin/sh\nread old\n"
            'echo "{\\"value\\": \\"cmd-$(od -An -N8 -tx1 /dev/urandom | tr -d \' \\n\')\\", '
            '\\"expires_at\\": \\"2026-09-01T00:00:00Z\\"}"\n'
        )
        checker = tmp_path / "check-token"
        checker.write_text('#!/bin/sh\nread v\ncase "$v" in cmd-*) exit 0;; *) exit 1;; esac\n')
        for p in (maker, checker):
            p.chmod(0o755)
        self.options = {"command": str(maker), "test_command": str(checker)}

    def context(self) -> Context:
        return Context(
            options=MappingProxyType(self.options), http=httpx.Client(), clock=SystemClock()
        )

    def working_value(self) -> Secret:
        return Secret("cmd-0123456789abcdef")


SIGNING_KEY = "contract-test-hmac-key-of-sufficient-length-0123456789"


class TestJwtIssuerContract(ProviderContract):
    provider = JwtIssuer()

    def context(self) -> Context:
        return Context(
            options=MappingProxyType({"signing_key": "jwt-key"}),
            http=httpx.Client(),
            clock=FixedClock(),
            secret_of=lambda key: Secret(SIGNING_KEY),
        )

    def working_value(self) -> Secret:
        now = int(FixedClock().now().timestamp())
        claims = {
            "sub": "svc",
            "iat": now - 10,
            "exp": now + 3600,
            "scope": "read write",
            "jti": "a",
        }
        return Secret(jwt.encode(claims, SIGNING_KEY, algorithm="HS256"))

    def refused_value(self) -> Secret:
        return Secret(
            jwt.encode(
                {"sub": "svc", "exp": 1}, "another-key-another-key-another-key", algorithm="HS256"
            )
        )


def test_jwt_issuer_copies_claims_with_new_times() -> None:
    contract = TestJwtIssuerContract()
    ctx, current = contract.context(), contract.working_value()
    created = JwtIssuer().create(ctx, current)
    old = jwt.decode(
        current.reveal(), SIGNING_KEY, algorithms=["HS256"], options={"verify_exp": False}
    )
    new = jwt.decode(
        created.value.reveal(), SIGNING_KEY, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert new["sub"] == old["sub"] and new["scope"] == old["scope"]
    assert new["iat"] == int(ctx.clock.now().timestamp()) and new["exp"] - new["iat"] == 3610
    assert new["jti"] != old["jti"]
