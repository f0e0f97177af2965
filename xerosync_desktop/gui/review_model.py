"""The mapping review as a Qt table model, and the proxy that filters and searches it.

Public API: ReviewColumn (from review_columns.py, where the columns are defined once),
ReviewTableModel, ReviewFilterProxy, RowRole, SortRole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from ..core.model import ReviewRow, Status
from ..review_columns import COLUMNS, Kind, ReviewColumn, search_texts
from ..sync.review import Review

RowRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2  # the column's sort key: an int or a str Qt compares
AnyIndex = QModelIndex | QPersistentModelIndex

_STATUS_COLOURS = {
    Status.MATCHED: "#e7f6ea",
    Status.MAPPED: "#d4edda",
    Status.NEW: "#e8f1fb",
    Status.UNMATCHED: "#f2f2f2",
    Status.PROSPECT: "#fff8e1",
    Status.BLOCKED: "#fdecea",
    Status.NEEDS_ATTENTION: "#ffe0b2",
    Status.POSSIBLE_MATCH: "#ede7f6",
}
_STATUS_TEXT = "#1a1a1a"  # every status colour is pale: dark text on it, in a dark theme too


class Shown(NamedTuple):
    """A review as a job hands it to the Mapping tab, its rows' search text made already."""

    review: Review
    texts: list[str]


def shown(review: Review) -> Shown:
    """In the job: the review and its search text (pure; no Qt)."""
    return Shown(review, search_texts(review.rows))


class ReviewTableModel(QAbstractTableModel):
    """Review rows, one per line, one column per ReviewColumn; the row itself under RowRole,
    the cell's sort key under SortRole."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ReviewRow] = []
        self._search_text: list[str] = []

    def set_rows(self, rows: Sequence[ReviewRow], texts: Sequence[str] | None = None) -> None:
        """Show `rows`; `texts` is their search_texts(), made in the job when given (13,000
        rows' worth takes the GUI thread some 20 ms)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._search_text = list(texts) if texts is not None else search_texts(self._rows)
        self.endResetModel()

    def rows(self) -> list[ReviewRow]:
        return self._rows

    def search_text(self) -> list[str]:
        """Per row, the text a search looks in (the searched columns, case-folded)."""
        return self._search_text

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ReviewColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].header
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SortRole:
            return column.sort_key(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.note or None
        if role == Qt.ItemDataRole.BackgroundRole and column is ReviewColumn.STATUS:
            return QBrush(QColor(_STATUS_COLOURS[row.status]))
        if role == Qt.ItemDataRole.ForegroundRole and column is ReviewColumn.STATUS:
            return QBrush(QColor(_STATUS_TEXT))
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind is Kind.NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == RowRole:
            return row
        return None


class ReviewFilterProxy(QSortFilterProxyModel):
    """Shows the rows of one status (or all) whose text contains the search words; sorts on
    the model's SortRole (numbers as numbers, text ignoring case, empty cells last).

    Which rows pass is worked out in one Python pass over the source rows when the filter
    or the rows change; `filterAcceptsRow` only looks the answer up, so filtering 10,000
    rows costs one call per row into Python, not a model lookup and a join each. A filter
    change resets the proxy: one signal, where removing and inserting the rows that changed
    sends one per contiguous range (a thousand for a search among 13,000 rows).
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._status: Status | None = None
        self._words: list[str] = []
        self._accepted: list[bool] = []
        self.setSortRole(SortRole)

    def setSourceModel(self, model: Any) -> None:  # noqa: N802 - Qt's name
        super().setSourceModel(model)
        model.modelAboutToBeReset.connect(self._forget)
        model.modelReset.connect(self._refilter)
        self._refilter()  # a model that has rows already shows them

    def set_status(self, status: Status | None) -> None:
        self.beginResetModel()
        self._status = status
        self._decide()
        self.endResetModel()

    def set_search(self, text: str) -> None:
        self.beginResetModel()
        self._words = text.casefold().split()
        self._decide()
        self.endResetModel()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        return source_row < len(self._accepted) and self._accepted[source_row]

    def _forget(self) -> None:
        self._accepted = []

    def _refilter(self) -> None:
        self.beginFilterChange()
        self._decide()
        self.endFilterChange()

    def _decide(self) -> None:
        model = self.sourceModel()
        if not isinstance(model, ReviewTableModel):
            self._accepted = []
            return
        status, words = self._status, self._words
        self._accepted = [
            (status is None or row.status is status)
            and all(word in text for word in words)
            for row, text in zip(model.rows(), model.search_text(), strict=True)]
