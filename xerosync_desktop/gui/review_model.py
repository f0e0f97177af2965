"""The mapping review as a Qt table model, and the proxy that filters and searches it.

Public API: ReviewColumn, ReviewTableModel, ReviewFilterProxy, RowRole.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from ..core.model import ReviewRow, Status
from ..excel.export import REVIEW_COLUMNS

RowRole = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex


class ReviewColumn(IntEnum):
    SOURCE_ROW = 0
    CLIENT_ID = 1
    CLIENT = 2
    XERO_NAME = 3
    CONTACT = 4
    CONTACT_ID = 5
    STATUS = 6
    NOTE = 7


_STATUS_COLOURS = {
    Status.MATCHED: "#e7f6ea",
    Status.MAPPED: "#d4edda",
    Status.NEW: "#e8f1fb",
    Status.UNMATCHED: "#f2f2f2",
    Status.PROSPECT: "#fff8e1",
    Status.BLOCKED: "#fdecea",
}


def _cell_text(row: ReviewRow, column: ReviewColumn) -> str:
    if column is ReviewColumn.SOURCE_ROW:
        return "" if row.source_row is None else str(row.source_row)
    if column is ReviewColumn.CLIENT_ID:
        return row.client_id
    if column is ReviewColumn.CLIENT:
        return row.client_name
    if column is ReviewColumn.XERO_NAME:
        return row.xero_name
    if column is ReviewColumn.CONTACT:
        return row.contact_name
    if column is ReviewColumn.CONTACT_ID:
        return row.contact_id
    if column is ReviewColumn.STATUS:
        return row.status.label
    return row.note


class ReviewTableModel(QAbstractTableModel):
    """Review rows, one per line; the row itself under RowRole."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ReviewRow] = []

    def set_rows(self, rows: Sequence[ReviewRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ReviewColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return REVIEW_COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = ReviewColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell_text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.note or None
        if role == Qt.ItemDataRole.BackgroundRole and column is ReviewColumn.STATUS:
            return QBrush(QColor(_STATUS_COLOURS[row.status]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column is ReviewColumn.SOURCE_ROW:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == RowRole:
            return row
        return None


class ReviewFilterProxy(QSortFilterProxyModel):
    """Shows the rows of one status (or all) whose text contains the search words."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._status: Status | None = None
        self._words: list[str] = []

    def set_status(self, status: Status | None) -> None:
        self.beginFilterChange()
        self._status = status
        self.endFilterChange()

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        row: ReviewRow = model.data(model.index(source_row, 0, source_parent), RowRole)
        if self._status is not None and row.status is not self._status:
            return False
        if not self._words:
            return True
        haystack = " ".join((row.client_id, row.client_name, row.xero_name, row.contact_name,
                             row.contact_id)).casefold()
        return all(word in haystack for word in self._words)
