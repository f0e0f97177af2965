"""Worker: a QThread around one Qt-free job, reporting through signals of plain data.

Public API: Worker, JobRunner, Job, UNEXPECTED_ERROR_TEXT.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, QThread, Signal

from ..errors import AuthorizationError, NotConnectedError, UserError

log = logging.getLogger(__name__)

T = TypeVar("T")

# job(report, should_stop) -> result; report takes frozen dataclasses (SyncEvent)
Job = Callable[[Callable[[object], None], Callable[[], bool]], object]

UNEXPECTED_ERROR_TEXT = ("Something unexpected went wrong, and nothing more was done. The "
                         "details are in the app's log file ({log_dir}).")


class Worker(QThread):
    """Runs `job` off the GUI thread; cancel with `requestInterruption()`."""

    reported = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    authorization_lost = Signal()  # Xero refused the grant: the app must reconnect

    def __init__(self, job: Job, log_dir: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job = job
        self._log_dir = log_dir

    def run(self) -> None:
        try:
            result = self._job(self.reported.emit, self.isInterruptionRequested)
        except UserError as exc:
            log.info("background job ended: %s", exc.message)
            if isinstance(exc, (AuthorizationError, NotConnectedError)):
                self.authorization_lost.emit()
            self.failed.emit(exc.message)
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

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self, job: Job, on_success: Callable[[object], None],
              on_failure: Callable[[str], None],
              on_report: Callable[[object], None] | None = None) -> None:
        if self._worker is not None:
            raise RuntimeError("a job is already running")
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
        """Cancel and wait for every thread, including one just delivering its outcome."""
        for worker in list(self._threads):
            worker.requestInterruption()
            worker.wait()

    def _deliver(self, worker: Worker, handler: Callable[[T], None], value: T) -> None:
        if self._worker is worker:
            self._worker = None
            self.busy_changed.emit(False)
        handler(value)
