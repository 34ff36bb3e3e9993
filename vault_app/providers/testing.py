"""The contract every adapter keeps, as a test mixin (no pytest import: plain asserts).

A new adapter's test is a few lines::

    class TestMyAdapter(ProviderContract):
        provider = MyAdapter()

        def context(self) -> Context: ...        # options pointing at a test server
        def working_value(self) -> Secret: ...   # a value the server accepts now
        def refused_value(self) -> Secret: ...   # a value the server refuses

Each test method asks for fresh values, so a server whose tokens change under rotation is fine.
"""

from __future__ import annotations

from collections.abc import Callable

from vault_app.core.secret import Secret
from vault_app.providers.base import (
    Capability,
    Context,
    Created,
    LiveInfo,
    Provider,
    ProviderAuthError,
    ProviderError,
)
from vault_app.providers.registry import BUILTINS, default_registry


class ProviderContract:
    provider: Provider
    #: adapters whose rotation needs a person set ask_value in their context instead
    builtin: bool = True

    # -- what a subclass provides ------------------------------------------------------------
    def context(self) -> Context:
        raise NotImplementedError

    def working_value(self) -> Secret:
        raise NotImplementedError

    def refused_value(self) -> Secret:
        return Secret("vault-app-contract-refused-0000000000")

    # -- the contract ------------------------------------------------------------------------
    def test_declares_itself(self) -> None:
        p = self.provider
        assert p.name and p.name == p.name.strip().lower(), "a lowercase name"
        assert p.title, "a title for people"
        assert p.capabilities <= set(Capability)
        keys = [o.key for o in p.option_specs()]
        assert len(keys) == len(set(keys)), "option keys are unique"
        for spec in p.option_specs():
            assert spec.help, f"option {spec.key} has help text"
            assert not (spec.required and spec.default), f"{spec.key}: required with a default"

    def test_is_registered_by_entry_point(self) -> None:
        if not self.builtin:
            return
        assert self.provider.name in BUILTINS
        assert type(default_registry().get(self.provider.name)) is type(self.provider)

    def test_available_says_why_not(self) -> None:
        ok, why = self.provider.available()
        assert isinstance(ok, bool)
        assert ok or why, "an unavailable adapter says why"

    def test_repr_holds_no_secret(self) -> None:
        value = self.working_value()
        created = Created(value)
        assert value.reveal() not in repr(created)
        assert value.reveal() not in repr(self.provider)

    def test_undeclared_capabilities_refuse(self) -> None:
        ctx, value = self.context(), self.working_value()
        calls: dict[Capability, Callable[[], object]] = {
            Capability.INSPECT: lambda: self.provider.inspect(ctx, value),
            Capability.RENEW: lambda: self.provider.renew(ctx, value),
        }
        for capability, call in calls.items():
            if capability in self.provider.capabilities:
                continue
            try:
                call()
            except ProviderError:
                continue
            raise AssertionError(f"{self.provider.name} has no {capability} but did not refuse")

    def test_inspect_working_value(self) -> None:
        if Capability.INSPECT not in self.provider.capabilities:
            return
        info = self.provider.inspect(self.context(), self.working_value())
        assert isinstance(info, LiveInfo)
        assert info.active, f"a working value inspects as active, not {info.status}"

    def test_inspect_refused_value_is_not_active(self) -> None:
        if Capability.INSPECT not in self.provider.capabilities:
            return
        refused = self.refused_value()
        try:
            info = self.provider.inspect(self.context(), refused)
        except ProviderAuthError as exc:
            assert refused.reveal() not in str(exc)
            return
        assert not info.active

    def test_rotation_makes_a_new_value_that_passes_its_test(self) -> None:
        if Capability.ROTATE not in self.provider.capabilities:
            return
        ctx, current = self.context(), self.working_value()
        created = self.provider.create(ctx, current)
        assert created.value.reveal() and created.value != current
        self.provider.apply(ctx, current, created.value, created.state)
        check = self.provider.test(ctx, created.value, created.state)
        assert check.ok, check.reason

    def test_refused_value_errors_are_clean(self) -> None:
        refused = self.refused_value()
        ctx = self.context()
        attempts: tuple[tuple[Capability, Callable[[], object]], ...] = (
            (Capability.ROTATE, lambda: self.provider.create(ctx, refused)),
            (Capability.RENEW, lambda: self.provider.renew(ctx, refused)),
        )
        for capability, call in attempts:
            if capability not in self.provider.capabilities:
                continue
            try:
                call()
            except ProviderError as exc:
                assert refused.reveal() not in str(exc), "an error message echoes the value"
