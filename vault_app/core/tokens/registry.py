"""The token formats the vault recognises, as data: one row per (provider, kind).

Shapes follow public secret-scanning rules (gitleaks ``config/gitleaks.toml``, trufflehog
detectors) and the providers' own posts; see ``/work/shared/design/token-formats.md``.
Patterns are matched with ``fullmatch`` after a cheap prefix test and a length cap, are ASCII
only, and avoid nested or overlapping quantifiers, so no input can make them backtrack for long.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from vault_app.core.tokens import aws, checksum, gitlab_routable, jwt_claims, pypi_macaroon
from vault_app.core.tokens.findings import Findings

#: Nothing but a JWT or a PyPI macaroon gets near this; every other format is far shorter.
MAX_TOKEN_LENGTH = 64 * 1024
_SHORT = 1024


@dataclass(frozen=True, slots=True)
class TokenFormat:
    provider: str
    kind: str
    prefix: str
    #: Matched against the whole (stripped) value, prefix included.
    pattern: re.Pattern[str]
    #: An offline integrity check; None when the format has none.
    checksum: Callable[[str], bool] | None = None
    environment_hint: str | None = None
    #: Reads metadata carried inside the token.
    decoder: Callable[[str], Findings] | None = None
    max_length: int = _SHORT
    #: Say "starts like X" when the prefix matches but the rest does not. Off for prefixes
    #: so short that ordinary text starts with them (``s.``, ``AC``).
    near_miss_hint: bool = True


def _fmt(
    provider: str,
    kind: str,
    prefix: str,
    rest: str,
    *,
    checksum: Callable[[str], bool] | None = None,
    environment_hint: str | None = None,
    decoder: Callable[[str], Findings] | None = None,
    max_length: int = _SHORT,
    near_miss_hint: bool = True,
) -> TokenFormat:
    """A row whose pattern is the literal prefix followed by the regex ``rest``."""
    pattern = re.compile(re.escape(prefix) + rest, re.ASCII)
    return TokenFormat(
        provider,
        kind,
        prefix,
        pattern,
        checksum,
        environment_hint,
        decoder,
        max_length,
        near_miss_hint,
    )


_GITHUB_KINDS = {
    "ghp_": "classic-pat",
    "gho_": "oauth",
    "ghu_": "user-to-server",
    "ghs_": "installation",
    "ghr_": "refresh",
}
_GITLAB_KINDS = {
    "glpat-": "pat",
    "gldt-": "deploy-token",
    "glrt-": "runner-token",
    "glcbt-": "ci-job-token",
    "glptt-": "trigger-token",
    "glft-": "feed-token",
    "gloas-": "oauth-secret",
}
_STRIPE_KINDS = {"sk": "secret-key", "rk": "restricted-key", "pk": "publishable-key"}


def _decode_github_app_installation(token: str) -> Findings:
    """``ghs_<app id>_<jwt>``: the app id, and the embedded JWT's times if it reads as one."""
    _, app_id, rest = token.split("_", 2)
    exp = nbf = iat = None
    if jwt_claims.JWT_SHAPE.fullmatch(rest):
        exp, nbf, iat = jwt_claims.unverified_times(rest)
    return Findings(
        expires_at=exp, not_before=nbf, issued_at=iat, resources=(f"github-app:{app_id}",)
    )


