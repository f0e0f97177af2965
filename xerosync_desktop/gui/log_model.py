"""The live sync log: the newest 50 entries as a Qt list model.

Public API: LiveLogModel, LIVE_LOG_SIZE, entry_text().

The full log lives in the store; the Excel log is written from there. The model is a
QStandardItemModel: the view paints from items held in C++, so a repaint while the worker
runs Python makes no call back into Python (each would wait for the GIL).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel

from ..sync.events import Level, LogEntry

LIVE_LOG_SIZE = 50
_COLOURS = {Level.INFO: None, Level.WARNING: "#8a5a00", Level.ERROR: "#b00020"}


def entry_text(entry: LogEntry) -> str:
    """One log line as the live list shows it."""
    when = entry.time.astimezone().strftime("%H:%M:%S")
    who = (f"{entry.client_name} ({entry.client_id})".strip() + "  ") if entry.client_id else ""
    return f"{when}  {entry.action:<8}  {who}{entry.message}"


def _item(text: str, tooltip: str, colour: str | None) -> QStandardItem:
    item = QStandardItem(text)
    item.setToolTip(tooltip)
    item.setEditable(False)
    if colour:
        item.setForeground(QBrush(QColor(colour)))
    return item


class LiveLogModel(QStandardItemModel):
    """A bounded tail: appending the 51st entry drops the oldest.

    While the run waits for Xero, one more row below the entries counts down.
    """

    def __init__(self, parent: Any = None, size: int = LIVE_LOG_SIZE) -> None:
        super().__init__(parent)
        self._entries: deque[LogEntry] = deque(maxlen=size)
        self._size = size
        self._countdown = ""

    def clear(self) -> None:
        super().clear()
        self._entries.clear()
        self._countdown = ""

    def append(self, entry: LogEntry) -> None:
        self.extend([entry])

    def extend(self, entries: Iterable[LogEntry]) -> None:
        """Append entries; only the newest `size` of them and of the log are kept."""
        new = list(entries)[-self._size:]
        if not new:
            return
        overflow = len(self._entries) + len(new) - self._size
        if overflow > 0:
            self.removeRows(0, overflow)
            for _ in range(overflow):
                self._entries.popleft()
        row = len(self._entries)
        self._entries.extend(new)
        for offset, entry in enumerate(new):
            self.insertRow(row + offset, _item(entry_text(entry), entry.message,
                                               _COLOURS[entry.level]))

    def set_countdown(self, text: str) -> None:
        """Show (or, with '', remove) the countdown row below the entries."""
        row = len(self._entries)
        shown, self._countdown = self._countdown, text  # set first: views read it on signals
        if text and not shown:
            self.insertRow(row, _item(text, text, _COLOURS[Level.WARNING]))
        elif not text and shown:
            self.removeRows(row, 1)
        elif text:
            item = self.item(row)
            item.setText(text)
            item.setToolTip(text)

    @property
    def countdown(self) -> str:
        return self._countdown

    def entries(self) -> list[LogEntry]:
        return list(self._entries)
