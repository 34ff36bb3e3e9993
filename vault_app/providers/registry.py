"""Finding adapters: the ``vault_app.providers`` entry-point group, built-ins included.

A third-party adapter that fails to load, or that is not a :class:`Provider`, is logged (its
name and the exception class only: never its message, which could hold anything) and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points

from vault_app.core.errors import NotFoundError
from vault_app.core.model import TokenRecord
from vault_app.providers.base import Provider

GROUP = "vault_app.providers"
log = logging.getLogger(__name__)

#: The built-in adapters, as registered in pyproject.toml. Used as they are when the package
#: runs from a source tree whose installed metadata predates an adapter.
BUILTINS = {
    "gitlab": "vault_app.providers.gitlab:GitLab",
    "cloudflare": "vault_app.providers.cloudflare:Cloudflare",
    "vault": "vault_app.providers.hashicorp_vault:HashiCorpVault",
    "npm": "vault_app.providers.npm:Npm",
    "github": "vault_app.providers.github:GitHub",
    "command": "vault_app.providers.command:Command",
    "jwt-issuer": "vault_app.providers.jwt_issuer:JwtIssuer",
    "postgres": "vault_app.providers.postgres:Postgres",
}


@dataclass(frozen=True, slots=True)
class Skipped:
    name: str
    reason: str


class Registry:
    def __init__(self, found: dict[str, Provider], skipped: Iterable[Skipped] = ()) -> None:
        self._found = dict(sorted(found.items()))
        self.skipped = tuple(skipped)

    def names(self) -> list[str]:
        return list(self._found)

    def get(self, name: str) -> Provider:
        try:
            return self._found[name]
        except KeyError:
            known = ", ".join(self._found) or "none"
            raise NotFoundError(f"no provider adapter named {name} (known: {known})") from None

    def for_record(self, record: TokenRecord) -> Provider | None:
        """The adapter a record uses: the ``adapter`` option, else its provider's, else none."""
        name = record.provider_options.get("adapter") or record.provider
        if not name:
            return None
        if record.provider_options.get("adapter"):
            return self.get(name)
        return self._found.get(name)


def _load(name: str, target: str | EntryPoint) -> Provider:
    if isinstance(target, str):
        module, _, attr = target.partition(":")
        obj = getattr(import_module(module), attr)
    else:  # an entry point (importlib.metadata's, or a backport's: same interface)
        obj = target.load()
    if not (isinstance(obj, type) and issubclass(obj, Provider)):
        raise TypeError(f"{name} is not a Provider subclass")
    return obj()


def discover(extra: Iterable[EntryPoint] = ()) -> Registry:
    found: dict[str, Provider] = {}
    skipped: list[Skipped] = []
    points = [*entry_points(group=GROUP), *extra]
    targets: list[tuple[str, str | EntryPoint]] = [(p.name, p) for p in points]
    registered = {p.name for p in points}
    targets += [(n, t) for n, t in BUILTINS.items() if n not in registered]
    for name, target in targets:
        if name in found:
            continue
        try:
            found[name] = _load(name, target)
        except Exception as exc:  # a broken plugin must never stop the app
            reason = type(exc).__name__
            log.warning("provider adapter %s skipped: failed to load (%s)", name, reason)
            skipped.append(Skipped(name, f"failed to load ({reason})"))
    return Registry(found, skipped)


_default: Registry | None = None


def default_registry() -> Registry:
    global _default  # noqa: PLW0603 - loaded once per process
    if _default is None:
        _default = discover()
    return _default
