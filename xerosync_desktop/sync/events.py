"""What a background job reports: plain frozen data, safe to pass between threads.

Public API: Level, LogEntry, Progress, RunStarted, RunSummary, Waiting, SyncEvent, RESULTS,
OUTCOME_LABELS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from ..core.model import Status

RESULTS = ("Created", "Updated", "Unchanged", "Skipped", "Failed")  # what became of a client
OUTCOME_LABELS = {"finished": "Finished", "cancelled": "Cancelled", "stopped": "Stopped",
                  "interrupted": "Interrupted", "running": "Running"}  # how a run ended, shown
# the log's Action of each line that counts a client -> its result; other lines count none
_RESULT_OF_ACTION = {**{result: result for result in RESULTS},
                     Status.NEEDS_ATTENTION.label: "Skipped"}


class Level(Enum):
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of a sync log: the live list shows the newest 50, the store keeps all.

    `changes` are an update's changed fields (`Email: old -> new`), as its message says them.
    """

    time: datetime
    level: Level
    action: str
    message: str
    client_id: str = ""
    client_name: str = ""
    contact_id: str = ""
    changes: tuple[str, ...] = ()

    @property
    def result(self) -> str:
        """What became of the client, one of RESULTS: the lines of a run with a result are
        exactly the ones its counts count; '' for the others (Started, Waiting, Summary)."""
        return _RESULT_OF_ACTION.get(self.action, "")


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a job is: `done` of `total` steps, with a short line for the user."""

    done: int
    total: int
    text: str = ""


@dataclass(frozen=True, slots=True)
class RunStarted:
    """A run was recorded in the store: its log can be downloaded however it ends."""

    run_id: int
    started_at: datetime


@dataclass(frozen=True, slots=True)
class RunSummary:
    """How a sync run ended."""

    run_id: int
    tenant_name: str
    source_file: str
    started_at: datetime
    finished_at: datetime
    outcome: str  # 'finished', 'cancelled' or 'stopped'
    # when stopped: 'day_limit', 'minute_limit', 'authorization', 'organisation_access', 'error'
    stopped_by: str = ""
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    message: str = ""
    unchanged: int = 0
    resume_at: datetime | None = None  # a limit-stopped run: when Xero takes calls again
    attention: int = 0  # of the skipped: rows of the client file that need attention
    waiting: int = 0  # of the skipped: possible matches waiting for a decision

    @property
    def counts_text(self) -> str:
        why = ", ".join(part for part in (
            f"{self.attention} need attention" if self.attention else "",
            f"{self.waiting} waiting for a decision" if self.waiting else "") if part)
        return (f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.skipped} skipped{f' ({why})' if why else ''}, {self.failed} failed")

    @property
    def text(self) -> str:
        """One sentence for the user."""
        counts = self.counts_text
        if self.outcome == "finished":
            return f"Sync finished: {counts}."
        if self.outcome == "cancelled":
            return f"Sync cancelled: {counts}. Sync again to carry on."
        return f"Sync stopped: {counts}. {self.message}".strip()


@dataclass(frozen=True, slots=True)
class Waiting:
    """The job is waiting for Xero (a limit or a retry): `seconds` left, 0 when it resumes."""

    seconds: int
    reason: str


SyncEvent = LogEntry | Progress | RunStarted | Waiting
