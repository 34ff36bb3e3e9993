"""Staged rotation through provider adapters, so that no working token is ever lost.

The model is AWS Secrets Manager's: make the new value and store it as PENDING, put it into
service, test it, then FINISH (pending becomes current, current becomes previous) and revoke the
old one where the provider needs that. Each step is a state of a persisted run; the state, any
value it produced and its audit event are committed in one transaction before the next step
starts. A run that stopped halfway (process killed, network gone) stays open: the next
``rotate`` of that record, ``rotation resume``, or the GUI's prompt after unlock picks it up.

Front ends use :class:`Rotation`::

    rotation = Rotation(vault, progress=callback, ask_value=ask)
    outcome = rotation.rotate("deploy", "prod")          # or dry_run=True
    rotation.interrupted(); rotation.resume_all(); rotation.due(); rotation.rotate_due()
    rotation.versions("deploy", "prod"); rotation.history("deploy", "prod")
    rotation.rollback("deploy", "prod"); rotation.inspect_live("deploy", "prod")
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import MappingProxyType, TracebackType
from typing import Any

import httpx

from vault_app.core.errors import ConflictError, NotFoundError, VaultError
from vault_app.core.model import Source, TokenRecord
from vault_app.core.secret import Secret
from vault_app.providers.base import (
    AskValue,
    Capability,
    Check,
    Context,
    Created,
    LiveInfo,
    Provider,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimitedError,
    ProviderTimeoutError,
    parse_time,
)
from vault_app.providers.http import make_client
from vault_app.providers.registry import Registry, default_registry
from vault_app.services.inputs import TokenFields
from vault_app.services.rotation_types import (
    STEPS,
    Drift,
    Interrupted,
    LiveReport,
    Outcome,
    Plan,
    Progress,
    ProgressCallback,
    RotationError,
    RunView,
)
from vault_app.services.vault import Vault, merge_fields
from vault_app.storage import audit
from vault_app.storage.rotation_store import RotationStore, Run, SlotInfo

#: For crash-injection tests: the process kills itself at this point (see tests/test_rotation_crash.py).
CRASH_ENV = "VAULT_APP_CRASH_AT"
#: Provider errors that say "try again later", not "this will never work".
TRANSIENT = (ProviderTimeoutError, ProviderRateLimitedError)


@dataclass
class _Run:
    """A run being driven: the record, its adapter and context, and the stored run."""

    record: TokenRecord
    adapter: Provider
    ctx: Context
    run: Run
    warnings: list[str] = field(default_factory=list)
    steps: list[Progress] = field(default_factory=list)
    resumed: bool = False
    #: the state the run was in when this process picked it up
    start_state: str = ""


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class Rotation:
    """Rotation, live inspection, versions and rollback for an unlocked :class:`Vault`."""

    def __init__(
        self,
        vault: Vault,
        *,
        http: httpx.Client | None = None,
        registry: Registry | None = None,
        progress: ProgressCallback | None = None,
        ask_value: AskValue | None = None,
    ) -> None:
        self._vault = vault
        # Same package: the facade's database and repository are the rotation engine's too.
        self._db = vault.database
        self._repo = vault.repository
        self._store = RotationStore(self._db)
        self._own_http = http is None
        self._http = http or make_client()
        self._registry = registry or default_registry()
        self._progress = progress
        self._ask_value = ask_value

    def __repr__(self) -> str:
        return f"Rotation({self._vault!r})"

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> Rotation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- adapters ----------------------------------------------------------------------------
    @property
    def registry(self) -> Registry:
        return self._registry

    def adapter_for(self, record: TokenRecord) -> Provider:
        adapter = self._registry.for_record(record)
        if adapter is None:
            raise RotationError(
                f"{record.name} ({record.env}) has no provider adapter: set one with "
                f"`vault-app edit {record.name} --env {record.env} --provider-option adapter=NAME` "
                f"(known: {', '.join(self._registry.names())})"
            )
        ok, why = adapter.available()
        if not ok:
            raise RotationError(f"the {adapter.name} adapter cannot work here: {why}")
        return adapter

    def _context(self, record: TokenRecord, adapter: Provider) -> Context:
        options: dict[str, str] = {
            spec.key: spec.default for spec in adapter.option_specs() if spec.default is not None
        }
        options.update(record.provider_options)

        def secret_of(key: str) -> Secret:
            ref = options.get(key)
            if not ref:
                raise RotationError(
                    f"the {adapter.name} adapter needs the provider option {key} "
                    "(the name of the record that holds it)"
                )
            name, _, env = ref.partition("@")
            other = self._vault.resolve(name, env or record.env)
            return self._vault.reveal(other, purpose=f"use by {adapter.name} adapter")

        return Context(
            options=MappingProxyType(options),
            http=self._http,
            clock=self._vault.clock,
            secret_of=secret_of,
            ask_value=self._ask_value,
            label=f"{record.name} ({record.env})",
            expected_scopes=record.constraints.scopes,
            expected_cidrs=record.constraints.cidrs,
        )

    def _missing_options(self, record: TokenRecord, adapter: Provider) -> list[str]:
        return [
            spec.key
            for spec in adapter.option_specs()
            if spec.required and not record.provider_options.get(spec.key)
        ]

    # -- planning ------------------------------------------------------------------------------
    def plan(self, name: str, env: str | None) -> Plan:
        record = self._vault.resolve(name, env)
        adapter = self.adapter_for(record)
        if Capability.ROTATE not in adapter.capabilities:
            raise RotationError(f"the {adapter.name} adapter cannot rotate tokens")
        missing = self._missing_options(record, adapter)
        if missing:
            raise RotationError(
                f"the {adapter.name} adapter needs "
                + ", ".join(f"--provider-option {m}=..." for m in missing)
            )
        steps = ["check", "create", "apply", "test", "finish"]
        notes: list[str] = []
        if self._needs_revoke(adapter):
            steps.append("revoke")
        if adapter.revokes_old_itself:
            notes.append(f"{adapter.name} revokes the old value as soon as it makes the new one")
        if not adapter.unattended:
            notes.append("this rotation is assisted: you will be asked for the new value")
        hint = adapter.retire_hint(self._context(record, adapter))
        if hint:
            notes.append(f"afterwards: {hint}")
        return Plan(record, adapter, tuple(steps), self._store.open_run(record.id), tuple(notes))

    @staticmethod
    def _needs_revoke(adapter: Provider) -> bool:
        return Capability.REVOKE in adapter.capabilities and not adapter.revokes_old_itself

    # -- rotating ------------------------------------------------------------------------------
    def rotate(self, name: str, env: str | None, *, dry_run: bool = False) -> Outcome:
        """Rotate one record, or resume its interrupted run. Never raises for a provider error."""
        plan = self.plan(name, env)
        record, adapter = plan.record, plan.adapter
        ctx = self._context(record, adapter)
        if dry_run:
            return self._dry_run(plan, ctx)
        if plan.resumes is not None:
            return self._drive(_Run(record, adapter, ctx, plan.resumes, resumed=True))
        now = self._vault.clock.now()
        run = Run(
            id=self._store.new_run_id(),
            token_id=record.id,
            adapter=adapter.name,
            state="started",
            from_version=record.version,
            to_version=self._store.next_version(record.id, record.version),
            started_at=now,
            updated_at=now,
        )
        with self._db.transaction() as conn:
            self._store.insert_run(conn, run)
            audit.append(
                conn,
                now,
                "rotate",
                record.name,
                record.env,
                f"started {run.id[:8]} ({adapter.name})",
            )
        _crash_point("after-started")
        return self._drive(_Run(record, adapter, ctx, run))

    def _dry_run(self, plan: Plan, ctx: Context) -> Outcome:
        steps = [Progress(s, "planned") for s in plan.steps]
        live: LiveInfo | None = None
        notes = list(plan.notes)
        if plan.resumes is not None:
            notes.insert(0, f"an interrupted run (at {plan.resumes.state}) would be resumed")
        if Capability.INSPECT in plan.adapter.capabilities:
            try:
                live = plan.adapter.inspect(ctx, self._store.open_slot(plan.record.id, "current"))
            except ProviderError as exc:
                notes.append(f"the provider could not be asked: {exc}")
            else:
                notes.append(f"the provider reports the current value as {live.status}")
        return Outcome(
            plan.record.name,
            plan.record.env,
            "dry-run",
            f"would rotate with the {plan.adapter.name} adapter; nothing was changed",
            plan.record.version,
            tuple(notes),
            tuple(steps),
            live,
        )

    def _emit(self, r: _Run, step: str, status: str, detail: str = "") -> None:
        news = Progress(step, status, detail)
        r.steps.append(news)
        if self._progress is not None:
            self._progress(news)

    def _advance(
        self,
        r: _Run,
        state: str,
        detail: str = "",
        *,
        data: Mapping[str, str] | None = None,
        message: str | None = None,
        extra: Callable[[Any], None] | None = None,
    ) -> None:
        """Persist the run's next state with its audit event (and ``extra`` writes), at once."""
        now = self._vault.clock.now()
        with self._db.transaction() as conn:
            if extra is not None:
                extra(conn)
            self._store.set_state(
                conn, r.run.id, state, now, detail=detail, data=data, message=message
            )
            shown = f"{state} {r.run.id[:8]}" + (f": {detail}" if detail else "")
            audit.append(conn, now, "rotate", r.record.name, r.record.env, shown)
        r.run = self._store.run(r.run.id)

    def _end(self, r: _Run, state: str, message: str) -> Outcome:
        self._advance(r, state, message=message)
        record = self._vault.resolve(r.record.name, r.record.env)
        return Outcome(
            record.name,
            record.env,
            state,
            message,
            record.version,
            tuple(r.warnings),
            tuple(r.steps),
        )

    def _pause(self, r: _Run, step: str, exc: ProviderError) -> Outcome:
        """A transient failure mid-run: keep the run open so it can be resumed."""
        self._emit(r, step, "failed", str(exc))
        message = (
            f"{exc}. The rotation is paused at '{r.run.state}' with nothing lost; run "
            f"`vault-app rotate {r.record.name} --env {r.record.env}` again to resume it, or "
            f"`vault-app rollback {r.record.name} --env {r.record.env}` to abandon it"
        )
        self._advance(r, r.run.state, "paused", message=message)
        return Outcome(
            r.record.name,
            r.record.env,
            "interrupted",
            message,
            r.record.version,
            tuple(r.warnings),
            tuple(r.steps),
        )

    def _drive(self, r: _Run) -> Outcome:
        """Run the remaining steps of ``r`` from its persisted state."""
        handlers: dict[str, Callable[[_Run], Outcome | None]] = {
            "started": self._step_check,
            "checked": self._step_mark_in_flight,
            "creating": self._step_create,
            "created": self._step_apply,
            "applied": self._step_test,
            "tested": self._step_finish,
            "finished": self._step_revoke,
        }
        r.start_state = r.run.state
        if r.resumed:
            self._emit(r, "check", "running", f"resuming a run interrupted at '{r.run.state}'")
        while r.run.open:
            handler = handlers.get(r.run.state)
            if handler is None:
                raise RotationError(f"a rotation run is in an unknown state ({r.run.state})")
            outcome = handler(r)
            if outcome is not None:
                return outcome
        record = self._vault.resolve(r.record.name, r.record.env)
        return Outcome(
            record.name,
            record.env,
            r.run.state,
            r.run.message,
            record.version,
            tuple(r.warnings),
            tuple(r.steps),
        )

    def _current(self, r: _Run) -> Secret:
        return self._store.open_slot(r.record.id, "current")

    def _step_check(self, r: _Run) -> Outcome | None:
        self._emit(r, "check", "running")
        data = dict(r.run.data)
        if Capability.INSPECT in r.adapter.capabilities:
            try:
                live = r.adapter.inspect(r.ctx, self._current(r))
            except TRANSIENT as exc:
                self._emit(r, "check", "failed", str(exc))
                return self._end(r, "failed", f"{exc}; nothing was changed, try again later")
            except ProviderError as exc:
                self._emit(r, "check", "failed", str(exc))
                return self._end(r, "failed", f"{exc}; nothing was changed")
            if live.status in ("revoked", "expired", "inactive", "invalid"):
                message = (
                    f"the provider reports the current value as {live.status}: there is nothing "
                    "to rotate from"
                )
                if r.adapter.revokes_old_itself:
                    message += " (and rotating a revoked token can revoke its whole family)"
                message += (
                    f". Make a new token at the provider and store it with `vault-app edit "
                    f"{r.record.name} --env {r.record.env} --value-stdin`"
                )
                self._emit(r, "check", "failed", message)
                return self._end(r, "failed", message)
            if live.scopes is not None and not r.ctx.expected_scopes:
                data["scopes"] = json.dumps(list(live.scopes))
        self._advance(r, "checked", data=data)
        self._emit(r, "check", "done")
        _crash_point("after-checked")
        return None

    def _step_mark_in_flight(self, r: _Run) -> Outcome | None:
        # Recorded before the call: a provider without an idempotency key (GitLab) may act on
        # it and the answer may never arrive; the next start must know to look.
        self._advance(r, "creating", f"calling {r.adapter.name}")
        _crash_point("after-creating")
        return None

    def _expected_scopes(self, r: _Run) -> tuple[str, ...]:
        if r.ctx.expected_scopes:
            return r.ctx.expected_scopes
        raw = r.run.data.get("scopes")
        return tuple(json.loads(raw)) if raw else ()

    def _step_create(self, r: _Run) -> Outcome | None:
        current = self._current(r)
        if r.resumed and r.start_state == "creating" and not r.adapter.create_is_repeatable:
            # The call may have been made, and the provider may have revoked the old value.
            self._emit(r, "create", "running", "checking whether the interrupted call went through")
            try:
                check = r.adapter.test(r.ctx, current, r.run.data)
            except ProviderError as exc:
                return self._pause(r, "create", exc)
            if not check.ok:
                return self._lost(r, check.reason)
        self._emit(r, "create", "running")
        try:
            created = r.adapter.create(r.ctx, current)
        except ProviderTimeoutError as exc:
            if r.adapter.create_is_repeatable:
                self._emit(r, "create", "failed", str(exc))
                return self._end(r, "failed", f"{exc}; the current value is unchanged")
            # No answer: did the provider act? Ask with the old value.
            try:
                check = r.adapter.test(r.ctx, current, r.run.data)
            except ProviderError:
                return self._pause(r, "create", exc)
            if check.ok:
                self._emit(r, "create", "failed", str(exc))
                return self._end(r, "failed", f"{exc}; the current value is unchanged")
            return self._lost(r, check.reason)
        except ProviderError as exc:
            self._emit(r, "create", "failed", str(exc))
            return self._end(r, "failed", f"{exc}; the current value is unchanged")
        _crash_point("before-store")
        self._store_created(r, created)
        self._emit(r, "create", "done")
        _crash_point("after-created")
        return None

    def _store_created(self, r: _Run, created: Created) -> None:
        data = dict(r.run.data)
        data.update({f"adapter.{k}": v for k, v in created.state.items()})
        if created.expires_at is not None:
            data["expires_at"] = created.expires_at.isoformat()
        if created.old_revoked:
            data["old_revoked"] = "1"
        now = self._vault.clock.now()

        def write(conn: Any) -> None:
            self._store.put_pending(conn, r.record.id, r.run.to_version, created.value, now)

        self._advance(r, "created", f"pending v{r.run.to_version} stored", data=data, extra=write)

    def _adapter_state(self, r: _Run) -> dict[str, str]:
        return {
            k.removeprefix("adapter."): v for k, v in r.run.data.items() if k.startswith("adapter.")
        }

    def _lost(self, r: _Run, reason: str) -> Outcome:
        message = (
            f"{r.adapter.name} made a new value for {r.record.name} ({r.record.env}), but the "
            "process stopped before it was saved, and the provider no longer accepts the old "
            f"value ({reason or 'refused'}). The vault still holds the old value. Make a new "
            "token at the provider and store it with "
            f"`vault-app edit {r.record.name} --env {r.record.env} --value-stdin`"
        )
        self._emit(r, "create", "failed", message)
        return self._end(r, "lost", message)

    def _step_apply(self, r: _Run) -> Outcome | None:
        self._emit(r, "apply", "running")
        pending = self._store.open_slot(r.record.id, "pending")
        try:
            r.adapter.apply(r.ctx, self._current(r), pending, self._adapter_state(r))
        except TRANSIENT as exc:
            return self._pause(r, "apply", exc)
        except ProviderError as exc:
            self._emit(r, "apply", "failed", str(exc))
            return self._discard(r, f"{exc}")
        self._advance(r, "applied")
        self._emit(r, "apply", "done")
        _crash_point("after-applied")
        return None

    def _step_test(self, r: _Run) -> Outcome | None:
        self._emit(r, "test", "running")
        pending = self._store.open_slot(r.record.id, "pending")
        r.ctx.expected_scopes = self._expected_scopes(r)
        try:
            check = r.adapter.test(r.ctx, pending, self._adapter_state(r))
        except TRANSIENT as exc:
            return self._pause(r, "test", exc)
        except ProviderError as exc:
            check = Check(False, str(exc))
        if not check.ok:
            self._emit(r, "test", "failed", check.reason)
            return self._discard(r, f"the new value failed its test: {check.reason}")
        self._advance(r, "tested")
        self._emit(r, "test", "done")
        _crash_point("after-tested")
        return None

    def _discard(self, r: _Run, reason: str) -> Outcome:
        """A failed apply or test: current stays as it is; the pending value goes, if it may."""
        if r.run.data.get("old_revoked") or r.adapter.revokes_old_itself:
            # The old value is gone at the provider: keep the run open and the new value with it.
            return self._pause(r, "test", ProviderError(reason))
        pending = self._store.open_slot(r.record.id, "pending")
        try:
            r.adapter.apply(r.ctx, pending, self._current(r), self._adapter_state(r))
        except ProviderError as exc:
            r.warnings.append(f"could not put the old value back in service: {exc}")
        if self._needs_revoke(r.adapter):
            try:
                r.adapter.revoke(r.ctx, pending, self._adapter_state(r))
            except ProviderError as exc:
                r.warnings.append(f"the unused new value could not be revoked: {exc}")

        def drop(conn: Any) -> None:
            self._store.drop_pending(conn, r.record.id)

        self._advance(r, "failed", "pending dropped", message=reason, extra=drop)
        record = self._vault.resolve(r.record.name, r.record.env)
        return Outcome(
            record.name,
            record.env,
            "failed",
            f"{reason}; the current value is unchanged",
            record.version,
            tuple(r.warnings),
            tuple(r.steps),
        )

    def _step_finish(self, r: _Run) -> Outcome | None:
        self._emit(r, "finish", "running")
        pending = self._store.open_slot(r.record.id, "pending")
        record = self._vault.resolve(r.record.name, r.record.env)
        now = self._vault.clock.now()
        updated, warnings = merge_fields(
            replace(
                record,
                version=r.run.to_version,
                fingerprint=self._repo.fingerprint(pending),
                last_rotated_at=now,
                updated_at=now,
            ),
            TokenFields(),
            pending,
            fresh_value=True,
        )
        expires = parse_time(r.run.data.get("expires_at"))
        if expires is not None and updated.sources.get("expires_at") != Source.USER:
            sources = dict(updated.sources)
            sources["expires_at"] = Source.PROVIDER
            updated = replace(updated, expires_at=expires, sources=MappingProxyType(sources))
        r.warnings.extend(warnings)

        def promote(conn: Any) -> None:
            self._store.promote(conn, r.record.id)
            self._repo.update(conn, updated, None)

        self._advance(r, "finished", f"v{r.run.to_version} is current", extra=promote)
        r.record = updated
        self._emit(r, "finish", "done")
        _crash_point("after-finished")
        return None

    def _step_revoke(self, r: _Run) -> Outcome | None:
        if self._needs_revoke(r.adapter) and not r.run.data.get("old_revoked"):
            self._emit(r, "revoke", "running")
            try:
                old = self._store.open_slot(r.record.id, "previous")
                r.adapter.revoke(r.ctx, old, self._adapter_state(r))
            except TRANSIENT as exc:
                return self._pause(r, "revoke", exc)
            except ProviderError as exc:
                r.warnings.append(f"the old value could not be revoked: {exc}; revoke it by hand")
                self._emit(r, "revoke", "failed", str(exc))
            else:
                self._emit(r, "revoke", "done")
        else:
            self._emit(r, "revoke", "skipped")
        hint = r.adapter.retire_hint(r.ctx)
        if hint:
            r.warnings.append(hint)
        self._advance(r, "done", f"v{r.run.to_version}", message="rotated")
        return None

    # -- interrupted runs --------------------------------------------------------------------
    def interrupted(self) -> list[Interrupted]:
        found = []
        for run in self._store.open_runs():
            record = self._record_by_id(run.token_id)
            if record is None:
                continue
            advice = (
                f"`vault-app rotate {record.name} --env {record.env}` resumes it; "
                f"`vault-app rollback {record.name} --env {record.env}` abandons it"
            )
            adapter = self._registry.for_record(record)
            if run.state == "creating" and adapter is not None and not adapter.create_is_repeatable:
                advice = (
                    f"the call to {run.adapter} may have gone through; "
                    f"`vault-app rotate {record.name} --env {record.env}` checks and resumes"
                )
            found.append(
                Interrupted(record.name, record.env, run.adapter, run.state, run.started_at, advice)
            )
        return found

    def resume_all(self) -> list[Outcome]:
        out = []
        for item in self.interrupted():
            try:
                out.append(self.rotate(item.name, item.env))
            except VaultError as exc:
                out.append(Outcome(item.name, item.env, "failed", str(exc)))
        return out

    def _record_by_id(self, token_id: str) -> TokenRecord | None:
        return next((r for r in self._vault.records() if r.id == token_id), None)

    # -- scheduled rotation ------------------------------------------------------------------
    def due(self, now: datetime | None = None) -> list[TokenRecord]:
        """Records whose rotation interval has passed and whose adapter rotates unattended."""
        now = now or self._vault.clock.now()
        out = []
        for record in self._vault.records():
            if not record.rotate_every_days:
                continue
            since = record.last_rotated_at or record.created_at
            if since + timedelta(days=record.rotate_every_days) > now:
                continue
            adapter = self._registry.for_record(record)
            if (
                adapter is None
                or Capability.ROTATE not in adapter.capabilities
                or not adapter.unattended
                or not adapter.available()[0]
            ):
                continue
            out.append(record)
        return out

    def rotate_due(self, *, dry_run: bool = False) -> list[Outcome]:
        out = []
        for record in self.due():
            try:
                out.append(self.rotate(record.name, record.env, dry_run=dry_run))
            except VaultError as exc:
                out.append(Outcome(record.name, record.env, "failed", str(exc)))
        return out

    # -- versions, history, rollback ---------------------------------------------------------
    def versions(self, name: str, env: str | None) -> list[SlotInfo]:
        record = self._vault.resolve(name, env)
        return self._store.slots(record.id)

    def history(self, name: str, env: str | None, limit: int = 20) -> list[RunView]:
        record = self._vault.resolve(name, env)
        return [
            RunView(run, tuple(self._store.steps(run.id)))
            for run in self._store.runs_for(record.id, limit)
        ]

    def rollback(self, name: str, env: str | None) -> Outcome:
        """Abandon an interrupted run, or make the previous value current again."""
        record = self._vault.resolve(name, env)
        run = self._store.open_run(record.id)
        if run is not None:
            driver = self.adapter_for(record)
            return self._abandon(_Run(record, driver, self._context(record, driver), run))
        if not self._store.has_slot(record.id, "previous"):
            raise NotFoundError(f"{record.name} ({record.env}) has no previous value to go back to")
        adapter = self._registry.for_record(record)
        previous = self._store.open_slot(record.id, "previous")
        current = self._store.open_slot(record.id, "current")
        warnings: list[str] = []
        if adapter is not None:
            ctx = self._context(record, adapter)
            try:
                adapter.apply(ctx, current, previous, {})
                check = adapter.test(ctx, previous, {})
            except ProviderAuthError as exc:
                check = Check(False, str(exc))
            except ProviderError as exc:
                raise RotationError(f"{exc}; nothing was changed") from None
            if not check.ok:
                raise RotationError(
                    "the previous value no longer works at the provider "
                    f"({check.reason or 'revoked'}); nothing was changed"
                )
        else:
            warnings.append("no adapter to check the previous value with: it was not tested")
        slots = {s.slot: s for s in self._store.slots(record.id)}
        now = self._vault.clock.now()
        restored = replace(
            record,
            version=slots["previous"].version,
            fingerprint=self._repo.fingerprint(previous),
            updated_at=now,
        )
        with self._db.transaction() as conn:
            if self._store.has_slot(record.id, "pending"):
                raise ConflictError("a pending value exists; finish or abandon its run first")
            self._store.swap_previous(conn, record.id)
            self._repo.update(conn, restored, None)
            audit.append(
                conn, now, "rollback", record.name, record.env, f"v{restored.version} is current"
            )
        return Outcome(
            record.name,
            record.env,
            "rolled_back",
            f"v{restored.version} is current again (v{record.version} kept as previous)",
            restored.version,
            tuple(warnings),
        )

    def _abandon(self, r: _Run) -> Outcome:
        state = r.run.state
        if state in ("started", "checked"):
            return self._end(r, "rolled_back", "abandoned before anything was changed")
        if state == "creating":
            if not r.adapter.create_is_repeatable:
                try:
                    check = r.adapter.test(r.ctx, self._current(r), r.run.data)
                except ProviderError as exc:
                    raise RotationError(f"cannot check the current value: {exc}") from None
                if not check.ok:
                    return self._lost(r, check.reason)
            return self._end(r, "rolled_back", "abandoned; the current value is unchanged")
        if state == "finished":
            # The new value is current already: keep it, skip revoking the old one.
            r.warnings.append("the run had already made the new value current; kept it")
            self._advance(r, "done", "revoke skipped", message="rotated (old value not revoked)")
            return self.rollback(r.record.name, r.record.env)
        if r.run.data.get("old_revoked") or r.adapter.revokes_old_itself:
            raise RotationError(
                "the provider already revoked the old value: abandoning would leave no working "
                f"token. Resume instead: `vault-app rotate {r.record.name} --env {r.record.env}`"
            )
        self._emit(r, "finish", "skipped", "abandoning the run")
        outcome = self._discard(r, "abandoned")
        return replace(
            outcome, state="rolled_back", message="abandoned; the current value is unchanged"
        )

    # -- live inspection ---------------------------------------------------------------------
    def inspect_live(self, name: str, env: str | None) -> LiveReport:
        record = self._vault.resolve(name, env)
        adapter = self.adapter_for(record)
        if Capability.INSPECT not in adapter.capabilities:
            raise RotationError(f"the {adapter.name} adapter cannot inspect tokens")
        ctx = self._context(record, adapter)
        value = self._vault.reveal(record, purpose="inspect --live")
        live = adapter.inspect(ctx, value)
        return LiveReport(record, adapter.name, live, tuple(drift(record, live)))


def drift(record: TokenRecord, live: LiveInfo) -> list[Drift]:
    """Where the provider and the vault disagree about scopes, expiry, CIDRs or status."""
    out: list[Drift] = []
    if not live.active:
        out.append(Drift("status", "usable", live.status))
    scopes = record.constraints.scopes
    if live.scopes is not None and scopes and set(live.scopes) != set(scopes):
        out.append(Drift("scopes", ", ".join(scopes), ", ".join(live.scopes) or "(none)"))
    cidrs = record.constraints.cidrs
    if live.cidrs is not None and set(live.cidrs) != set(cidrs):
        out.append(Drift("cidrs", ", ".join(cidrs) or "(any)", ", ".join(live.cidrs) or "(any)"))
    theirs, ours = live.expires_at, record.expires_at
    if theirs is not None and (ours is None or abs((ours - theirs).total_seconds()) > 86400):
        out.append(Drift("expires", _day(ours), _day(theirs)))
    return out


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "never"


__all__ = [
    "STEPS",
    "Drift",
    "Interrupted",
    "LiveReport",
    "Outcome",
    "Plan",
    "Progress",
    "ProgressCallback",
    "Rotation",
    "RotationError",
    "RunView",
    "drift",
]
