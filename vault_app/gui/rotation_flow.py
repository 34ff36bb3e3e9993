"""Rotation in the window: confirm, run on the worker thread with a progress dialog, assisted paste,
history and rollback, the notice for interrupted runs after an unlock, and tokens due for rotation.

The engine (:class:`vault_app.services.rotation.Rotation`) runs on the window's one worker thread
(:class:`~vault_app.gui.background.Background`), so it never meets another vault call: the
window's own calls check ``background.busy``, and the progress dialog is modal while a run goes.
The engine's callbacks fire on the worker thread; :class:`Relay` turns them into queued signals,
and ``ask_value`` blocks the worker until the user answers the paste dialog on the UI thread.
The engine module (and its HTTP stack) is imported on the worker thread, the first time it is
needed, never at start-up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QMessageBox

from vault_app.core.errors import VaultError
from vault_app.core.model import RecordRef, TokenRecord
from vault_app.core.secret import Secret
from vault_app.gui.errors import user_message
from vault_app.gui.history_view import History, history_from
from vault_app.gui.rotation_dialog import (
    AssistDialog,
    DueDialog,
    PlanInfo,
    RotateConfirmDialog,
    RotationProgressDialog,
)
from vault_app.gui.rotation_notice import InterruptedInfo
from vault_app.services.vault import Vault

if TYPE_CHECKING:
    from vault_app.gui.main_window import MainWindow
    from vault_app.services.rotation import Rotation
    from vault_app.services.rotation_types import Outcome, Plan, Progress

log = logging.getLogger(__name__)

#: Builds the engine for a vault (tests inject their own, e.g. with a short HTTP timeout).
Factory = Callable[
    [Vault, "Callable[[Progress], None]", "Callable[[str, str], Secret | None]"], "Rotation"
]


def default_factory(
    vault: Vault,
    progress: Callable[[Progress], None],
    ask: Callable[[str, str], Secret | None],
) -> Rotation:
    from vault_app.services.rotation import Rotation

    return Rotation(vault, progress=progress, ask_value=ask)


class _Waiter:
    """One question from the worker thread, answered once on the UI thread."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.value: Secret | None = None

    def answer(self, value: Secret | None) -> None:
        if not self.event.is_set():
            self.value = value
            self.event.set()


class Relay(QObject):
    """The engine's callbacks, called on the worker thread, as signals delivered on the UI thread."""

    began = Signal(object)  # PlanInfo, before a record's run starts
    news = Signal(object)  # Progress
    ended = Signal(object)  # Outcome
    asked = Signal(str, str, object)  # url, instructions, _Waiter

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._waiting: set[_Waiter] = set()

    def progress(self, news: Progress) -> None:
        self.news.emit(news)

    def ask(self, url: str, instructions: str) -> Secret | None:
        """Block the worker until the user pastes a value or cancels (None)."""
        if QThread.currentThread() is self.thread():
            raise VaultError("the new value can only be asked for during a background run")
        waiter = _Waiter()
        with self._lock:
            self._waiting.add(waiter)
        try:
            self.asked.emit(url, instructions, waiter)
            waiter.event.wait()
        finally:
            with self._lock:
                self._waiting.discard(waiter)
        return waiter.value

    def cancel_all(self) -> None:
        """Answer every open question with None (locking, quitting)."""
        with self._lock:
            waiting = list(self._waiting)
        for waiter in waiting:
            waiter.answer(None)


def _plan_info(plan: Plan, prod: bool) -> PlanInfo:
    return PlanInfo(
        name=plan.record.name,
        env=plan.record.env,
        adapter=plan.adapter.name,
        steps=plan.steps,
        notes=plan.notes,
        resumes=plan.resumes.state if plan.resumes is not None else "",
        assisted=not plan.adapter.unattended,
        prod=prod,
    )


def _interval_passed(record: TokenRecord, now: Any) -> bool:
    if not record.rotate_every_days:
        return False
    since = record.last_rotated_at or record.created_at
    return bool(since + timedelta(days=record.rotate_every_days) <= now)


