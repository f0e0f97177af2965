"""The app's row tables: one row a line, fixed heights, columns the user sizes; and their
search.

Public API: setup_row_table(), holding_every_word().

The Mapping review, the Sync preview and the contact picker hold thousands of rows. Fixed
row heights, set before the model is, let a reset to 13,000 rows cost the header nothing per
row; the rest is what a bookkeeper expects of such a list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def setup_row_table(table: QTableView, model: QAbstractItemModel,
                    widths: Sequence[int] = ()) -> None:
    """Whole-row selection, no row numbers, one fixed-height line a row, the last column
    stretched; `widths` of the first columns. Sets `model` on the table."""
    rows = table.verticalHeader()
    rows.hide()
    rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)


def holding_every_word(positions: Iterable[int], texts: Sequence[str],
                       words: Sequence[str]) -> list[int]:
    """The positions whose text holds every word (case-folded already): one pass a word
    over the positions the words before kept, most searches being one word. Pure."""
    kept = list(positions)
    for word in words:
        kept = [i for i in kept if word in texts[i]]
    return kept
