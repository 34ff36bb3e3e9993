"""The detail panel's History tab: value versions (current / pending / previous), rotation runs
with their steps, and the Rollback button. Shows what the window read for it; never a value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vault_app.gui import colours
from vault_app.gui.icons import icon

if TYPE_CHECKING:  # the engine pulls in the HTTP stack: imported only when rotating
    from vault_app.services.rotation_types import RunView

_SLOT_ORDER = {"current": 0, "pending": 1, "previous": 2}
_SLOT_TEXT = {
    "current": "current (in use)",
    "pending": "pending (being rotated in)",
    "previous": "previous (kept for rollback)",
}
_RUN_ICON = {
    "done": "step-done",
    "failed": "step-failed",
    "lost": "step-failed",
    "rolled_back": "step-skipped",
}


class _Slot(Protocol):
    """A stored version as the engine lists it (``Rotation.versions``)."""

    @property
    def slot(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class VersionRow:
    slot: str
    version: int
    stored_at: datetime


@dataclass(frozen=True, slots=True)
class StepRow:
    at: datetime
    state: str
    detail: str


@dataclass(frozen=True, slots=True)
class RunRow:
    adapter: str
    state: str
    from_version: int
    to_version: int
    started_at: datetime
    ended_at: datetime | None
    message: str
    steps: tuple[StepRow, ...]

    @property
    def open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class History:
    versions: tuple[VersionRow, ...]
    runs: tuple[RunRow, ...]


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


class HistoryView(QWidget):
    rollback_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyView")
        self.setAccessibleName("Versions and rotation history")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        self.status = QLabel()
        self.status.setObjectName("historyStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        layout.addWidget(QLabel("<b>Versions</b>"))
        self.versions = QTreeWidget()
        self.versions.setObjectName("historyVersions")
        self.versions.setAccessibleName("Stored versions")
        self.versions.setHeaderLabels(["Label", "Version", "Stored"])
        self.versions.setRootIsDecorated(False)
        self.versions.setUniformRowHeights(True)
        self.versions.setMaximumHeight(96)
        self.versions.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.versions)

        buttons = QHBoxLayout()
        self.rollback_button = QPushButton("Roll &back…")
        self.rollback_button.setObjectName("historyRollback")
        self.rollback_button.setAccessibleName("Roll back to the previous version")
        self.rollback_button.clicked.connect(self.rollback_requested)
        buttons.addWidget(self.rollback_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        layout.addWidget(QLabel("<b>Rotation runs</b>"))
        self.runs = QTreeWidget()
        self.runs.setObjectName("historyRuns")
        self.runs.setAccessibleName("Rotation runs and their steps")
        self.runs.setHeaderLabels(["When", "What", "Detail"])
        self.runs.setUniformRowHeights(True)
        self.runs.setMinimumHeight(160)
        self.runs.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.runs.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.runs, 1)
        self.history: History | None = None
        self.clear("")

    def clear(self, message: str) -> None:
        self.history = None
        self.versions.clear()
        self.runs.clear()
        self.status.setText(message)
        self.status.setVisible(bool(message))
        self.rollback_button.setEnabled(False)
        self.rollback_button.setToolTip("")

    def show_history(self, history: History) -> None:
        self.history = history
        self.versions.clear()
        self.runs.clear()
        for v in sorted(history.versions, key=lambda v: _SLOT_ORDER.get(v.slot, 9)):
            item = QTreeWidgetItem(
                [_SLOT_TEXT.get(v.slot, v.slot), f"v{v.version}", _when(v.stored_at)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, v.slot)
            if v.slot == "current":
                font = item.font(0)
                font.setBold(True)
                item.setFont(0, font)
            self.versions.addTopLevelItem(item)
        for run in history.runs:
            state = "in progress (interrupted)" if run.open else run.state.replace("_", " ")
            what = f"v{run.from_version} → v{run.to_version} · {run.adapter} · {state}"
            item = QTreeWidgetItem([_when(run.started_at), what, run.message])
            item.setToolTip(2, run.message)
            item.setIcon(0, icon(_RUN_ICON.get(run.state, "step-running")))
            if run.state in ("failed", "lost"):
                item.setForeground(1, QBrush(colours.STATUS["expired"]))
            for step in run.steps:
                child = QTreeWidgetItem([_when(step.at), step.state, step.detail])
                child.setToolTip(2, step.detail)
                item.addChild(child)
            self.runs.addTopLevelItem(item)
        slots = {v.slot for v in history.versions}
        interrupted = any(r.open for r in history.runs)
        if interrupted:
            self.status.setText(
                "A rotation run is interrupted: Rotate resumes it, Roll back abandons it."
            )
        elif not history.runs and slots <= {"current"}:
            self.status.setText("Never rotated through the vault.")
        else:
            self.status.setText("")
        self.status.setVisible(bool(self.status.text()))
        can = interrupted or "previous" in slots
        self.rollback_button.setEnabled(can)
        self.rollback_button.setToolTip(
            "Abandon the interrupted run (the current value stays)"
            if interrupted
            else "Make the previous version current again (it is tested with the provider first)"
            if can
            else "There is no previous version to go back to"
        )

    def labels(self) -> list[str]:
        """The slots shown, in order (for tests and accessibility)."""
        items = (self.versions.topLevelItem(i) for i in range(self.versions.topLevelItemCount()))
        return [str(item.data(0, Qt.ItemDataRole.UserRole)) for item in items if item is not None]


def history_from(versions: Sequence[_Slot], runs: Sequence[RunView]) -> History:
    """Display rows from the engine's slots and runs (on the worker thread)."""
    out_versions = tuple(VersionRow(s.slot, s.version, s.created_at) for s in versions)
    out_runs = tuple(
        RunRow(
            adapter=view.run.adapter,
            state=view.run.state,
            from_version=view.run.from_version,
            to_version=view.run.to_version,
            started_at=view.run.started_at,
            ended_at=view.run.ended_at,
            message=view.run.message or "",
            steps=tuple(StepRow(s.at, s.state, s.detail or "") for s in view.steps),
        )
        for view in runs
    )
    return History(out_versions, out_runs)


__all__ = ["History", "HistoryView", "RunRow", "StepRow", "VersionRow", "history_from"]
