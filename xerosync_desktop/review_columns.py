"""The mapping review's columns, defined once for the review workbook and the review table.

Public API: ReviewColumn, COLUMNS, HIDDEN_AT_FIRST, Kind, CellValue, LAST_NUMBER,
search_texts().

Each `ReviewColumn` member, in the order the table shows and the workbook writes them, has
its `header`, its `kind` (a number, text, or text a search looks in), its `cell(row)`
(what the workbook's cell holds: a number stays a number), its `text(row)` (what the table
shows and a search reads) and its `sort_key(row)`.
Sort keys are plain `int` or `str`, one type per column, so Qt's proxy compares them itself
(a sort role, no Python `lessThan`) and Python's `sorted` gives the same order: numbers sort
as numbers (2, 9, 10, 100), text ignoring case, and an empty cell sorts last in ascending
order (first in descending). Pure: no Qt, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum, IntEnum

from .core.model import ReviewRow

CellValue = str | int | None
LAST_NUMBER = 2**31 - 1  # an empty number's sort key: after any row number, within Qt's int


class Kind(Enum):
    """How a column's cells sort and whether a search looks in them."""

    NUMBER = "number"  # sorts as a number; not searched
    TEXT = "text"  # sorts as text ignoring case; not searched
    SEARCHED = "searched"  # text, and a search looks in it


def _suggested_contact(row: ReviewRow) -> str:
    return row.suggestion.contact.name if row.suggestion else ""


def _suggestion_reason(row: ReviewRow) -> str:
    return row.suggestion.text if row.suggestion else ""


class ReviewColumn(IntEnum):
    """The review's columns, numbered in order of definition: (header, kind, the row's value)."""

    header: str
    kind: Kind
    _get: Callable[[ReviewRow], CellValue]

    def __new__(cls, header: str, kind: Kind,
                get: Callable[[ReviewRow], CellValue]) -> ReviewColumn:
        column = int.__new__(cls, len(cls.__members__))
        column._value_ = len(cls.__members__)
        column.header = header
        column.kind = kind
        column._get = get
        return column

    # in the order a bookkeeper reads a row: what happens to it, then who, then why
    STATUS = "Status", Kind.TEXT, lambda row: row.status.label
    CLIENT = "TimeSolv Client", Kind.SEARCHED, lambda row: row.client_name
    CLIENT_ID = "Client ID", Kind.SEARCHED, lambda row: row.client_id
    CONTACT = "Xero Contact", Kind.SEARCHED, lambda row: row.contact_name
    XERO_NAME = "Name in Xero", Kind.SEARCHED, lambda row: row.xero_name
    NOTE = "Note", Kind.TEXT, lambda row: row.note
    SUGGESTED_CONTACT = "Suggested Xero contact", Kind.SEARCHED, _suggested_contact
    SUGGESTION_REASON = "Suggestion reason", Kind.SEARCHED, _suggestion_reason
    # for tracing a row back: the table hides them until asked (its header's menu)
    CONTACT_ID = "Xero ContactID", Kind.SEARCHED, lambda row: row.contact_id
    SOURCE_ROW = "Source Row", Kind.NUMBER, lambda row: row.source_row

    def cell(self, row: ReviewRow) -> CellValue:
        """The workbook cell's value: an int for a number, None or "" for nothing."""
        return self._get(row)

    def text(self, row: ReviewRow) -> str:
        """The cell as the table shows it and a search reads it: "" for nothing."""
        value = self._get(row)
        return "" if value is None else str(value)

    def sort_key(self, row: ReviewRow) -> int | str:
        """An int for a number (LAST_NUMBER when empty); else the text case-folded behind
        "0", or "1" when empty, so empty cells come after any text."""
        value = self._get(row)
        if self.kind is Kind.NUMBER:
            return LAST_NUMBER if value is None or value == "" else int(value)
        text = "" if value is None else str(value)
        return "0" + text.casefold() if text else "1"


COLUMNS: tuple[ReviewColumn, ...] = tuple(ReviewColumn)
HIDDEN_AT_FIRST = frozenset({ReviewColumn.CONTACT_ID, ReviewColumn.SOURCE_ROW})
"""Columns the table hides until the user shows them (the workbook always has them)."""
"""Every column in order: COLUMNS[i] is column i (mypy reads `ReviewColumn(i)` as a new member)."""

_SEARCHED = tuple(column._get for column in COLUMNS if column.kind is Kind.SEARCHED)


def search_texts(rows: Sequence[ReviewRow]) -> list[str]:
    """Per row, the text a search looks in: its searched columns, case-folded. One pass over
    the values, not through text(): 13,000 rows are set on the GUI thread."""
    return [" ".join([str(value) for get in _SEARCHED if (value := get(row))]).casefold()
            for row in rows]
