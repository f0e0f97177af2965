"""Worker: a QThread around one Qt-free job, reporting through signals of plain data.

Public API: Worker, JobRunner, Job, UNEXPECTED_ERROR_TEXT, CANCELLED_TEXT.

A job's events reach the GUI thread in batches: a run that settles 10,000 clients in a
second sends a few dozen signals, not 10,000, so the window never stalls on them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QObject, QThread, Signal

from ..errors import AuthorizationError, CancelledError, NotConnectedError, UserError
from ..sync.events import LogEntry

log = logging.getLogger(__name__)

T = TypeVar("T")

# job(report, should_stop) -> result; report takes frozen dataclasses (SyncEvent)
Job = Callable[[Callable[[object], None], Callable[[], bool]], object]

CANCELLED_TEXT = "Cancelled; nothing more was done."
UNEXPECTED_ERROR_TEXT = ("Something unexpected went wrong, and nothing more was done. The "
                         "details are in the app's log file ({log_dir}).")


class _Batcher:
    """A job's `report`: log entries are gathered for up to `interval` seconds; any other
    event (progress, a countdown, a run started) goes at once, with what was gathered."""

    def __init__(self, emit: Callable[[object], None], interval: float = 0.05) -> None:
        self._emit = emit
        self._interval = interval
        self._pending: list[object] = []
        self._sent_at = 0.0

    def __call__(self, event: object) -> None:
        self._pending.append(event)
        if (not isinstance(event, LogEntry)
                or time.monotonic() - self._sent_at >= self._interval):
            self.flush()

    def flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            self._sent_at = time.monotonic()
            self._emit(batch)


class Worker(QThread):
    """Runs `job` off the GUI thread; cancel with `requestInterruption()`."""

    reported = Signal(object)  # a list of events, oldest first
    succeeded = Signal(object)
    failed = Signal(str)
    authorization_lost = Signal()  # Xero refused the grant: the app must reconnect

    def __init__(self, job: Job, log_dir: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job = job
        self._log_dir = log_dir

    def run(self) -> None:
        report = _Batcher(self.reported.emit)
        try:
            try:
                result = self._job(report, self.isInterruptionRequested)
            finally:
                report.flush()
        except UserError as exc:
            log.info("background job ended: %s", exc.message)
            if isinstance(exc, (AuthorizationError, NotConnectedError)):
                self.authorization_lost.emit()
            self.failed.emit(exc.message)
        except CancelledError:
            self.failed.emit(CANCELLED_TEXT)
        except Exception:
            log.exception("background job failed")
            self.failed.emit(UNEXPECTED_ERROR_TEXT.format(log_dir=self._log_dir))
        else:
            self.succeeded.emit(result)


class JobRunner(QObject):
    """One job at a time for a tab: starts workers, keeps them until done, cancels them.

    The busy state ends as soon as the job's outcome is delivered, before the outcome's
    handler runs, so a handler (or a test waiting on it) sees the tab ready again.
    """

    busy_changed = Signal(bool)
    authorization_lost = Signal()

    def __init__(self, log_dir: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._log_dir = log_dir
        self._worker: Worker | None = None  # the job whose outcome is still to come
        self._threads: set[Worker] = set()  # every thread not yet finished
        self._shut = False  # the window is closing: outcomes still queued are dropped

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self, job: Job, on_success: Callable[[object], None],
              on_failure: Callable[[str], None],
              on_report: Callable[[Sequence[object]], None] | None = None) -> None:
        if self._worker is not None:
            raise RuntimeError("a job is already running")
        if self._shut:  # the window is closing: a job started now would be abandoned
            return
        worker = Worker(job, self._log_dir, self)
        if on_report is not None:
            worker.reported.connect(on_report)
        worker.authorization_lost.connect(self.authorization_lost)
        worker.succeeded.connect(lambda result: self._deliver(worker, on_success, result))
        worker.failed.connect(lambda message: self._deliver(worker, on_failure, message))
        worker.finished.connect(lambda: self._threads.discard(worker))
        worker.finished.connect(worker.deleteLater)
        self._threads.add(worker)
        self._worker = worker
        self.busy_changed.emit(True)
        worker.start()

    def cancel(self) -> None:
        """Ask the running job to stop after its current step."""
        if self._worker is not None:
            self._worker.requestInterruption()

    def shutdown(self) -> None:
        """Cancel and wait for every thread, including one just delivering its outcome.

        An outcome already queued is not handled: its handler would use what the closing
        window has closed (its store)."""
        self._shut = True
        for worker in list(self._threads):
            worker.requestInterruption()
            worker.wait()

    def _deliver(self, worker: Worker, handler: Callable[[T], None], value: T) -> None:
        if self._shut:
            return
        if self._worker is worker:
            self._worker = None
            self.busy_changed.emit(False)
        handler(value)
