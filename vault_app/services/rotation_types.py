"""What a rotation reports to front ends: its steps, progress, outcome, plan and history views.

Kept apart from the engine (:mod:`vault_app.services.rotation`) so that a front end can name
these types without reading the state machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from vault_app.core.errors import VaultError
from vault_app.core.model import TokenRecord
from vault_app.storage.rotation_store import Run, SlotInfo, Step

if TYPE_CHECKING:
    # Annotations only: the provider modules import httpx (~100 ms), which a front end that
    # just names these types should not pay for.
    from vault_app.providers.base import LiveInfo, Provider

#: The steps a front end shows, in order.
STEPS = ("check", "create", "apply", "test", "finish", "revoke")


class RotationError(VaultError):
    """The rotation could not start or go on; nothing was lost (the message says what to do)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """One step's news for a progress dialog: status is running, done, skipped, failed, planned."""

    step: str
    status: str
    detail: str = ""


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a rotation (or rollback) ended.

    state: done, failed (current untouched), interrupted (run kept open: resume later),
    lost (the provider rotated but its answer was not saved), rolled_back, dry-run.
    """

    name: str
    env: str
    state: str
    message: str = ""
    version: int | None = None
    warnings: tuple[str, ...] = ()
    steps: tuple[Progress, ...] = ()
    live: LiveInfo | None = None

    @property
    def ok(self) -> bool:
        return self.state in ("done", "dry-run", "rolled_back")


@dataclass(frozen=True, slots=True)
class Interrupted:
    name: str
    env: str
    adapter: str
    state: str
    started_at: datetime
    advice: str


@dataclass(frozen=True, slots=True)
class RunView:
    run: Run
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Drift:
    field: str
    vault: str
    provider: str


@dataclass(frozen=True, slots=True)
class LiveReport:
    record: TokenRecord
    adapter: str
    live: LiveInfo
    drift: tuple[Drift, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    record: TokenRecord
    adapter: Provider
    steps: tuple[str, ...]
    resumes: Run | None = None
    notes: tuple[str, ...] = ()


__all__ = [
    "STEPS", "Drift", "Interrupted", "LiveReport", "Outcome", "Plan", "Progress",
    "ProgressCallback", "RotationError", "Run", "RunView", "SlotInfo", "Step",
]
