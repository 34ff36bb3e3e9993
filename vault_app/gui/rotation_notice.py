"""The notice above the table after unlock: interrupted rotation runs and tokens due for rotation.

A bar, not a dialog: the user may have come for something else, and nothing happens until they
choose Resume, Roll back or Review.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vault_app.core.model import RecordRef
from vault_app.gui.icons import icon
from vault_app.gui.rotation_dialog import text_label


@dataclass(frozen=True, slots=True)
class InterruptedInfo:
    name: str
    env: str
    adapter: str
    state: str
    started: str
    advice: str

    @property
    def ref(self) -> RecordRef:
        return RecordRef(self.name, self.env)


class RotationNotice(QFrame):
    """A bar above the table (non-modal): interrupted runs with Resume / Roll back, or due tokens."""

    resume_requested = Signal(object)  # RecordRef
    rollback_requested = Signal(object)  # RecordRef
    review_due_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rotationNotice")
        self.setAccessibleName("Rotation notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#rotationNotice { background-color: #fff4d6; border: 1px solid #e0b84d; }"
            " #rotationNotice QLabel { color: #3d3000; }"
        )
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 10, 6)
        self._rows: list[QWidget] = []
        self.interrupted: list[InterruptedInfo] = []
        self.due: list[tuple[RecordRef, str]] = []
        self.hide()

    def _clear(self) -> None:
        for row in self._rows:
            self._layout.removeWidget(row)
            row.deleteLater()
        self._rows = []

    def show_state(
        self, interrupted: Sequence[InterruptedInfo], due: Sequence[tuple[RecordRef, str]]
    ) -> None:
        self.interrupted = list(interrupted)
        self.due = list(due)
        self._clear()
        for item in self.interrupted:
            self._add_interrupted(item)
        if self.due:
            self._add_due()
        self.setVisible(bool(self.interrupted or self.due))

    def _row(self) -> QHBoxLayout:
        widget = QWidget()
        row = QHBoxLayout(widget)
        row.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(widget)
        self._rows.append(widget)
        return row

    def _add_interrupted(self, item: InterruptedInfo) -> None:
        row = self._row()
        mark = QLabel()
        mark.setPixmap(icon("health-warning").pixmap(18, 18))
        row.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        text = text_label(
            f"<b>The rotation of {html.escape(item.name)} ({html.escape(item.env)}) was "
            f"interrupted</b> at '{html.escape(item.state)}' ({html.escape(item.adapter)}, "
            f"started {html.escape(item.started)}). Nothing was lost: the vault still holds a "
            "working value. Resume to finish the rotation, or roll it back.",
            rich=True,
        )
        text.setObjectName("rotationNoticeText")
        text.setToolTip(item.advice)
        row.addWidget(text, 1)
        resume = QPushButton("&Resume…")
        resume.setObjectName("noticeResume")
        resume.setAccessibleName(f"Resume the rotation of {item.name} ({item.env})")
        resume.clicked.connect(lambda: self.resume_requested.emit(item.ref))
        back = QPushButton("Roll &back…")
        back.setObjectName("noticeRollback")
        back.setAccessibleName(f"Roll back the rotation of {item.name} ({item.env})")
        back.clicked.connect(lambda: self.rollback_requested.emit(item.ref))
        row.addWidget(resume, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(back, 0, Qt.AlignmentFlag.AlignTop)
        if len(self._rows) == 1:
            self._add_dismiss(row)

    def _add_due(self) -> None:
        row = self._row()
        mark = QLabel()
        mark.setPixmap(icon("status-expiring").pixmap(18, 18))
        row.addWidget(mark)
        count = len(self.due)
        names = ", ".join(f"{ref.name} ({ref.env})" for ref, _why in self.due[:3])
        more = f" and {count - 3} more" if count > 3 else ""
        text = text_label(
            f"<b>{count} token{'s are' if count != 1 else ' is'} due for rotation:</b> "
            f"{html.escape(names + more)}.",
            rich=True,
        )
        text.setObjectName("rotationNoticeDue")
        row.addWidget(text, 1)
        review = QPushButton("Re&view…")
        review.setObjectName("noticeReviewDue")
        review.clicked.connect(self.review_due_requested)
        row.addWidget(review)
        if len(self._rows) == 1:
            self._add_dismiss(row)

    def _add_dismiss(self, row: QHBoxLayout) -> None:
        dismiss = QPushButton("Dismiss")
        dismiss.setObjectName("noticeDismiss")
        dismiss.setFlat(True)
        dismiss.setToolTip("Hide this notice until the next unlock")
        dismiss.clicked.connect(self.hide)
        row.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignTop)
