"""The Sync tab's preview: the counts, and every client a sync will send, before it sends.

Public API: PreviewPanel, PreviewModel, PREVIEW_HEADERS.

What it shows is a `sync.preview.Preview`: the run's own plan, so the table is exactly what
*Sync to Xero* sends (updates first, as sent), each update with the fields it changes.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.planner import Action, PlannedItem
from ..sync.preview import Preview, change_lines
from .tables import setup_row_table

AnyIndex = QModelIndex | QPersistentModelIndex
PREVIEW_HEADERS = ("Action", "Client ID", "TimeSolv Client", "Name in Xero", "Changes")
_ACTION_TEXT = {Action.CREATE: "Add", Action.UPDATE: "Update"}


def changes_text(item: PlannedItem) -> str:
    """What an update changes; for an add, the new contact."""
    if item.action is Action.CREATE:
        return "New contact"
    return "; ".join(change_lines(item))


class PreviewModel(QAbstractTableModel):
    """The clients a sync sends, one row each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: tuple[PlannedItem, ...] = ()

    def set_preview(self, preview: Preview | None) -> None:
        self.beginResetModel()
        self._items = preview.sent if preview is not None else ()
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(PREVIEW_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return PREVIEW_HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        item = self._items[index.row()]
        column = index.column()
        if column == 0:
            return _ACTION_TEXT.get(item.action, item.action.value)
        if column == 1:
            return item.client.client_id
        if column == 2:
            return item.client.name
        if column == 3:
            return item.draft.name if item.draft else ""
        return changes_text(item)


class PreviewPanel(QWidget):
    """The counts line and the table of what will be sent."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts_label = QLabel("The preview appears here before anything is sent.")
        self.counts_label.setWordWrap(True)
        self.model = PreviewModel(self)
        self.table = QTableView()
        setup_row_table(self.table, self.model, (70, 80, 200, 200))
        self.table.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.table, 1)

    def show_preview(self, preview: Preview | None, note: str = "") -> None:
        """Show a preview (None: clear it, with `note` saying why)."""
        self.model.set_preview(preview)
        if preview is None:
            self.counts_label.setText(note or "The preview appears here before anything is "
                                              "sent.")
            return
        listed = ("Every client that will be sent is listed below." if preview.sent
                  else "Nothing will be sent.")
        self.counts_label.setText(
            f"<b>Before syncing to {html.escape(preview.review.settings.tenant_name)}:</b> "
            f"{html.escape(preview.summary)}. {listed}")
