"""The one helper for work that must not freeze the window (unlock with Argon2id, loading rows).

Jobs run one at a time, in order, on a single worker thread, so every call into the vault is
serialised; results and errors come back on the UI thread through a queued signal. While a job
that uses the vault is queued or running, :attr:`Background.busy` is true and the window does not
call the vault itself; pure jobs (``uses_vault=False``, e.g. health rules over records already
read) do not make it busy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop, QObject, Signal

T = TypeVar("T")
log = logging.getLogger(__name__)


class Background(QObject):
    """Run ``work`` off the UI thread; call ``on_done(result)`` or ``on_error(exc)`` on the UI thread."""

    _finished = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vault-app-work")
        self._pending = 0
        self._vault_jobs = 0
        self._finished.connect(self._deliver)

    @property
    def busy(self) -> bool:
        return self._vault_jobs > 0

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
        *,
        uses_vault: bool = True,
    ) -> None:
        self._pending += 1
        if uses_vault:
            self._vault_jobs += 1
            if self._vault_jobs == 1:
                self.busy_changed.emit(True)
        future = self._pool.submit(work)
        future.add_done_callback(
            # emitted on the worker thread, delivered on the UI thread
            lambda f: self._finished.emit((f, on_done, on_error, uses_vault))
        )

    def _deliver(
        self, payload: tuple[Future[Any], Callable[[Any], None], Callable[..., None], bool]
    ) -> None:
        future, on_done, on_error, uses_vault = payload
        self._pending -= 1
        if uses_vault:
            self._vault_jobs -= 1
        try:
            error = future.exception()
            if error is None:
                on_done(future.result())
            else:
                on_error(error)
        finally:
            if uses_vault and self._vault_jobs == 0:
                self.busy_changed.emit(False)

    def wait_idle(self, timeout_ms: int = 10_000) -> bool:
        """Process events until every job has been delivered (for quitting and for tests)."""
        deadline = QDeadlineTimer(timeout_ms)
        while self._pending and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        return self._pending == 0

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
