"""Sync logs as Qt list models: the live tail of a run, and a whole stored run.

Public API: LiveLogModel, LIVE_LOG_SIZE, RunLog, read_run_log(), RunLogModel, PROBLEM_ACTIONS,
entry_text().

The full log lives in the store; the Excel log is written from there. The live model is a
QStandardItemModel: the view paints from items held in C++, so a repaint while the worker
runs Python makes no call back into Python (each would wait for the GIL). A whole run's log
can hold 10,000 entries and more: it is read, and its lines made, in a job (`read_run_log`),
and shown by a plain list model whose filter swaps one list of rows for another, so neither
showing it nor filtering it costs the GUI thread anything per entry.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel

from ..core.planner import Action
from ..errors import CancelledError
from ..long_lived import freeze_long_lived
from ..store import Store
from ..sync.events import Level, LogEntry
from ..sync.runner import NEEDS_ATTENTION

LIVE_LOG_SIZE = 50
_COLOURS = {Level.INFO: None, Level.WARNING: "#8a5a00", Level.ERROR: "#b00020"}
# the entries of the clients a run counts as skipped or failed (Only skipped and failed)
PROBLEM_ACTIONS = frozenset({Action.SKIP.value, NEEDS_ATTENTION, Action.FAIL.value})
AnyIndex = QModelIndex | QPersistentModelIndex


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


@dataclass(frozen=True)
class RunLog:
    """Every entry of one stored run, read in a job; the model words only the lines shown
    (a whole run's lines made up front cost the job, and so the window, the GIL for
    10,000 entries while a preview may be running beside it)."""

    run_id: int
    entries: tuple[LogEntry, ...]
    problems: tuple[int, ...]  # the rows of the skipped and failed clients' entries


def read_run_log(store: Store, run_id: int, stop: Callable[[], bool] = lambda: False) -> RunLog:
    """In a job: the run's whole log from the store (CancelledError if stopped meanwhile)."""
    entries = tuple(store.runs.entries(run_id))
    if stop():
        raise CancelledError
    log = RunLog(run_id, entries,
                 tuple(row for row, e in enumerate(entries) if e.action in PROBLEM_ACTIONS))
    freeze_long_lived()  # shown until another run is chosen: out of the collector's walks
    return log


class RunLogModel(QAbstractListModel):
    """A whole run's log, one line an entry; `set_only_problems` shows only the skipped and
    failed clients. Colours and lines are those of the live log."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._log: RunLog | None = None
        self._rows: Sequence[int] = ()
        self._only_problems = False
        self._brushes = {level: QBrush(QColor(colour)) for level, colour in _COLOURS.items()
                         if colour}

    @property
    def log(self) -> RunLog | None:
        return self._log

    @property
    def only_problems(self) -> bool:
        return self._only_problems

    def set_log(self, log: RunLog | None) -> None:
        self.beginResetModel()
        self._log = log
        self._rows = self._shown_rows()
        self.endResetModel()

    def set_only_problems(self, only: bool) -> None:
        if only == self._only_problems:
            return
        self.beginResetModel()
        self._only_problems = only
        self._rows = self._shown_rows()
        self.endResetModel()

    def entry(self, row: int) -> LogEntry:
        assert self._log is not None
        return self._log.entries[self._rows[row]]

    def _shown_rows(self) -> Sequence[int]:
        if self._log is None:
            return ()
        return self._log.problems if self._only_problems else range(len(self._log.entries))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._log is None:
            return None
        at = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry_text(self._log.entries[at])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._log.entries[at].message
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._brushes.get(self._log.entries[at].level)
        return None
