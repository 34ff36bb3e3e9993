"""The adapter contract: what a provider can do, the options it needs, and the steps it runs.

    ProviderError                 a provider call failed; the message is cleaned of credentials
    +-- ProviderAuthError         401/403: the token was refused (revoked, expired, wrong scopes)
    +-- ProviderRateLimitedError       429: carries ``retry_after`` seconds when the provider said so
    +-- ProviderTimeoutError           no answer within the client's timeout
    +-- ProviderUnavailableError       the adapter cannot work here (missing library, missing option)

The rotation engine (``vault_app.services.rotation``) drives the steps in the staged order
create -> apply -> test -> (finish in the vault) -> revoke. An adapter never stores anything: it
returns values and non-secret state, and the engine persists them before the next step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar

import httpx

from vault_app.core.clock import Clock
from vault_app.core.errors import VaultError
from vault_app.core.secret import Secret


class Capability(StrEnum):
    INSPECT = "inspect"
    ROTATE = "rotate"
    REVOKE = "revoke"
    RENEW = "renew"


class ProviderError(VaultError):
    """A provider call failed. Build it with :func:`clean` so the text carries no credential."""


class ProviderAuthError(ProviderError):
    pass


class ProviderRateLimitedError(ProviderError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderTimeoutError(ProviderError):
    pass


class ProviderUnavailableError(ProviderError):
    pass


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """A per-record setting (``--provider-option KEY=VALUE``)."""

    key: str
    help: str
    required: bool = False
    default: str | None = None
    #: the option names another record whose value the adapter needs (e.g. a signing key)
    names_record: bool = False


@dataclass(frozen=True, slots=True)
class LiveInfo:
    """What the provider says about a token right now. ``None`` means "the provider did not say"."""

    status: str = "unknown"  # active | revoked | expired | inactive | unknown
    scopes: tuple[str, ...] | None = None
    expires_at: datetime | None = None
    not_before: datetime | None = None
    cidrs: tuple[str, ...] | None = None
    identity: str | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class Created:
    """The answer of :meth:`Provider.create`: the new value and what is known about it.

    ``state`` is non-secret data the later steps need (a token id, an accessor, a key hash);
    the engine stores it with the run.
    """

    value: Secret
    expires_at: datetime | None = None
    old_revoked: bool = False
    state: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        return f"Created(value={self.value!r}, expires_at={self.expires_at!r})"


@dataclass(frozen=True, slots=True)
class Check:
    """The result of :meth:`Provider.test`."""

    ok: bool
    reason: str = ""
    live: LiveInfo | None = None


#: Ask the user for a value made by hand (assisted rotation): (url to open, instructions) -> value.
AskValue = Callable[[str, str], Secret | None]


def _no_secret(key: str) -> Secret:
    raise ProviderUnavailableError(f"no record is available for the provider option {key}")


@dataclass
class Context:
    """What an adapter gets for one operation on one record."""

    options: Mapping[str, str]
    http: httpx.Client
    clock: Clock
    #: the value of another record named by an option (see :attr:`OptionSpec.names_record`)
    secret_of: Callable[[str], Secret] = field(default=_no_secret)
    ask_value: AskValue | None = None
    #: the record's display name, for messages
    label: str = ""
    #: what the vault records about the token (scopes, cidrs), for drift checks and tests
    expected_scopes: tuple[str, ...] = ()
    expected_cidrs: tuple[str, ...] = ()

    def option(self, key: str, default: str | None = None) -> str | None:
        value = self.options.get(key)
        return value if value not in (None, "") else default

    def need(self, key: str) -> str:
        value = self.option(key)
        if value is None:
            raise ProviderUnavailableError(
                f"the provider option {key} is not set (use --provider-option {key}=...)"
            )
        return value

    def timeout(self) -> float | None:
        raw = self.option("timeout")
        if raw is None:
            return None
        try:
            return float(raw)
        except ValueError:
            raise ProviderUnavailableError("the provider option timeout must be seconds") from None


COMMON_OPTIONS = (
    OptionSpec("adapter", "use this adapter instead of the one named by the record's provider"),
    OptionSpec("timeout", "seconds to wait for the provider (default 10)"),
)


class Provider:
    """Base class of every adapter. Subclasses set the class attributes and override steps."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    options: ClassVar[tuple[OptionSpec, ...]] = ()
    #: the provider invalidates the old value itself when it makes the new one (GitLab, Cloudflare)
    revokes_old_itself: ClassVar[bool] = False
    #: calling create twice is harmless (a second new token at worst); False: record in-flight
    create_is_repeatable: ClassVar[bool] = True
    #: rotation needs no person (``rotate --due`` may run it)
    unattended: ClassVar[bool] = True
    #: the provider keeps the old value usable until revoked, so rollback can go back to it
    previous_stays_valid: ClassVar[bool] = False

    def available(self) -> tuple[bool, str]:
        """Whether the adapter can work on this machine and, if not, why."""
        return True, ""

    def inspect(self, ctx: Context, value: Secret) -> LiveInfo:
        raise self._unsupported(Capability.INSPECT)

    def create(self, ctx: Context, current: Secret) -> Created:
        """Make a new value. The engine stores it as pending before anything else happens."""
        raise self._unsupported(Capability.ROTATE)

    def apply(self, ctx: Context, current: Secret, new: Secret, state: Mapping[str, str]) -> None:
        """Put ``new`` into service where that is a separate step (a database password).

        Must be idempotent: called again after a crash, it finds the work done and returns.
        """

    def test(self, ctx: Context, value: Secret, state: Mapping[str, str]) -> Check:
        """Does ``value`` work, with the scopes the record expects?"""
        info = self.inspect(ctx, value)
        return expect_scopes(info, ctx.expected_scopes)

    def revoke(self, ctx: Context, old: Secret, state: Mapping[str, str]) -> None:
        """Retire ``old``. Idempotent: an already revoked value is not an error."""
        raise self._unsupported(Capability.REVOKE)

    def renew(self, ctx: Context, value: Secret) -> LiveInfo:
        raise self._unsupported(Capability.RENEW)

    def retire_hint(self, ctx: Context) -> str:
        """For providers without a revoke API: what the user should do with the old value."""
        return ""

    def option_specs(self) -> tuple[OptionSpec, ...]:
        return COMMON_OPTIONS + self.options

    def _unsupported(self, capability: Capability) -> ProviderError:
        return ProviderError(f"the {self.name} adapter cannot {capability}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def expect_scopes(info: LiveInfo, expected: Iterable[str]) -> Check:
    if not info.active:
        return Check(False, f"the provider reports the token as {info.status}", info)
    wanted = set(expected)
    if info.scopes is not None and wanted and not wanted <= set(info.scopes):
        missing = ", ".join(sorted(wanted - set(info.scopes)))
        return Check(False, f"the token lacks the expected scope(s): {missing}", info)
    return Check(True, "", info)


# -- keeping credentials out of messages --------------------------------------------------------
_CREDENTIAL_SHAPES = re.compile(
    r"(?i)("
    r"(?:bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}"
    r"|(?:glpat|gldt|glrt|npm|ghp|gho|ghu|ghs|ghr|github_pat|cfut|cfat|cfk|hvs|hvb|hvr)[-_.][A-Za-z0-9._-]{8,}"
    r"|eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*"
    r"|(?:password|passwd|secret|token)\s*[=:]\s*\S+"
    r"|://[^/\s:@]+:[^/\s@]+@"
    r")"
)
MAX_MESSAGE = 300


def clean(text: object, secrets: Iterable[Secret | str] = ()) -> str:
    """A provider's message made safe to show: known values and credential shapes masked."""
    out = str(text)
    for secret in secrets:
        raw = secret.reveal() if isinstance(secret, Secret) else secret
        if raw and len(raw) >= 4:
            out = out.replace(raw, "****")
    out = _CREDENTIAL_SHAPES.sub("****", out)
    out = " ".join(out.split())
    return out if len(out) <= MAX_MESSAGE else out[: MAX_MESSAGE - 3] + "..."


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 date or date-time from a provider (``2026-10-28``, ``...Z``), or None."""
    from datetime import UTC

    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)
