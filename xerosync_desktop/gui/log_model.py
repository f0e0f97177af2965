"""The live sync log: the newest 50 entries as a Qt list model.

Public API: LiveLogModel, LIVE_LOG_SIZE.

The full log lives in the store; the Excel log is written from there.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ..sync.events import Level, LogEntry

LIVE_LOG_SIZE = 50
_COLOURS = {Level.INFO: None, Level.WARNING: "#8a5a00", Level.ERROR: "#b00020"}
AnyIndex = QModelIndex | QPersistentModelIndex


def entry_text(entry: LogEntry) -> str:
    """One log line as the live list shows it."""
    when = entry.time.astimezone().strftime("%H:%M:%S")
    who = f"{entry.client_name} ({entry.client_id})  " if entry.client_id else ""
    return f"{when}  {entry.action:<8}  {who}{entry.message}"


class LiveLogModel(QAbstractListModel):
    """A bounded tail: appending the 51st entry drops the oldest.

    While the run waits for Xero, one more row below the entries counts down.
    """

    def __init__(self, parent: Any = None, size: int = LIVE_LOG_SIZE) -> None:
        super().__init__(parent)
        self._entries: deque[LogEntry] = deque(maxlen=size)
        self._size = size
        self._countdown = ""

    def clear(self) -> None:
        self.beginResetModel()
        self._entries.clear()
        self._countdown = ""
        self.endResetModel()

    def append(self, entry: LogEntry) -> None:
        self.extend([entry])

    def extend(self, entries: Iterable[LogEntry]) -> None:
        """Append entries; only the newest `size` of them and of the log are kept."""
        new = list(entries)[-self._size:]
        if not new:
            return
        overflow = len(self._entries) + len(new) - self._size
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            for _ in range(overflow):
                self._entries.popleft()
            self.endRemoveRows()
        row = len(self._entries)
        self.beginInsertRows(QModelIndex(), row, row + len(new) - 1)
        self._entries.extend(new)
        self.endInsertRows()

    def set_countdown(self, text: str) -> None:
        """Show (or, with '', remove) the countdown row below the entries."""
        row = len(self._entries)
        if text and not self._countdown:
            self.beginInsertRows(QModelIndex(), row, row)
            self._countdown = text
            self.endInsertRows()
        elif not text and self._countdown:
            self.beginRemoveRows(QModelIndex(), row, row)
            self._countdown = ""
            self.endRemoveRows()
        elif text:
            self._countdown = text
            self.dataChanged.emit(self.index(row), self.index(row))

    @property
    def countdown(self) -> str:
        return self._countdown

    def entries(self) -> list[LogEntry]:
        return list(self._entries)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries) + bool(self._countdown)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if index.row() == len(self._entries):  # the countdown row
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return self._countdown
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(_COLOURS[Level.WARNING]))
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry_text(entry)
        if role == Qt.ItemDataRole.ForegroundRole and _COLOURS[entry.level]:
            return QBrush(QColor(_COLOURS[entry.level]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.message
        return None
