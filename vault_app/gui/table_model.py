"""The token table: one model of immutable rows and a proxy that filters on precomputed text.

Written for 10,000+ rows (see the architecture notes): ``data()`` checks the role first and only
indexes into precomputed tuples; the countdown is formatted on demand for the rows a view asks
about; a tick emits ``dataChanged`` for the visible rows only, with roles that the proxy does not
sort or filter on, so it never re-checks them; sorting reorders the rows in Python once (a
QSortFilterProxyModel sort calls a Python ``lessThan`` ~130,000 times at 10k rows) and the proxy
keeps source order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from vault_app.core.health import HealthReport
from vault_app.core.model import RecordRef, TokenId
from vault_app.gui import colours
from vault_app.gui.icons import icon, provider_icon
from vault_app.gui.rows import Row, with_health
from vault_app.services.views import countdown

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
FILTER_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3
STATUS_ROLE = Qt.ItemDataRole.UserRole + 4


class Column(IntEnum):
    NAME = 0
    ENV = 1
    PROVIDER = 2
    SCOPES = 3
    EXPIRES = 4
    STATUS = 5
    HEALTH = 6
    COPY = 7


HEADERS = ("Name", "Environment", "Provider", "Scopes", "Expires", "Status", "Health", "Copy")
#: Roles a countdown tick changes; none of them is the sort or the filter role.
TICK_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
]
_STATUS_TEXT = {"ok": "ok", "expiring": "expiring", "expired": "expired", "no-expiry": "no expiry"}


def status_of(expires: int | None, now: int, expiring_seconds: int) -> str:
    if expires is None:
        return "no-expiry"
    left = expires - now
    if left <= 0:
        return "expired"
    return "expiring" if left < expiring_seconds else "ok"


_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_SORT = int(SORT_ROLE)
_FILTER = int(FILTER_ROLE)
_ROW = int(ROW_ROLE)
_STATUS = int(STATUS_ROLE)
_EXPIRES = int(Column.EXPIRES)
_STATUS_COL = int(Column.STATUS)
_HEALTH = int(Column.HEALTH)
_ENV = int(Column.ENV)


class TokenTableModel(QAbstractTableModel):
    def __init__(self, now: int, expiring_seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._by_name: list[Row] = []  # the base order every sort starts from
        self._rows: list[Row] = []
        self._now = now
        self._expiring = expiring_seconds
        self._sort_column = int(Column.NAME)
        self._sort_order = Qt.SortOrder.AscendingOrder
        #: called after the rows change and before the views hear of it (the proxy's filter)
        self.before_change: list[Callable[[], None]] = []
        self._bold = QFont()
        self._bold.setBold(True)

    # -- content -------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace every row with one reset (never a signal per row)."""
        self.beginResetModel()
        self._by_name = sorted(rows, key=_name_key)
        self._rows = self._sorted(self._sort_column, self._sort_order)
        self._changed()
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def apply_health(
        self, report: HealthReport, reused: Mapping[TokenId, tuple[RecordRef, ...]]
    ) -> None:
        """Add findings and reuse to the rows shown; one signal for the health column."""
        if self._rows:
            self.set_marked_rows(self._by_name, with_health(self._by_name, report, reused))

    def base_rows(self) -> Sequence[Row]:
        """The rows in name order (what :func:`with_health` marks, e.g. on the worker thread)."""
        return self._by_name

    def set_marked_rows(self, base: Sequence[Row], marked: Sequence[Row]) -> bool:
        """Swap in ``marked`` (``base`` with health marks, same order) if ``base`` is still
        what the model holds; one signal for the health column. False when the rows moved on."""
        if base is not self._by_name:
            return False
        self._by_name = list(marked)
        if not self._rows:
            return True
        if self._sort_column == Column.HEALTH:
            self.sort(self._sort_column, self._sort_order)
            return True
        self._rows = self._sorted(self._sort_column, self._sort_order)
        self.dataChanged.emit(
            self.index(0, Column.HEALTH), self.index(len(self._rows) - 1, Column.HEALTH), TICK_ROLES
        )
        return True

    def _changed(self) -> None:
        for callback in self.before_change:
            callback()

    def rows(self) -> Sequence[Row]:
        return self._rows

    def row_at(self, source_row: int) -> Row | None:
        return self._rows[source_row] if 0 <= source_row < len(self._rows) else None

    def find(self, name: str, env: str) -> int:
        for i, row in enumerate(self._rows):
            if row.record.name == name and row.record.env == env:
                return i
        return -1

    def set_expiring_seconds(self, seconds: int) -> None:
        self._expiring = seconds
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Column.EXPIRES),
                self.index(len(self._rows) - 1, Column.STATUS),
                TICK_ROLES,
            )

    # -- time ----------------------------------------------------------------------------------
    @property
    def now(self) -> int:
        return self._now

    def tick(self, now: int, source_rows: Iterable[int]) -> None:
        """Move the clock and repaint the countdown and status of the given rows only."""
        self._now = now
        last = len(self._rows) - 1
        emit, index = self.dataChanged.emit, self.index
        for row in source_rows:
            if 0 <= row <= last:
                emit(index(row, _EXPIRES), index(row, _STATUS_COL), TICK_ROLES)

    # -- sorting -------------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        if not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_rows = [self._rows[i.row()].record.id for i in old]
        self._rows = self._sorted(column, order)
        if old:
            where = {r.record.id: i for i, r in enumerate(self._rows)}
            self.changePersistentIndexList(
                old,
                [self.index(where[r], i.column()) for r, i in zip(old_rows, old, strict=True)],
            )
        self._changed()
        self.layoutChanged.emit()

    def _sorted(self, column: int, order: Qt.SortOrder) -> list[Row]:
        """A stable sort of the name-ordered rows by the column's raw key (ties stay by name)."""
        key = _SORT_KEYS.get(Column(column) if 0 <= column < len(HEADERS) else Column.NAME)
        reverse = order == Qt.SortOrder.DescendingOrder
        if column == Column.NAME:
            return self._by_name[::-1] if reverse else list(self._by_name)
        return sorted(self._by_name, key=key, reverse=reverse)

    # -- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return "" if section == Column.COPY else HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == Column.COPY:
                return "Copy the value (Ctrl+C)"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        # Called for every painted cell: one constant, not two Python enum operations.
        return _FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        # The roles a view asks for on every paint come first, and each is a tuple lookup.
        if role == _DISPLAY:
            col = index.column()
            row = self._rows[index.row()]
            if col < _EXPIRES:
                return row.texts[col]
            if col == _EXPIRES:
                return countdown(None if row.expires is None else row.expires - self._now)
            if col == _STATUS_COL:
                return _STATUS_TEXT[status_of(row.expires, self._now, self._expiring)]
            if col == _HEALTH:
                return str(len(row.findings)) if row.findings else ""
            return ""
        if role == _DECORATION:
            return self._decoration(index)
        if role == _FOREGROUND:
            return self._foreground(index)
        if role == _BACKGROUND:
            if index.column() == _ENV and self._rows[index.row()].prod:
                return colours.PROD_TINT
            return None
        if role == _FONT:
            if index.column() == _ENV and self._rows[index.row()].prod:
                return self._bold
            return None
        if role in (_TOOLTIP, _ACCESSIBLE):
            return self._tooltip(index, role)
        if role == _SORT:
            return _SORT_KEYS[Column(index.column())](self._rows[index.row()])
        if role == _FILTER:
            return self._rows[index.row()].search
        if role == _STATUS:
            row = self._rows[index.row()]
            return status_of(row.expires, self._now, self._expiring)
        if role == _ROW:
            return self._rows[index.row()]
        return None

    def _decoration(self, index: AnyIndex) -> Any:
        col = index.column()
        if col == Column.PROVIDER:
            return provider_icon(self._rows[index.row()].provider or "unknown")
        if col == _STATUS_COL:
            row = self._rows[index.row()]
            return icon("status-" + status_of(row.expires, self._now, self._expiring))
        if col == _HEALTH:
            worst = self._rows[index.row()].worst
            return icon(f"health-{worst.value}") if worst is not None else None
        return None

    def _foreground(self, index: AnyIndex) -> Any:
        col = index.column()
        if col in (_EXPIRES, _STATUS_COL):
            row = self._rows[index.row()]
            status = status_of(row.expires, self._now, self._expiring)
            return colours.STATUS[status] if status != "ok" or col == _STATUS_COL else None
        if col == _ENV and self._rows[index.row()].prod:
            return colours.PROD
        return None

    def _tooltip(self, index: AnyIndex, role: int) -> Any:
        row = self._rows[index.row()]
        col = index.column()
        if col == _HEALTH:
            if not row.findings:
                return "no health findings" if role == _ACCESSIBLE else None
            codes = ", ".join(sorted({f.code for f in row.findings}))
            return f"{len(row.findings)} health finding(s): {codes}"
        if col == _ENV and row.prod:
            return f"{row.record.env} (production)"
        if col == Column.COPY:
            return f"Copy {row.record.name} ({row.record.env})"
        if col == _EXPIRES and row.record.expires_at is not None:
            return row.record.expires_at.strftime("%Y-%m-%d %H:%M UTC")
        if role == _ACCESSIBLE:
            return self.data(index, _DISPLAY)
        return None


