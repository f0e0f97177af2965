"""A clock that only moves when told to, for counting Xero's limits without waiting.

Public API: VirtualClock.
"""

from __future__ import annotations

import math
import threading
import time


class VirtualClock:
    """Seconds since the epoch, starting at the real time and moved only by `advance()`,
    and by `per_call` seconds for each Accounting call (`call_made()`).

    Starting at the real time keeps the tokens it stamps valid for a client reading the real
    clock. Pass it as `SandboxOptions(clock=VirtualClock())`; thread-safe.
    """

    def __init__(self, start: float | None = None, per_call: float = 0.0) -> None:
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()
        self.per_call = per_call  # seconds each Accounting call takes (Xero's latency)

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by `seconds` (0 or more) and return the new time."""
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ValueError(f"The clock only moves forward, not by {seconds} seconds.")
        with self._lock:
            self._now += seconds
            return self._now

    def call_made(self) -> None:
        """An Accounting call arrived: it takes `per_call` seconds of this clock's time."""
        if self.per_call:
            self.advance(self.per_call)
