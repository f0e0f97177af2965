"""An organisation's sync runs as a Qt table, newest first: when, how long, how it ended.

Public API: RunListModel, RunColumn, RUN_HEADERS, RunRole, as_summary(), running(),
started_text(), duration_text(), outcome_text(), run_sentence().

Every row is a `RunSummary`: a stored run (`RunRecord`) is turned into one by `as_summary`,
so a run's one-line sentence is `RunSummary.text`, as the live summary and the CLI say it,
and the counts are the six a run stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ..store import RunRecord
from ..sync.events import OUTCOME_LABELS, RunStarted, RunSummary

AnyIndex = QModelIndex | QPersistentModelIndex
RunRole = Qt.ItemDataRole.UserRole + 1  # the row's RunSummary


class RunColumn(IntEnum):
    STARTED = 0
    DURATION = 1
    OUTCOME = 2
    CREATED = 3
    UPDATED = 4
    UNCHANGED = 5
    SKIPPED = 6
    FAILED = 7
    ATTENTION = 8
    NOTE = 9


RUN_HEADERS = ("Started", "Duration", "Outcome", "Created", "Updated", "Unchanged", "Skipped",
               "Failed", "Need attention", "Note")
_COUNTS = {RunColumn.CREATED: "created", RunColumn.UPDATED: "updated",
           RunColumn.UNCHANGED: "unchanged", RunColumn.SKIPPED: "skipped",
           RunColumn.FAILED: "failed", RunColumn.ATTENTION: "attention"}
_HEADER_TIPS = {
    RunColumn.STARTED: "When the run started, on this computer's clock.",
    RunColumn.SKIPPED: "Clients not sent: prospects, archived contacts, possible matches "
                       "waiting for a decision, rows that need attention.",
    RunColumn.ATTENTION: "Of the skipped: rows of the client file that need attention.",
    RunColumn.NOTE: "Why the run stopped, if it did; else the client file it synced.",
}
RUNNING_ELSEWHERE = ("Not finished: still running in another xerosync, or it ended without "
                     "finishing (the next sync marks it interrupted).")


def as_summary(run: RunRecord) -> RunSummary:
    """A stored run as a summary (a run still running ends when it starts)."""
    return RunSummary(
        run_id=run.run_id, tenant_name=run.tenant_name, source_file=run.source_file,
        started_at=run.started_at, finished_at=run.finished_at or run.started_at,
        outcome=run.outcome, stopped_by=run.stopped_by, created=run.created,
        updated=run.updated, skipped=run.skipped, failed=run.failed, message=run.message,
        unchanged=run.unchanged, resume_at=run.resume_at, attention=run.attention,
        waiting=run.waiting or 0)  # None: a run from before the store kept it


def running(started: RunStarted, tenant_name: str, source_file: str) -> RunSummary:
    """The row of a run this window has just started."""
    return RunSummary(run_id=started.run_id, tenant_name=tenant_name, source_file=source_file,
                      started_at=started.started_at, finished_at=started.started_at,
                      outcome="running")


def started_text(run: RunSummary) -> str:
    """'2026-11-24 10:03:27', on this computer's clock."""
    return f"{run.started_at.astimezone():%Y-%m-%d %H:%M:%S}"


def duration_text(run: RunSummary) -> str:
    """'42 s', '3 min 05 s', '2 h 07 min'; '' while running."""
    if run.outcome == "running":
        return ""
    seconds = max(0, round((run.finished_at - run.started_at).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02} min"


def outcome_text(run: RunSummary) -> str:
    return OUTCOME_LABELS.get(run.outcome, run.outcome.capitalize())


def run_sentence(run: RunSummary) -> str:
    """How the run ended, in one sentence (a run stored as running: that it has not)."""
    return RUNNING_ELSEWHERE if run.outcome == "running" else run.text


class RunListModel(QAbstractTableModel):
    """Runs, newest first: `set_runs` for a stored list, `put` for a run starting or ending
    in this window (a new run goes on top, a known one is replaced in place)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._runs: list[RunSummary] = []
        self._live: int | None = None  # the run this window is running, if any

    def set_runs(self, runs: Sequence[RunSummary]) -> None:
        self.beginResetModel()
        self._runs = sorted(runs, key=lambda run: run.run_id, reverse=True)
        self.endResetModel()

    def put(self, run: RunSummary, live: bool = False) -> int:
        """Add or replace `run`; its row. `live`: running in this window."""
        self._live = run.run_id if live else (None if self._live == run.run_id else self._live)
        row = self.row_of(run.run_id)
        if row is not None:
            self._runs[row] = run
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(RUN_HEADERS) - 1))
            return row
        row = next((r for r, known in enumerate(self._runs) if known.run_id < run.run_id),
                   len(self._runs))
        self.beginInsertRows(QModelIndex(), row, row)
        self._runs.insert(row, run)
        self.endInsertRows()
        return row

    def runs(self) -> list[RunSummary]:
        return list(self._runs)

    def row_of(self, run_id: int) -> int | None:
        return next((r for r, run in enumerate(self._runs) if run.run_id == run_id), None)

    def run_at(self, row: int) -> RunSummary:
        return self._runs[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._runs)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(RUN_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is not Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return RUN_HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TIPS.get(RunColumn(section))
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        run = self._runs[index.row()]
        column = RunColumn(index.column())
        if role == RunRole:
            return run
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(run, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(run)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _COUNTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, run: RunSummary, column: RunColumn) -> str:
        if column is RunColumn.STARTED:
            return started_text(run)
        if column is RunColumn.DURATION:
            return duration_text(run)
        if column is RunColumn.OUTCOME:
            if run.outcome == "running" and run.run_id != self._live:
                return "Not finished"
            return outcome_text(run)
        if column is RunColumn.NOTE:
            return self._note(run)
        if run.outcome == "running":
            return ""  # counted when it ends
        return str(getattr(run, _COUNTS[column]))

    def _note(self, run: RunSummary) -> str:
        if run.outcome == "running":
            return "Running now: its live log is below." if run.run_id == self._live \
                else RUNNING_ELSEWHERE
        return run.message or (f"From {Path(run.source_file).name}" if run.source_file else "")

    def _tooltip(self, run: RunSummary) -> str:
        if run.outcome == "running":
            why = "Running now." if run.run_id == self._live else RUNNING_ELSEWHERE
        else:
            why = run_sentence(run)
        return f"{why}\nClient file: {run.source_file}" if run.source_file else why