def _name_key(row: Row) -> tuple[str, str]:
    return (row.record.name.lower(), row.record.env)


_SORT_KEYS: dict[Column, Any] = {
    Column.NAME: _name_key,
    Column.ENV: lambda r: r.record.env,
    Column.PROVIDER: lambda r: r.texts[2],
    Column.SCOPES: lambda r: r.texts[3].lower(),
    Column.EXPIRES: lambda r: r.expiry_key,
    Column.STATUS: lambda r: r.expiry_key,
    Column.HEALTH: lambda r: (r.worst.rank if r.worst else 0, len(r.findings)),
    Column.COPY: _name_key,
}


class TokenFilterProxy(QSortFilterProxyModel):
    """Filters on each row's precomputed lowercase text and environment; sorts in the source.

    Matches are worked out in one Python pass per change (``term in text`` over a list) before
    the proxy is told, so ``filterAcceptsRow`` is a list lookup; when a keystroke leaves the
    matches as they were, the proxy is not invalidated at all.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._terms: tuple[str, ...] = ()
        self._env: str | None = None
        self._accepted: list[bool] = []
        self._source: TokenTableModel | None = None
        self.setDynamicSortFilter(False)
        self.setSortRole(SORT_ROLE)
        self.setFilterRole(FILTER_ROLE)

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        if not isinstance(model, TokenTableModel):
            raise TypeError("TokenFilterProxy filters a TokenTableModel")
        if self._source is not None:
            self._source.before_change.remove(self._recompute)
        self._source = model
        model.before_change.append(self._recompute)
        self._recompute()
        super().setSourceModel(model)

    def source(self) -> TokenTableModel:
        if self._source is None:
            raise RuntimeError("no source model set")
        return self._source

    @property
    def search_text(self) -> str:
        return " ".join(self._terms)

    @property
    def environment(self) -> str | None:
        return self._env

    def set_search(self, text: str) -> None:
        terms = tuple(text.lower().split())
        if terms != self._terms:
            self._terms = terms
            self._refilter()

    def set_environment(self, env: str | None) -> None:
        if env != self._env:
            self._env = env
            self._refilter()

    def _refilter(self) -> None:
        before = self._accepted
        self._recompute()
        if self._accepted != before:
            # A full invalidate is one layout change; an incremental filter update emits one
            # rowsRemoved per gap, which costs far more when matches are scattered.
            self.invalidate()

    def _recompute(self) -> None:
        rows = self._source.rows() if self._source is not None else ()
        env = self._env
        accepted = [True] * len(rows) if env is None else [r.record.env == env for r in rows]
        for term in self._terms:
            accepted = [a and term in r.search for a, r in zip(accepted, rows, strict=True)]
        self._accepted = accepted

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        return self._accepted[source_row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The source reorders its rows by the raw sort keys; the proxy keeps source order.
        self.source().sort(column, order)

    def row(self, proxy_row: int) -> Row | None:
        index = self.index(proxy_row, 0)
        if not index.isValid():
            return None
        return self.source().row_at(self.mapToSource(index).row())
