"""Where a command writes: results on stdout, progress and messages on stderr.

Public API: Console.

Every line passes through here, so the terminal's progress bar is erased before a result
or a message is printed, and the run a sync recorded is known even if it ends badly.
"""

from __future__ import annotations

from typing import TextIO

from ..sync.events import Level, LogEntry, Progress, RunStarted, SyncEvent, Waiting
from .progress import ProgressDisplay


class Console:
    """The command's two streams and its progress display."""

    def __init__(self, out: TextIO, err: TextIO, interactive: bool | None = None) -> None:
        self.out = out
        self.err = err
        self.progress = ProgressDisplay(err, interactive)
        self.run_id: int | None = None  # the sync run recorded in the store, once started

    def result(self, text: str = "") -> None:
        """One line of the command's result (stdout)."""
        self.progress.clear()
        self.out.write(text + "\n")
        self.out.flush()

    def message(self, text: str) -> None:
        """A sentence for the person reading stderr: an error, a notice."""
        self.progress.clear()
        self.err.write(f"xerosync: {text}\n")
        self.err.flush()

    def report(self, event: SyncEvent) -> None:
        """The callback a job reports through.

        Progress goes to stderr; a client that was skipped or failed is a result line; the
        other log entries (created, updated, started, summary) are only in the run's log.
        """
        if isinstance(event, Progress):
            self.progress.show(event)
        elif isinstance(event, Waiting):
            self.progress.wait(event)
        elif isinstance(event, RunStarted):
            self.run_id = event.run_id
        elif isinstance(event, LogEntry) and event.client_id and event.level is not Level.INFO:
            who = " ".join(part for part in (event.client_id, event.client_name) if part)
            self.result(f"{event.action}: {who}: "
                        f"{event.message}")
