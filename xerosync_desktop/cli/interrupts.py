"""Ctrl+C and SIGTERM during a sync: stop after the call in flight, keep everything done.

Public API: StopOnSignals.

The first signal only raises a flag that the runner reads between batches (`should_stop`),
so the batch Xero is answering is recorded before the run ends as cancelled. A second
Ctrl+C (or SIGTERM) raises KeyboardInterrupt: the user wants out at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType, TracebackType
from typing import Any

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_NOTICE = (b"\nxerosync: stopping after the current call to Xero; what was done is kept. "
           b"Press Ctrl+C again to quit at once.\n")


class StopOnSignals:
    """While entered, SIGINT and SIGTERM ask the job to stop; the instance is `should_stop`."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._previous: dict[int, Any] = {}

    def __call__(self) -> bool:
        return self._stop.is_set()

    def __enter__(self) -> StopOnSignals:
        if threading.current_thread() is threading.main_thread():
            for number in _SIGNALS:
                self._previous[number] = signal.signal(number, self._on_signal)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._stop.is_set():
            raise KeyboardInterrupt
        self._stop.set()
        try:  # a raw write: the main thread may be inside a buffered write to stderr
            os.write(sys.stderr.fileno(), _NOTICE)
        except (OSError, ValueError, AttributeError):
            pass
