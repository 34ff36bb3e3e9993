"""Rotation dialogs: confirm (with dry run), progress (one row per step), assisted paste, due list,
and the non-modal notice for interrupted runs.

Widgets only: they never call the vault. :mod:`vault_app.gui.rotation_flow` runs the engine on the
worker thread and feeds them. No token value is ever put into a label, tooltip or title; the one
place a value passes through is :class:`AssistDialog`'s paste field (echo mode Password).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeyEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vault_app.core.model import RecordRef
from vault_app.core.secret import Secret
from vault_app.gui import colours
from vault_app.gui.icons import icon
from vault_app.services.rotation_types import STEPS  # light: no provider/httpx import

STEP_TEXT = {
    "check": "Check the current value with the provider",
    "create": "Create the new value (stored as pending first)",
    "apply": "Put the new value into service",
    "test": "Test the new value",
    "finish": "Make it current (the old one is kept as previous)",
    "revoke": "Revoke the old value",
}
STATUS_TEXT = {
    "pending": "waiting",
    "running": "running…",
    "done": "done",
    "failed": "failed",
    "skipped": "not needed",
    "planned": "planned",
}
#: Shown on the (disabled) Cancel button while a run is going.
STAGED_TIP = (
    "A rotation cannot be stopped in the middle of a step. It is staged: each step is saved "
    "before the next one starts, and the old value stays in the vault until the new one has "
    "passed its test. If the app is closed or the computer stops, the run is found after the "
    "next unlock and can be resumed or rolled back."
)
#: The engine's run states, and which steps a run in that state has already done.
_DONE_BY_STATE = {
    "started": (),
    "checked": ("check",),
    "creating": ("check",),
    "created": ("check", "create"),
    "applied": ("check", "create", "apply"),
    "tested": ("check", "create", "apply", "test"),
    "finished": ("check", "create", "apply", "test", "finish"),
}


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """What the confirm dialog shows (read from the engine's ``Plan`` on the worker thread)."""

    name: str
    env: str
    adapter: str
    steps: tuple[str, ...]
    notes: tuple[str, ...] = ()
    #: the state of an interrupted run that rotating would resume, or ""
    resumes: str = ""
    assisted: bool = False
    prod: bool = False

    @property
    def ref(self) -> RecordRef:
        return RecordRef(self.name, self.env)


def text_label(text: str = "", *, rich: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


def _who(name: str, env: str, prod: bool = False) -> str:
    env_html = html.escape(env)
    if prod:
        env_html = (
            f'<span style="background-color:{colours.PROD.name()}; color:#fff;">'
            f"&nbsp;{env_html}&nbsp;</span>"
        )
    return f"<b>{html.escape(name)}</b> ({env_html})"


class RotateConfirmDialog(QDialog):
    """Rotate NAME (ENV) with ADAPTER? The steps, the adapter's notes, and a dry-run option."""

    def __init__(self, plan: PlanInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setObjectName("rotateConfirmDialog")
        self.setWindowTitle("Rotate token")
        self.setAccessibleName("Rotate token")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        verb = "Resume the rotation of" if plan.resumes else "Rotate"
        self.question = text_label(
            f"{verb} {_who(plan.name, plan.env, plan.prod)} with the "
            f"<b>{html.escape(plan.adapter)}</b> adapter?",
            rich=True,
        )
        self.question.setObjectName("rotateQuestion")
        layout.addWidget(self.question)
        steps = "".join(f"<li>{html.escape(STEP_TEXT.get(s, s))}</li>" for s in plan.steps)
        self.steps = text_label(f"<b>Steps</b><ol style='margin-top:2px'>{steps}</ol>", rich=True)
        self.steps.setObjectName("rotatePlanSteps")
        layout.addWidget(self.steps)
        notes = list(plan.notes)
        if plan.resumes:
            notes.insert(
                0,
                f"An interrupted run (stopped at '{plan.resumes}') will be resumed where it "
                "stopped.",
            )
        self.notes = text_label(
            "".join(f"<p style='margin:2px'>• {html.escape(n)}</p>" for n in notes), rich=True
        )
        self.notes.setObjectName("rotatePlanNotes")
        self.notes.setVisible(bool(notes))
        layout.addWidget(self.notes)
        self.dry_run = QCheckBox("&Dry run: show what would happen and change nothing")
        self.dry_run.setObjectName("rotateDryRun")
        self.dry_run.setToolTip(
            "Nothing is created, changed or revoked. The provider is only asked (read-only) "
            "how it sees the current value."
        )
        self.dry_run.toggled.connect(self._dry_run_toggled)
        layout.addWidget(self.dry_run)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("rotateConfirm")
        self._dry_run_toggled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _dry_run_toggled(self, on: bool) -> None:
        if on:
            self.ok_button.setText("Show &dry run")
        else:
            self.ok_button.setText("&Resume" if self.plan.resumes else "&Rotate")


class _StepRow:
    def __init__(self, grid: QGridLayout, row: int, step: str) -> None:
        self.step = step
        self.icon = QLabel()
        self.icon.setFixedSize(20, 20)
        self.name = text_label(STEP_TEXT.get(step, step), wrap=False)
        self.status = text_label("", wrap=False)
        self.status.setObjectName(f"stepStatus_{step}")
        self.detail = text_label("")
        self.detail.setObjectName(f"stepDetail_{step}")
        self.detail.setVisible(False)
        grid.addWidget(self.icon, 2 * row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.name, 2 * row, 1)
        grid.addWidget(self.status, 2 * row, 2)
        grid.addWidget(self.detail, 2 * row + 1, 1, 1, 2)
        self.state = ""
        self.set("pending")

    def set(self, state: str, detail: str = "") -> None:
        self.state = state
        self.icon.setPixmap(icon(f"step-{state}").pixmap(18, 18))
        self.icon.setAccessibleName(STATUS_TEXT.get(state, state))
        self.status.setText(STATUS_TEXT.get(state, state))
        colour = {"failed": colours.STATUS["expired"].name(), "done": colours.STATUS["ok"].name()}
        self.status.setStyleSheet(f"color: {colour[state]}" if state in colour else "")
        if state != "running" or detail:
            self.detail.setText(detail)
            self.detail.setVisible(bool(detail))


class RotationProgressDialog(QDialog):
    """One row per step with its state; the result, warnings, and Close when the run is over.

    Modal while a run goes (the run shares the vault's one connection with the window). Cancel is
    never offered mid-step: the tooltip says why. Several records (the due list) go one after the
    other through the same dialog.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rotationProgressDialog")
        self.setWindowTitle("Rotating token")
        self.setAccessibleName("Rotation progress")
        self.setMinimumWidth(560)
        self.setModal(True)
        layout = QVBoxLayout(self)
        self.header = text_label(rich=True)
        self.header.setObjectName("rotationHeader")
        layout.addWidget(self.header)
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(frame)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(10)
        self.rows = {step: _StepRow(grid, i, step) for i, step in enumerate(STEPS)}
        layout.addWidget(frame)
        self.result_label = text_label(rich=True)
        self.result_label.setObjectName("rotationResult")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)
        self.warnings = text_label(rich=True)
        self.warnings.setObjectName("rotationWarnings")
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings.setVisible(False)
        layout.addWidget(self.warnings)
        self.summary = text_label(rich=True)
        self.summary.setObjectName("rotationSummary")
        self.summary.setVisible(False)
        layout.addWidget(self.summary)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("rotationCancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.setToolTip(STAGED_TIP)
        self.cancel_button.setAccessibleDescription(STAGED_TIP)
        self.close_button = QPushButton("&Close")
        self.close_button.setObjectName("rotationClose")
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.running = False
        self.outcomes: list[tuple[str, str, bool, str]] = []
        self.state = ""

    # -- a run ---------------------------------------------------------------------------------
    def begin(
        self,
        name: str,
        env: str,
        steps: Sequence[str],
        *,
        resumes: str = "",
        dry_run: bool = False,
        position: tuple[int, int] | None = None,
        prod: bool = False,
    ) -> None:
        """Reset the rows for one record: steps not in the plan show as not needed."""
        self.running = True
        self.state = ""
        verb = "Dry run for" if dry_run else ("Resuming the rotation of" if resumes else "Rotating")
        count = f" — {position[0]} of {position[1]}" if position and position[1] > 1 else ""
        self.header.setText(f"{verb} {_who(name, env, prod)}{html.escape(count)}")
        self.setWindowTitle("Rotation dry run" if dry_run else "Rotating token")
        done_before = _DONE_BY_STATE.get(resumes, ())
        for step, row in self.rows.items():
            if step in done_before:
                row.set("done", "done before the interruption")
            elif step in steps:
                row.set("pending")
            else:
                row.set("skipped")
        self.result_label.setText("<i>Working… each step is saved before the next one starts.</i>")
        self.warnings.clear()
        self.warnings.setVisible(False)
        self.cancel_button.setVisible(True)
        self.close_button.setEnabled(False)
        self.close_button.setToolTip(STAGED_TIP)

    def progress(self, step: str, status: str, detail: str = "") -> None:
        row = self.rows.get(step)
        if row is None:
            return
        if status == "running":
            # A step that starts means the ones before it ended (a resumed run skips their news).
            for other in STEPS[: STEPS.index(step)]:
                if self.rows[other].state in ("pending", "running"):
                    self.rows[other].set("done")
        row.set(status, detail)

    def finish(
        self, state: str, ok: bool, message: str, warnings: Sequence[str] = (), name: str = ""
    ) -> None:
        """The run is over: the engine's final word, warnings, and Close."""
        self.running = False
        self.state = state
        for row in self.rows.values():
            if row.state == "running":
                row.set("done" if ok else "failed")
        colour = colours.STATUS["ok" if ok else "expired"].name()
        title = {
            "done": "Rotated",
            "dry-run": "Dry run: nothing was changed",
            "rolled_back": "Rolled back",
            "failed": "Not rotated",
            "interrupted": "Paused: nothing was lost",
            "lost": "The provider's answer was lost",
        }.get(state, state)
        text = f"<b style='color:{colour}'>{html.escape(title)}</b>"
        if message:
            text += f"<br>{html.escape(message)}"
        self.result_label.setText(text)
        if warnings:
            self.warnings.setText(
                "<b>Please note</b>"
                + "".join(f"<p style='margin:2px'>⚠ {html.escape(w)}</p>" for w in warnings)
            )
        self.warnings.setVisible(bool(warnings))
        if name:
            self.outcomes.append((name, state, ok, message))

    def end(self) -> None:
        """Every record of this dialog is done: Close becomes available."""
        self.running = False
        self.cancel_button.setVisible(False)
        self.close_button.setEnabled(True)
        self.close_button.setToolTip("")
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        if len(self.outcomes) > 1:
            lines = "".join(
                f"<li>{html.escape(n)}: {'✔' if ok else '✘'} {html.escape(s)}</li>"
                for n, s, ok, _m in self.outcomes
            )
            self.summary.setText(f"<b>All records</b><ul style='margin-top:2px'>{lines}</ul>")
            self.summary.setVisible(True)

    # -- no closing mid-run --------------------------------------------------------------------
    def reject(self) -> None:
        if not self.running:
            super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.running and event.key() == Qt.Key.Key_Escape:
            event.ignore()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            event.ignore()
            return
        super().closeEvent(event)


class AssistDialog(QDialog):
    """Assisted rotation (GitHub PATs): open the provider's settings page, paste the new value."""

    def __init__(self, url: str, instructions: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.url = url
        self.setObjectName("assistDialog")
        self.setWindowTitle("Paste the new token")
        self.setAccessibleName("Paste the new token")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.instructions = text_label(instructions)
        self.instructions.setObjectName("assistInstructions")
        layout.addWidget(self.instructions)
        self.open_button = QPushButton("&Open settings page")
        self.open_button.setObjectName("assistOpen")
        self.open_button.setToolTip(url)
        self.open_button.clicked.connect(self.open_page)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.value = QLineEdit()
        self.value.setObjectName("assistValue")
        self.value.setEchoMode(QLineEdit.EchoMode.Password)
        self.value.setAccessibleName("New token value")
        self.value.setPlaceholderText("Paste the new value here")
        value_label = QLabel("New &value:")
        value_label.setBuddy(self.value)
        layout.addWidget(value_label)
        layout.addWidget(self.value)
        self.hint = text_label(
            "The vault tests the new value before it replaces the old one. Cancel changes "
            "nothing in the vault."
        )
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Use this value")
        self.ok_button.setObjectName("assistOk")
        self.ok_button.setEnabled(False)
        self.value.textChanged.connect(lambda t: self.ok_button.setEnabled(bool(t.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def open_page(self) -> bool:
        return QDesktopServices.openUrl(QUrl(self.url))

    def secret(self) -> Secret | None:
        """The pasted value (None when cancelled or empty); the field is cleared."""
        text = self.value.text().strip()
        self.value.clear()
        if self.result() != QDialog.DialogCode.Accepted.value or not text:
            return None
        return Secret(text)

    def done(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted.value:
            self.value.clear()
        super().done(result)


class DueDialog(QDialog):
    """Records whose rotation interval has passed: the user picks which to rotate now."""

    def __init__(self, due: Sequence[tuple[RecordRef, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rotationDueDialog")
        self.setWindowTitle("Tokens due for rotation")
        self.setAccessibleName("Tokens due for rotation")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.addWidget(
            text_label(
                "These tokens have passed their rotation interval and their provider can rotate "
                "them without your help. Nothing happens until you choose."
            )
        )
        self.list = QListWidget()
        self.list.setObjectName("rotationDueList")
        self.list.setAccessibleName("Tokens due for rotation")
        for ref, why in due:
            item = QListWidgetItem(f"{ref.name} ({ref.env}) — {why}")
            item.setData(Qt.ItemDataRole.UserRole, ref)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        layout.addWidget(self.list)
        self.buttons = QDialogButtonBox()
        self.rotate_button = self.buttons.addButton(
            "&Rotate selected", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.rotate_button.setObjectName("rotationDueRotate")
        later = self.buttons.addButton("&Not now", QDialogButtonBox.ButtonRole.RejectRole)
        later.setObjectName("rotationDueLater")
        self.list.itemChanged.connect(lambda _i: self.rotate_button.setEnabled(bool(self.chosen())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def chosen(self) -> list[RecordRef]:
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                ref = item.data(Qt.ItemDataRole.UserRole)
                if isinstance(ref, RecordRef):
                    out.append(ref)
        return out



__all__ = [
    "STEPS",
    "AssistDialog",
    "DueDialog",
    "PlanInfo",
    "RotateConfirmDialog",
    "RotationProgressDialog",
]
