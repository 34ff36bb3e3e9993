"""The token table view: fixed row height, no word wrap, a painted copy button per row."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from vault_app.gui.icons import icon
from vault_app.gui.table_model import Column

AnyIndex = QModelIndex | QPersistentModelIndex
#: how long :meth:`TokenTable.after_next_paint` waits for a paint that may never come
AFTER_PAINT_FALLBACK_MS = 500


class CopyButtonDelegate(QStyledItemDelegate):
    """Paints a button in each row's copy cell and reports a click; no widget per row."""

    clicked = Signal(QModelIndex)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icon = icon("action-copy")
        self._pressed: QPersistentModelIndex | None = None

    def _button_rect(self, cell: QRect) -> QRect:
        return cell.adjusted(4, 2, -4, -2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # Selection background first, then the button on top.
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawPrimitive(
            QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget
        )
        button = QStyleOptionButton()
        button.rect = self._button_rect(option.rect)
        button.icon = self._icon
        button.iconSize = QSize(14, 14)
        button.text = "Copy"
        button.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Raised
        if self._pressed is not None and self._pressed == index:
            button.state |= QStyle.StateFlag.State_Sunken
        if option.state & QStyle.StateFlag.State_MouseOver:
            button.state |= QStyle.StateFlag.State_MouseOver
        style.drawControl(QStyle.ControlElement.CE_PushButton, button, painter, option.widget)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(72, 26)

    def editorEvent(
        self, event: QEvent, model: object, option: QStyleOptionViewItem, index: AnyIndex
    ) -> bool:
        if not isinstance(event, QMouseEvent) or event.button() != Qt.MouseButton.LeftButton:
            return False
        inside = self._button_rect(option.rect).contains(event.position().toPoint())
        if event.type() == QEvent.Type.MouseButtonPress and inside:
            self._pressed = QPersistentModelIndex(index)
            return True
        if event.type() == QEvent.Type.MouseButtonRelease:
            was = self._pressed
            self._pressed = None
            if inside and was is not None and was == index:
                self.clicked.emit(index.sibling(index.row(), index.column()))
                return True
        return False


class TokenTable(QTableView):
    """``Ctrl+C`` asks for the selected token's value to be copied (not the cell's text)."""

    copy_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenTable")
        self.setAccessibleName("Tokens")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setMouseTracking(True)
        self.setTabKeyNavigation(False)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(28)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setSortIndicatorShown(True)
        self.copy_delegate = CopyButtonDelegate(self)
        self.setItemDelegateForColumn(Column.COPY, self.copy_delegate)
        self._after_paint: list[Callable[[], None]] = []
        # A window that is mapped but never exposed (covered, on another desktop) may not
        # paint: the waiting work then runs anyway, a moment later.
        self._paint_fallback = QTimer(self)
        self._paint_fallback.setSingleShot(True)
        self._paint_fallback.setInterval(AFTER_PAINT_FALLBACK_MS)
        self._paint_fallback.timeout.connect(self._run_after_paint)

    def after_next_paint(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` from the event loop once the rows have painted (at once when the
        table is not on screen and will not paint): work that may wait for the first sight."""
        if self.isVisible() and not self.window().isMinimized():
            self._after_paint.append(callback)
            self.viewport().update()
            if not self._paint_fallback.isActive():
                self._paint_fallback.start()
        else:
            QTimer.singleShot(0, callback)

    def _run_after_paint(self) -> None:
        self._paint_fallback.stop()
        waiting, self._after_paint = self._after_paint, []
        for callback in waiting:
            # From the event loop, once this paint is done (not inside it).
            QTimer.singleShot(0, callback)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._after_paint:
            self._run_after_paint()

    def set_default_widths(self) -> None:
        header = self.horizontalHeader()
        widths = {
            Column.NAME: 200,
            Column.ENV: 100,
            Column.PROVIDER: 120,
            Column.SCOPES: 200,
            Column.EXPIRES: 140,
            Column.STATUS: 110,
            Column.HEALTH: 70,
            Column.COPY: 80,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(Column.SCOPES, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.COPY, QHeaderView.ResizeMode.Fixed)

    def event(self, event: QEvent) -> bool:
        # Claim Ctrl+C before any window shortcut sees it.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Copy)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def visible_rows(self) -> range:
        """Proxy rows currently on screen."""
        rows = self.model().rowCount() if self.model() else 0
        if rows == 0:
            return range(0)
        top = self.rowAt(0)
        bottom = self.rowAt(self.viewport().height() - 1)
        first = max(top, 0)
        last = rows - 1 if bottom < 0 else bottom
        return range(first, last + 1)
