"""Provider adapters: live inspection and rotation through each provider's API.

Adapters are found through the ``vault_app.providers`` entry-point group (see
:mod:`vault_app.providers.registry`); each subclasses :class:`~vault_app.providers.base.Provider`,
and its tests start from :class:`vault_app.providers.testing.ProviderContract`.
"""

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
    ProviderRateLimitedError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    clean,
)

__all__ = [
    "Capability",
    "Check",
    "Context",
    "Created",
    "LiveInfo",
    "OptionSpec",
    "Provider",
    "ProviderAuthError",
    "ProviderError",
    "ProviderRateLimitedError",
    "ProviderTimeoutError",
    "ProviderUnavailableError",
    "clean",
]