class RotationFlow(QObject):
    """Everything the window does about rotation; it owns no vault, it uses the window's."""

    #: a run, rollback or resume ended (RecordRef): the window reloads its rows
    changed = Signal(object)
    #: the notice was refreshed after an unlock (interrupted, due)
    checked = Signal(object, object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.factory: Factory = default_factory
        self.relay = Relay(self)
        self.relay.asked.connect(self._ask)
        self.relay.began.connect(self._began)
        self.relay.news.connect(self._news)
        self.relay.ended.connect(self._ended)
        self.confirm_dialog: RotateConfirmDialog | None = None
        self.progress_dialog: RotationProgressDialog | None = None
        self.assist_dialog: AssistDialog | None = None
        self.due_dialog: DueDialog | None = None
        self.rollback_box: QMessageBox | None = None
        self._prod_envs: tuple[str, ...] = ("prod",)

    # -- helpers -------------------------------------------------------------------------------
    def _engine(self, vault: Vault) -> Rotation:
        return self.factory(vault, self.relay.progress, self.relay.ask)

    def _ready(self) -> Vault | None:
        # Every call below goes through the worker queue, behind whatever runs there now: no
        # need to refuse while the window is busy (only calls on the UI thread must wait).
        return self.window.vault

    def _is_prod(self, env: str) -> bool:
        snapshot = self.window.snapshot
        return env in (snapshot.prod_envs if snapshot else self._prod_envs)

    # -- rotating ------------------------------------------------------------------------------
    def rotate_selected(self) -> None:
        row = self.window.current_row()
        if row is not None:
            self.rotate(row.ref)

    def rotate(self, ref: RecordRef) -> None:
        """Plan (no provider call), confirm with a dry-run option, then run with progress."""
        vault = self._ready()
        if vault is None:
            return
        prod = self._is_prod(ref.env)

        def work() -> PlanInfo:
            with self._engine(vault) as engine:
                return _plan_info(engine.plan(ref.name, ref.env), prod)

        self.window.background.run(work, self._confirm, self.window.fail)

    def _confirm(self, plan: PlanInfo) -> None:
        dialog = RotateConfirmDialog(plan, self.window)
        self.confirm_dialog = dialog

        def accepted() -> None:
            self.run([plan.ref], dry_run=dialog.dry_run.isChecked())

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: setattr(self, "confirm_dialog", None))
        dialog.open()

    def run(
        self, refs: Sequence[RecordRef], *, dry_run: bool = False
    ) -> RotationProgressDialog | None:
        """Rotate ``refs`` one after the other in one modal progress dialog."""
        vault = self._ready()
        if vault is None or not refs:
            return None
        dialog = RotationProgressDialog(self.window)
        self.progress_dialog = dialog
        dialog.begin(
            refs[0].name, refs[0].env, (), dry_run=dry_run, prod=self._is_prod(refs[0].env)
        )
        dialog.open()
        prods = {ref: self._is_prod(ref.env) for ref in refs}
        total = len(refs)

        def work() -> list[Outcome]:
            from vault_app.services.rotation_types import Outcome

            outcomes = []
            with self._engine(vault) as engine:
                for i, ref in enumerate(refs, start=1):
                    try:
                        plan = _plan_info(engine.plan(ref.name, ref.env), prods[ref])
                        self.relay.began.emit((plan, dry_run, (i, total)))
                        outcome = engine.rotate(ref.name, ref.env, dry_run=dry_run)
                    except Exception as exc:  # one record's error is shown; the others go on
                        outcome = Outcome(ref.name, ref.env, "failed", user_message(exc))
                    self.relay.ended.emit(outcome)
                    outcomes.append(outcome)
            return outcomes

        def done(outcomes: list[Outcome]) -> None:
            dialog.end()
            self._after_change(refs[0] if len(refs) == 1 else None)
            ok = sum(1 for o in outcomes if o.ok)
            self.window.statusBar().showMessage(
                f"Rotation: {ok} of {len(outcomes)} ended well."
                if len(outcomes) > 1
                else f"{outcomes[0].name} ({outcomes[0].env}): {outcomes[0].state}.",
                8000,
            )

        def failed(exc: BaseException) -> None:
            dialog.finish("failed", False, user_message(exc))
            dialog.end()
            self._after_change(None)

        self.window.background.run(work, done, failed)
        return dialog

    def _began(self, payload: tuple[PlanInfo, bool, tuple[int, int]]) -> None:
        plan, dry_run, position = payload
        if self.progress_dialog is not None:
            self.progress_dialog.begin(
                plan.name,
                plan.env,
                plan.steps,
                resumes=plan.resumes,
                dry_run=dry_run,
                position=position,
                prod=plan.prod,
            )

    def _news(self, news: Progress) -> None:
        if self.progress_dialog is not None and self.progress_dialog.running:
            self.progress_dialog.progress(news.step, news.status, news.detail)

    def _ended(self, outcome: Outcome) -> None:
        dialog = self.progress_dialog
        if dialog is None:
            return
        for news in outcome.steps:  # the engine's record of the run, in case news were missed
            dialog.progress(news.step, news.status, news.detail)
        dialog.finish(
            outcome.state,
            outcome.ok,
            outcome.message,
            outcome.warnings,
            name=f"{outcome.name} ({outcome.env})",
        )

    def _ask(self, url: str, instructions: str, waiter: _Waiter) -> None:
        """Assisted rotation: the worker waits until this dialog closes."""
        parent = self.progress_dialog or self.window
        dialog = AssistDialog(url, instructions, parent)
        self.assist_dialog = dialog
        # The user is on the provider's page, possibly for minutes: an idle lock now would cancel
        # the paste of a token the provider shows only once.
        self.window.idle.hold()

        def finished(_result: int) -> None:
            self.assist_dialog = None
            self.window.idle.release()
            waiter.answer(dialog.secret())

        dialog.finished.connect(finished)
        dialog.open()

    # -- rollback ------------------------------------------------------------------------------
    def rollback_selected(self) -> None:
        row = self.window.current_row()
        if row is not None:
            self.rollback(row.ref)

    def rollback(self, ref: RecordRef, *, interrupted: bool | None = None) -> QMessageBox | None:
        """Ask, then abandon an interrupted run or make the previous version current again."""
        if self._ready() is None:
            return None
        if interrupted is None:
            history = self.window.detail.history.history
            interrupted = bool(history and any(r.open for r in history.runs))
        who = f"{ref.name} ({ref.env})"
        text = (
            f"Abandon the interrupted rotation of {who}? The current value stays; a new value "
            "that was made for the run is discarded (and revoked where the provider allows)."
            if interrupted
            else f"Make the previous version of {who} current again? It is tested with the "
            "provider first; the version in use now is kept as previous."
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Roll back",
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("rollbackConfirm")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.rollback_box = box

        def finished(answer: int) -> None:
            self.rollback_box = None
            if answer == QMessageBox.StandardButton.Yes.value:
                self._do_rollback(ref)

        box.finished.connect(finished)
        box.open()
        return box

    def _do_rollback(self, ref: RecordRef) -> None:
        vault = self._ready()
        if vault is None:
            return

        def work() -> Outcome:
            with self._engine(vault) as engine:
                return engine.rollback(ref.name, ref.env)

        def done(outcome: Outcome) -> None:
            message = f"{ref.name} ({ref.env}): {outcome.message}"
            if outcome.warnings:
                message += " " + " ".join(outcome.warnings)
            self.window.statusBar().showMessage(message, 10000)
            self._after_change(ref)

        def failed(exc: BaseException) -> None:
            self.window.fail(exc)
            self._after_change(ref)

        self.window.background.run(work, done, failed)

    # -- history -------------------------------------------------------------------------------
    def load_history(self, ref: RecordRef) -> None:
        """Read versions and runs on the worker; shown if the token is still the one selected."""
        vault = self.window.vault
        if vault is None:
            return

        def work() -> History:
            with self._engine(vault) as engine:
                return history_from(
                    engine.versions(ref.name, ref.env), engine.history(ref.name, ref.env)
                )

        def done(history: History) -> None:
            row = self.window.detail.row
            if row is not None and row.ref == ref and self.window.vault is vault:
                self.window.detail.history.show_history(history)

        def failed(exc: BaseException) -> None:
            self.window.detail.history.clear(user_message(exc))

        self.window.background.run(work, done, failed)

    # -- after unlock: interrupted runs and due tokens -----------------------------------------
    def check(self) -> None:
        """After an unlock: interrupted runs (a cheap query) and tokens past their interval."""
        vault = self.window.vault
        snapshot = self.window.snapshot
        if vault is None:
            return
        now = self.window.options.clock.now()
        candidates = [r for r in (snapshot.records if snapshot else []) if _interval_passed(r, now)]

        if not self.window.background.busy:
            # One cheap query, on this thread like the window's other small reads, so that the
            # common case (nothing waiting, nothing due) never makes the window busy after an
            # unlock (copying right away must work).
            try:
                stuck_now = bool(vault.interrupted_rotations())
            except VaultError as exc:
                log.warning("rotation check after unlock failed (%s)", type(exc).__name__)
                return
            if not stuck_now and not candidates:
                self.window.rotation_notice.show_state([], [])
                self.checked.emit([], [])
                return

        def work() -> tuple[list[InterruptedInfo], list[tuple[RecordRef, str]]]:
            stuck = vault.interrupted_rotations()
            if not stuck and not candidates:
                return [], []  # the engine (and its HTTP stack) is not even imported
            with self._engine(vault) as engine:
                interrupted = (
                    [
                        InterruptedInfo(
                            i.name,
                            i.env,
                            i.adapter,
                            i.state,
                            i.started_at.strftime("%Y-%m-%d %H:%M UTC"),
                            i.advice,
                        )
                        for i in engine.interrupted()
                    ]
                    if stuck
                    else []
                )
                busy = {item.ref for item in interrupted}
                due = [
                    (
                        RecordRef(r.name, r.env),
                        f"every {r.rotate_every_days} days, last "
                        + (r.last_rotated_at or r.created_at).strftime("%Y-%m-%d"),
                    )
                    for r in (engine.due() if candidates else [])
                    if RecordRef(r.name, r.env) not in busy
                ]
            return interrupted, due

        def done(result: tuple[list[InterruptedInfo], list[tuple[RecordRef, str]]]) -> None:
            if self.window.vault is not vault:
                return
            interrupted, due = result
            self.window.rotation_notice.show_state(interrupted, due)
            self.checked.emit(interrupted, due)

        def failed(exc: BaseException) -> None:
            # Not worth a dialog at every unlock: the CLI and the Rotate action say it again.
            log.warning("rotation check after unlock failed (%s)", type(exc).__name__)

        self.window.background.run(work, done, failed)

    def review_due(self) -> DueDialog | None:
        due = self.window.rotation_notice.due
        if not due or self.window.vault is None:
            return None
        dialog = DueDialog(due, self.window)
        self.due_dialog = dialog

        def accepted() -> None:
            chosen = dialog.chosen()
            if chosen:
                self.run(chosen)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: setattr(self, "due_dialog", None))
        dialog.open()
        return dialog

    def _after_change(self, ref: RecordRef | None) -> None:
        self.changed.emit(ref)
        self.check()
        row = self.window.detail.row
        if row is not None and self.window.detail.history_showing():
            self.load_history(row.ref)

    def locked(self) -> None:
        """The vault locked: no question stays open, the notice goes."""
        self.relay.cancel_all()
        if self.assist_dialog is not None:
            self.assist_dialog.reject()
        self.window.rotation_notice.show_state([], [])


__all__ = ["Factory", "Relay", "RotationFlow", "default_factory"]
