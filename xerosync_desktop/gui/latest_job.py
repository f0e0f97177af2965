"""LatestJobRunner: jobs where only the newest asked for counts, such as reading what the
user has just chosen.

Public API: LatestJobRunner.

Choosing run after run in a list starts a read each time; the reads before the last are
cancelled and their outcomes dropped, so the pane never shows a run no longer chosen, and
no click waits for an earlier read to end.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from .worker import Job, JobRunner


class LatestJobRunner(QObject):
    """One job at a time, and only the newest asked for counts: asking while one runs
    cancels it and drops its outcome; of those asked meanwhile, only the last is run."""

    def __init__(self, log_dir: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = JobRunner(log_dir, self)
        self._next: tuple[Job, Callable[[object], None], Callable[[str], None]] | None = None

    @property
    def busy(self) -> bool:
        return self._runner.busy

    def start(self, job: Job, done: Callable[[object], None],
              failed: Callable[[str], None]) -> None:
        if self._runner.busy:
            self._next = (job, done, failed)
            self._runner.cancel()
        else:
            self._runner.start(job, lambda r: self._deliver(done, r),
                               lambda m: self._deliver(failed, m))

    def _deliver(self, handler: Callable[[object], None] | Callable[[str], None],
                 value: object) -> None:
        if self._next is not None:  # superseded: start the newest instead
            job, done, failed = self._next
            self._next = None
            self.start(job, done, failed)
        else:
            handler(value)  # type: ignore[arg-type]

    def shutdown(self) -> None:
        self._next = None
        self._runner.shutdown()
