"""The token table: one model of immutable rows and a proxy that filters on precomputed text.

Written for 10,000+ rows (see the architecture notes): ``data()`` checks the role first and only
indexes into precomputed tuples; the countdown is formatted on demand for the rows a view asks
about; a tick emits ``dataChanged`` for the visible rows only, with roles that the proxy does not
sort or filter on, so it never re-checks them; sorting reorders the rows in Python once (a
QSortFilterProxyModel sort calls a Python ``lessThan`` ~130,000 times at 10k rows) and the proxy
keeps source order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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

from vault_app.gui import colours
from vault_app.gui.icons import icon, provider_icon
from vault_app.gui.rows import Row
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


class TokenTableModel(QAbstractTableModel):
    def __init__(self, now: int, expiring_seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._text: list[tuple[str, ...]] = []
        self._now = now
        self._expiring = expiring_seconds
        self._sort_column = int(Column.NAME)
        self._sort_order = Qt.SortOrder.AscendingOrder
        #: bumped whenever row positions change, so the proxy knows its filter cache is stale
        self.generation = 0
        self._bold = QFont()
        self._bold.setBold(True)

    # -- content -------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace every row with one reset (never a signal per row)."""
        self.beginResetModel()
        self._rows = self._sorted(rows, self._sort_column, self._sort_order)
        self._text = [self._texts(r) for r in self._rows]
        self.generation += 1
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rows(self) -> Sequence[Row]:
        return self._rows

    def row_at(self, source_row: int) -> Row | None:
        return self._rows[source_row] if 0 <= source_row < len(self._rows) else None

    def find(self, name: str, env: str) -> int:
        for i, row in enumerate(self._rows):
            if row.record.name == name and row.record.env == env:
                return i
        return -1

    def filter_texts(self) -> list[str]:
        return [r.search for r in self._rows]

    def set_expiring_seconds(self, seconds: int) -> None:
        self._expiring = seconds
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Column.EXPIRES),
                self.index(len(self._rows) - 1, Column.STATUS),
                TICK_ROLES,
            )

    @staticmethod
    def _texts(r: Row) -> tuple[str, ...]:
        return (r.record.name, r.record.env, r.provider or "unknown", r.scopes)

    # -- time ----------------------------------------------------------------------------------
    @property
    def now(self) -> int:
        return self._now

    def tick(self, now: int, source_rows: Iterable[int]) -> None:
        """Move the clock and repaint the countdown and status of the given rows only."""
        self._now = now
        last = len(self._rows) - 1
        for row in source_rows:
            if 0 <= row <= last:
                self.dataChanged.emit(
                    self.index(row, Column.EXPIRES), self.index(row, Column.STATUS), TICK_ROLES
                )

    # -- sorting -------------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        if not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_rows = [self._rows[i.row()] for i in old]
        self._rows = self._sorted(self._rows, column, order)
        self._text = [self._texts(r) for r in self._rows]
        if old:
            where = {id(r): i for i, r in enumerate(self._rows)}
            self.changePersistentIndexList(
                old,
                [self.index(where[id(r)], i.column()) for r, i in zip(old_rows, old, strict=True)],
            )
        self.generation += 1
        self.layoutChanged.emit()

    def _sorted(self, rows: Sequence[Row], column: int, order: Qt.SortOrder) -> list[Row]:
        key = _SORT_KEYS.get(Column(column) if 0 <= column < len(HEADERS) else Column.NAME)
        reverse = order == Qt.SortOrder.DescendingOrder
        # Name (then env) breaks ties, so equal keys keep a stable, meaningful order.
        by_name = sorted(rows, key=lambda r: (r.record.name.lower(), r.record.env))
        return sorted(by_name, key=key, reverse=reverse) if key else by_name

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
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col < Column.EXPIRES:
                return self._text[index.row()][col]
            row = self._rows[index.row()]
            if col == Column.EXPIRES:
                return countdown(None if row.expires is None else row.expires - self._now)
            if col == Column.STATUS:
                return _STATUS_TEXT[status_of(row.expires, self._now, self._expiring)]
            if col == Column.HEALTH:
                return str(len(row.findings)) if row.findings else ""
            return ""
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decoration(index)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(index)
        if role == Qt.ItemDataRole.BackgroundRole:
            if index.column() == Column.ENV and self._rows[index.row()].prod:
                return colours.PROD_TINT
            return None
        if role == Qt.ItemDataRole.FontRole:
            if index.column() == Column.ENV and self._rows[index.row()].prod:
                return self._bold
            return None
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._tooltip(index, role)
        if role == SORT_ROLE:
            return _SORT_KEYS[Column(index.column())](self._rows[index.row()])
        if role == FILTER_ROLE:
            return self._rows[index.row()].search
        if role == STATUS_ROLE:
            row = self._rows[index.row()]
            return status_of(row.expires, self._now, self._expiring)
        if role == ROW_ROLE:
            return self._rows[index.row()]
        return None

    def _decoration(self, index: AnyIndex) -> Any:
        col = index.column()
        if col == Column.PROVIDER:
            return provider_icon(self._rows[index.row()].provider or "unknown")
        if col == Column.STATUS:
            row = self._rows[index.row()]
            return icon("status-" + status_of(row.expires, self._now, self._expiring))
        if col == Column.HEALTH:
            worst = self._rows[index.row()].worst
            return icon(f"health-{worst.value}") if worst is not None else None
        return None

    def _foreground(self, index: AnyIndex) -> Any:
        col = index.column()
        if col in (Column.EXPIRES, Column.STATUS):
            row = self._rows[index.row()]
            status = status_of(row.expires, self._now, self._expiring)
            return colours.STATUS[status] if status != "ok" or col == Column.STATUS else None
        if col == Column.ENV and self._rows[index.row()].prod:
            return colours.PROD
        return None

    def _tooltip(self, index: AnyIndex, role: int) -> Any:
        row = self._rows[index.row()]
        col = index.column()
        if col == Column.HEALTH:
            if not row.findings:
                return "no health findings" if role == Qt.ItemDataRole.AccessibleTextRole else None
            codes = ", ".join(sorted({f.code for f in row.findings}))
            return f"{len(row.findings)} health finding(s): {codes}"
        if col == Column.ENV and row.prod:
            return f"{row.record.env} (production)"
        if col == Column.COPY:
            return f"Copy {row.record.name} ({row.record.env})"
        if col == Column.EXPIRES and row.record.expires_at is not None:
            return row.record.expires_at.strftime("%Y-%m-%d %H:%M UTC")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        return None