def _formats() -> Iterator[TokenFormat]:
    # GitHub: the newer, longer installation token first, then the 36-character family.
    yield _fmt(
        "github",
        "installation",
        "ghs_",
        r"[0-9]{1,20}_[A-Za-z0-9_.-]{20,8000}",
        decoder=_decode_github_app_installation,
        max_length=8200,
    )
    for prefix, kind in _GITHUB_KINDS.items():
        yield _fmt(
            "github", kind, prefix, r"[A-Za-z0-9]{36}", checksum=checksum.prefixed_base62_crc_ok
        )
    yield _fmt("github", "fine-grained-pat", "github_pat_", r"[A-Za-z0-9]{22}_[A-Za-z0-9]{59}")

    for prefix, kind in _GITLAB_KINDS.items():
        runner = r"(?:t[0-9]_)?" if prefix == "glrt-" else ""
        yield _fmt(
            "gitlab",
            kind,
            prefix,
            runner + gitlab_routable.ROUTABLE_SUFFIX,
            checksum=checksum.gitlab_routable_crc_ok,
            decoder=gitlab_routable.decode_routable,
        )
        yield _fmt("gitlab", kind, prefix, r"[A-Za-z0-9_-]{20,64}")

    for key, kind in _STRIPE_KINDS.items():
        for env in ("live", "test"):
            yield _fmt(
                "stripe", kind, f"{key}_{env}_", r"[A-Za-z0-9]{10,247}", environment_hint=env
            )

    yield _fmt("aws", "access-key-id", "AKIA", r"[A-Z2-7]{16}", decoder=aws.decode_access_key_id)
    yield _fmt(
        "aws",
        "temporary-access-key-id",
        "ASIA",
        r"[A-Z2-7]{16}",
        decoder=aws.decode_access_key_id,
    )

    # OpenAI: the marker "T3BlbkFJ" is base64 of "OpenAI".
    for prefix, kind in (
        ("sk-proj-", "project-key"),
        ("sk-svcacct-", "service-account-key"),
        ("sk-admin-", "admin-key"),
    ):
        yield _fmt("openai", kind, prefix, r"[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200}")
    yield _fmt("anthropic", "api-key", "sk-ant-api03-", r"[A-Za-z0-9_-]{93}AA")
    yield _fmt("anthropic", "admin-key", "sk-ant-admin01-", r"[A-Za-z0-9_-]{93}AA")
    yield _fmt("openai", "api-key", "sk-", r"[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}")

    yield _fmt(
        "npm", "access-token", "npm_", r"[A-Za-z0-9]{36}", checksum=checksum.prefixed_base62_crc_ok
    )
    yield _fmt(
        "pypi",
        "macaroon",
        pypi_macaroon.PREFIX,
        r"[A-Za-z0-9_-]{16,}",
        decoder=pypi_macaroon.decode_token,
        max_length=MAX_TOKEN_LENGTH,
    )

    yield _fmt("slack", "bot", "xoxb-", r"[0-9]{8,14}-[A-Za-z0-9-]{10,250}")
    yield _fmt("slack", "user", "xoxp-", r"[0-9]{8,14}-[A-Za-z0-9-]{10,250}")
    yield _fmt("slack", "app-level", "xapp-", r"[0-9]-[A-Z0-9]{1,30}-[0-9]{1,20}-[a-z0-9]{10,250}")
    yield _fmt("slack", "rotating-user", "xoxe.xoxp-", r"[0-9]-[A-Za-z0-9-]{20,250}")
    yield _fmt("slack", "rotating-bot", "xoxe.xoxb-", r"[0-9]-[A-Za-z0-9-]{20,250}")
    yield _fmt("slack", "refresh", "xoxe-", r"[0-9]-[A-Za-z0-9]{20,250}")

    yield _fmt("google", "api-key", "AIza", r"[A-Za-z0-9_-]{35}")
    yield _fmt("huggingface", "access-token", "hf_", r"[A-Za-z]{34}")

    for prefix, kind in (("dop_v1_", "pat"), ("doo_v1_", "oauth"), ("dor_v1_", "refresh")):
        yield _fmt("digitalocean", kind, prefix, r"[a-f0-9]{64}")
    for prefix, kind in (
        ("shpat_", "access-token"),
        ("shpca_", "custom-app-token"),
        ("shppa_", "private-app-token"),
        ("shpss_", "shared-secret"),
    ):
        yield _fmt("shopify", kind, prefix, r"[a-fA-F0-9]{32}")
    yield _fmt("sendgrid", "api-key", "SG.", r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")
    yield _fmt("twilio", "account-sid", "AC", r"[0-9a-f]{32}", near_miss_hint=False)
    yield _fmt("twilio", "api-key-sid", "SK", r"[0-9a-f]{32}", near_miss_hint=False)
    for prefix, kind in (
        ("cfut_", "user-token"),
        ("cfat_", "account-token"),
        ("cfk_", "global-key"),
    ):
        yield _fmt("cloudflare", kind, prefix, r"[A-Za-z0-9]{32,128}")

    # HashiCorp Vault; Enterprise tokens may end in ".<namespace id>".
    namespace = r"(?:\.[A-Za-z0-9]{5})?"
    yield _fmt("vault", "service", "hvs.", r"[A-Za-z0-9_-]{90,120}" + namespace)
    yield _fmt("vault", "batch", "hvb.", r"[A-Za-z0-9_-]{138,300}" + namespace)
    yield _fmt("vault", "recovery", "hvr.", r"[A-Za-z0-9_-]{90,300}")
    # Legacy "s." / "b." only when the rest looks like a token: 24 characters mixing letters and
    # digits, or a long base64url batch body starting "AAAA" (a serialised version header).
    # "s.something" in prose must not match.
    yield _fmt(
        "vault",
        "service",
        "s.",
        r"(?=[A-Za-z0-9]{0,23}[0-9])(?=[A-Za-z0-9]{0,23}[A-Za-z])[A-Za-z0-9]{24}",
        near_miss_hint=False,
    )
    yield _fmt(
        "vault",
        "batch",
        "b.",
        r"AAAA[A-Za-z0-9_-]{96,296}",
        near_miss_hint=False,
    )

    yield TokenFormat(
        "jwt",
        "jwt",
        "eyJ",
        jwt_claims.JWT_SHAPE,
        decoder=jwt_claims.decode_unverified,
        max_length=MAX_TOKEN_LENGTH,
        near_miss_hint=False,
    )


FORMATS: tuple[TokenFormat, ...] = tuple(_formats())


def _index() -> dict[str, tuple[TokenFormat, ...]]:
    """Formats by their first two characters, longest prefix first, so a lookup tries a handful
    of candidates instead of every pattern."""
    index: dict[str, list[TokenFormat]] = {}
    for fmt in FORMATS:
        index.setdefault(fmt.prefix[:2], []).append(fmt)
    return {
        head: tuple(sorted(group, key=lambda f: -len(f.prefix)))  # stable: keeps listed order
        for head, group in index.items()
    }


_BY_HEAD = _index()


def candidates(text: str) -> tuple[TokenFormat, ...]:
    """The formats whose prefix ``text`` starts with, most specific first."""
    return tuple(f for f in _BY_HEAD.get(text[:2], ()) if text.startswith(f.prefix))
