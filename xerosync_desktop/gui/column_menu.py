"""A table header's menu of its columns: right-click the header to show or hide one.

Public API: add_column_menu().

Columns a bookkeeper rarely reads (a ContactID, the client file's row number) start hidden
but stay one click away; the last visible column can't be hidden, so the table never goes
blank.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QTableView


def add_column_menu(table: QTableView, hidden_at_first: Iterable[int] = ()) -> None:
    """Give `table`'s header a context menu with a tick for each column; hide the columns
    `hidden_at_first` (a restored header state may show them again)."""
    header = table.horizontalHeader()
    for column in hidden_at_first:
        header.hideSection(column)
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header.customContextMenuRequested.connect(
        lambda point: column_menu(table).exec(header.mapToGlobal(point)))


def column_menu(table: QTableView, _at: QPoint | None = None) -> QMenu:
    """The menu as it stands now: one checkable action per column, named by its header."""
    header = table.horizontalHeader()
    model = table.model()
    menu = QMenu(table)
    menu.setTitle("Columns")
    shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    for column in range(header.count()):
        name = model.headerData(column, Qt.Orientation.Horizontal)
        action = QAction(f"Show {name}", menu)
        action.setCheckable(True)
        action.setChecked(not header.isSectionHidden(column))
        action.setEnabled(shown != [column])  # the last column shown stays
        action.toggled.connect(lambda on, c=column: _show(table, c, on))
        menu.addAction(action)
    return menu


def _show(table: QTableView, column: int, on: bool) -> None:
    header = table.horizontalHeader()
    header.setSectionHidden(column, not on)
    if on and header.sectionSize(column) < 40:  # a column hidden at first has no width yet
        table.resizeColumnToContents(column)