_SORT_KEYS: dict[Column, Any] = {
    Column.NAME: lambda r: r.record.name.lower(),
    Column.ENV: lambda r: r.record.env,
    Column.PROVIDER: lambda r: r.provider,
    Column.SCOPES: lambda r: r.scopes.lower(),
    Column.EXPIRES: lambda r: r.expiry_key,
    Column.STATUS: lambda r: r.expiry_key,
    Column.HEALTH: lambda r: (r.worst.rank if r.worst else 0, len(r.findings)),
    Column.COPY: lambda r: r.record.name.lower(),
}


class TokenFilterProxy(QSortFilterProxyModel):
    """Filters on each row's precomputed lowercase text and environment; sorts in the source.

    Matches are worked out in one Python pass per change (``term in text`` over a list), so
    ``filterAcceptsRow`` is a list lookup.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._terms: tuple[str, ...] = ()
        self._env: str | None = None
        self._accepted: list[bool] | None = None
        self._generation = -1
        self._source: TokenTableModel | None = None
        self.setDynamicSortFilter(False)
        self.setSortRole(SORT_ROLE)
        self.setFilterRole(FILTER_ROLE)

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        if not isinstance(model, TokenTableModel):
            raise TypeError("TokenFilterProxy filters a TokenTableModel")
        self._source = model
        self._accepted = None
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
        self._accepted = None
        # A full invalidate is one layout change; an incremental filter update emits one
        # rowsRemoved per gap, which costs far more when matches are scattered.
        self.invalidate()

    def _compute(self) -> list[bool]:
        source = self.source()
        rows = source.rows()
        terms, env = self._terms, self._env
        texts = [r.search for r in rows]
        if env is None:
            accepted = [all(t in s for t in terms) for s in texts] if terms else [True] * len(rows)
        else:
            accepted = [
                r.record.env == env and all(t in s for t in terms)
                for r, s in zip(rows, texts, strict=True)
            ]
        self._generation = source.generation
        return accepted

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        accepted = self._accepted
        if accepted is None or self._source is None or self._generation != self._source.generation:
            accepted = self._accepted = self._compute()
        return source_row < len(accepted) and accepted[source_row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The source reorders its rows by the raw sort keys; the proxy keeps source order.
        self.source().sort(column, order)

    def row(self, proxy_row: int) -> Row | None:
        index = self.index(proxy_row, 0)
        if not index.isValid():
            return None
        return self.source().row_at(self.mapToSource(index).row())
