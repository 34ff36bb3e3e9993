"""``detect``: what a pasted value is, read offline. Never raises; bounded time on any input."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from vault_app.core.tokens.findings import Findings
from vault_app.core.tokens.registry import MAX_TOKEN_LENGTH, TokenFormat, candidates

_PROVIDER_NAMES = {
    "github": "GitHub",
    "gitlab": "GitLab",
    "stripe": "Stripe",
    "aws": "AWS",
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "npm": "npm",
    "pypi": "PyPI",
    "slack": "Slack",
    "google": "Google",
    "huggingface": "Hugging Face",
    "digitalocean": "DigitalOcean",
    "shopify": "Shopify",
    "sendgrid": "SendGrid",
    "twilio": "Twilio",
    "cloudflare": "Cloudflare",
    "vault": "HashiCorp Vault",
    "jwt": "JWT",
}

T = TypeVar("T")

CHECKSUM_WARNING = "checksum does not match: a typo or a truncated paste?"


@dataclass(frozen=True, slots=True)
class Detection:
    """What ``detect`` read from a value. Never holds the value or a long piece of it.

    ``resources`` uses ``kind:value`` strings: ``project:NAME``, ``project-id:ID`` and
    ``oidc-publisher:ID`` (PyPI caveats), ``audience:AUD`` (JWT ``aud``), ``github-app:ID``,
    ``organization-id:N`` / ``group-id:N`` / ``project-id:N`` (GitLab routable tokens).
    ``account`` is the AWS account id (12 digits), the PyPI user id, the GitLab user id, or the
    JWT ``sub``. ``claims`` is ``{"header": ..., "payload": ...}`` of a JWT, UNVERIFIED.
    """

    provider: str | None
    kind: str | None
    checksum_valid: bool | None
    environment_hint: str | None
    expires_at: datetime | None
    not_before: datetime | None
    issued_at: datetime | None
    scopes: tuple[str, ...] = ()
    cidrs: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    account: str | None = None
    claims: Mapping[str, object] | None = None
    unsigned: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def recognised(self) -> bool:
        return self.provider is not None

    def to_json(self) -> dict[str, object]:
        """Plain JSON types; times as ISO 8601 UTC ending in "Z"; claims marked unverified."""
        return {
            "provider": self.provider,
            "kind": self.kind,
            "checksum_valid": self.checksum_valid,
            "environment_hint": self.environment_hint,
            "expires_at": _iso(self.expires_at),
            "not_before": _iso(self.not_before),
            "issued_at": _iso(self.issued_at),
            "scopes": list(self.scopes),
            "cidrs": list(self.cidrs),
            "resources": list(self.resources),
            "account": self.account,
            "claims": _thaw(self.claims) if self.claims is not None else None,
            "claims_verified": False,
            "unsigned": self.unsigned,
            "warnings": list(self.warnings),
        }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _thaw(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_thaw(v) for v in value]
    return value


def _unrecognised(*warnings: str) -> Detection:
    return Detection(None, None, None, None, None, None, None, warnings=warnings)


def detect(value: str) -> Detection:
    """Recognise ``value`` (surrounding whitespace ignored) by its shape, check its checksum and
    read what it carries. Anything unrecognisable gives ``provider=None``; nothing raises."""
    if not isinstance(value, str):
        return _unrecognised()
    # Refuse huge pastes before touching them: strip() alone would walk all 10 MB.
    if len(value) > 2 * MAX_TOKEN_LENGTH:
        return _unrecognised("too long to be a token")
    text = value.strip()
    if len(text) > MAX_TOKEN_LENGTH:
        return _unrecognised("too long to be a token")
    if not text:
        return _unrecognised()
    try:
        return _detect(text)
    except Exception:  # a bug here must not lose the user's paste or echo it in a traceback
        return _unrecognised("could not read this value (internal error)")


def _detect(text: str) -> Detection:
    formats = candidates(text)
    for fmt in formats:
        if len(text) <= fmt.max_length and fmt.pattern.fullmatch(text):
            return _recognised(fmt, text)
    hint = next((f for f in formats if f.near_miss_hint), None)
    if hint is not None:
        return _unrecognised(
            f"starts with the {_PROVIDER_NAMES[hint.provider]} prefix {hint.prefix} but the rest "
            "does not fit: truncated or mistyped?"
        )
    return _unrecognised()


def _recognised(fmt: TokenFormat, text: str) -> Detection:
    warnings: list[str] = []
    valid: bool | None = None
    if fmt.checksum is not None:
        valid = _safely(fmt.checksum, text)
        if valid is False:
            warnings.append(CHECKSUM_WARNING)
        elif valid is None:
            warnings.append("could not check this token's checksum")
    found = Findings()
    if fmt.decoder is not None:
        decoded = _safely(fmt.decoder, text)
        if decoded is None:
            warnings.append("could not read the details inside this token")
        else:
            found = decoded
    return Detection(
        provider=fmt.provider,
        kind=fmt.kind,
        checksum_valid=valid,
        environment_hint=fmt.environment_hint,
        expires_at=found.expires_at,
        not_before=found.not_before,
        issued_at=found.issued_at,
        scopes=found.scopes,
        cidrs=found.cidrs,
        resources=found.resources,
        account=found.account,
        claims=found.claims,
        unsigned=found.unsigned,
        warnings=tuple(dict.fromkeys([*warnings, *found.warnings])),
    )


def _safely(function: Callable[[str], T], text: str) -> T | None:
    """Checksums and decoders read hostile input; one that fails costs its details, not the
    recognition, and its exception (which may quote the input) goes nowhere."""
    try:
        return function(text)
    except Exception:
        return None
