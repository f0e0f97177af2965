"""The mapping review as a Qt table model that filters, searches and sorts itself.

Public API: ReviewColumn (from review_columns.py, where the columns are defined once),
ReviewTableModel, RowRole, SortRole, Shown, shown().

At 13,000 rows a QSortFilterProxyModel costs the GUI thread a call into Python per row for
every filter change, and one per comparison for every sort (a header click took seconds).
Here the rows shown are a list of positions, worked out in Python over text and keys made
once: a search is a substring test per row, a sort one `sorted()` over a column's keys
(made at its first sort), and the view is told with one reset. Qt then asks `data()` only
for the rows on screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ..core.model import Contact, ReviewRow, Status
from ..review_columns import COLUMNS, Kind, ReviewColumn, search_texts
from ..sync.decide import linkable_contacts
from ..sync.review import Review
from .contact_picker import search_texts as contact_search_texts
from .tables import holding_every_word

RowRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2  # the column's sort key: an int or a str
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
_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole,
                    Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole,
                    Qt.ItemDataRole.ToolTipRole, RowRole, SortRole})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class Shown(NamedTuple):
    """A review as a job hands it to the Mapping tab: what the GUI thread would otherwise
    work out over every row (search text, status counts, the contact picker's list)."""

    review: Review
    texts: list[str]  # each row's search text
    counts: Counter[Status]
    linkable: list[tuple[Contact, str]]  # the contact picker's list
    linkable_texts: list[str]  # and its search text


def shown(review: Review) -> Shown:
    """In the job: the review and what showing it needs (pure; no Qt)."""
    linkable = linkable_contacts(review)
    return Shown(review, search_texts(review.rows), Counter(row.status for row in review.rows),
                 linkable, contact_search_texts(linkable))


class ReviewTableModel(QAbstractTableModel):
    """Review rows, one per line, one column per ReviewColumn, filtered by status and search
    words and sorted by a column; the row itself under RowRole, the sort key under SortRole.

    `rows()` is every row in file order; the model's own rows are those shown, in order.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ReviewRow] = []
        self._texts: list[str] = []
        self._keys: dict[int, list[int | str]] = {}  # a column's sort keys, once sorted by
        self._status: Status | None = None
        self._words: list[str] = []
        self._sort_column = -1  # file order
        self._descending = False
        self._sorted: list[int] = []  # every row's position, in the sort order
        self._order: list[int] = []  # the positions shown

    # -- what is shown --------------------------------------------------------------------

    def set_rows(self, rows: Sequence[ReviewRow], texts: Sequence[str] | None = None) -> None:
        """Show `rows` under the current filter and sort; `texts` is their search_texts(),
        made in the job when given."""
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = list(texts) if texts is not None else search_texts(self._rows)
        self._keys = {}
        self._sorted = self._sort_order()
        self._order = self._filtered()
        self.endResetModel()

    def set_status(self, status: Status | None) -> None:
        """Show the rows of one status, or all (None)."""
        self._status = status
        self._reshow()

    def set_search(self, text: str) -> None:
        """Show the rows whose searched columns hold every word of `text`, case set aside."""
        self._words = text.casefold().split()
        self._reshow()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (-1: file order): numbers as numbers, text ignoring case, empty
        cells last in ascending order; rows with equal keys keep their file order."""
        self._sort_column = column if 0 <= column < len(COLUMNS) else -1
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        before, kept = self._order, self.persistentIndexList()
        self._sorted = self._sort_order()
        self._order = self._filtered()
        # the selection and the current row follow their rows to where the sort put them
        line = {position: row for row, position in enumerate(self._order)}
        self.changePersistentIndexList(kept, [
            self.index(line[before[index.row()]], index.column())
            if 0 <= index.row() < len(before) and before[index.row()] in line
            else QModelIndex() for index in kept])
        self.layoutChanged.emit()

    def rows(self) -> list[ReviewRow]:
        """Every row, in file order, whatever is shown."""
        return self._rows

    def shown_rows(self) -> list[ReviewRow]:
        """The rows shown, in the order shown."""
        return [self._rows[i] for i in self._order]

    def rows_between(self, spans: Sequence[tuple[int, int]]) -> list[ReviewRow]:
        """The rows shown from `top` to `bottom` (inclusive) of each span, each once."""
        order = self._order
        positions = dict.fromkeys(p for top, bottom in spans for p in order[top:bottom + 1])
        return [self._rows[p] for p in positions]

    def _reshow(self) -> None:
        self.beginResetModel()
        self._order = self._filtered()
        self.endResetModel()

    def _sort_order(self) -> list[int]:
        positions = range(len(self._rows))
        if self._sort_column < 0:
            return list(positions)
        keys = self._keys.get(self._sort_column)
        if keys is None:
            column = COLUMNS[self._sort_column]
            keys = self._keys[self._sort_column] = [column.sort_key(r) for r in self._rows]
        # reverse=True keeps equal keys in file order, as the ascending sort does
        return sorted(positions, key=keys.__getitem__, reverse=self._descending)

    def _filtered(self) -> list[int]:
        shown = self._sorted
        if self._status is not None:
            status, rows = self._status, self._rows
            shown = [i for i in shown if rows[i].status is status]
        return holding_every_word(shown, self._texts, self._words)

    # -- Qt's model -----------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].header
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # a painted cell is asked some eight roles: those never answered return first
        if role not in _ROLES or not index.isValid() or not 0 <= index.row() < len(self._order):
            return None
        row = self._rows[self._order[index.row()]]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if column is ReviewColumn.STATUS:
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(_STATUS_COLOURS[row.status]))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(_STATUS_TEXT))
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind is Kind.NUMBER:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.note or None
        if role == RowRole:
            return row
        if role == SortRole:
            return column.sort_key(row)
        return None
