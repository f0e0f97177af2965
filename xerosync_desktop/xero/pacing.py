"""Staying inside Xero's limits: pace on the limit headers, wait visibly, back off.

Public API: Pacing, WaitListener, MAX_ATTEMPTS.

Xero allows an organisation 60 calls a minute, 5 at a time and 5,000 a day, and says on
every response how many are left. `Pacing` remembers, per organisation, when this process
made its calls and what Xero last said: when the minute's calls are used up, the next call
waits until the oldest of them leaves Xero's 60-second window, so a normal run never gets a
429. Every wait goes through `wait()`, which ticks a listener once a second (a countdown in
the log and the progress bar) and stops early when the listener says the user cancelled.
`clock` and `sleep` are injectable: the benchmark counts Xero's limits without sleeping.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..errors import CancelledError

# listener(seconds_left, seconds_total, reason) -> False to stop waiting (the user cancelled)
WaitListener = Callable[[float, float, str], bool]

MINUTE = 60.0
MAX_ATTEMPTS = 6  # a call and five retries after a 5xx or a dropped connection
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0


@dataclass
class _Tenant:
    """What one organisation's minute looks like from here."""

    slots: threading.BoundedSemaphore  # calls in flight, up to Xero's concurrent limit
    calls: deque[float] = field(default_factory=deque)  # when this process made its calls
    minute_left: int | None = None  # X-MinLimit-Remaining of the last answer
    observed_at: float = 0.0  # when that answer came


class Pacing:
    """Per-organisation pacing shared by every Xero client of one app; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, concurrent_limit: int = 5,
                 margin: float = 1.0, rng: random.Random | None = None) -> None:
        self.clock = clock
        self.sleep = sleep
        self._concurrent = concurrent_limit
        self._margin = margin
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._tenants: dict[str, _Tenant] = {}

    def _tenant(self, tenant_id: str) -> _Tenant:
        key = tenant_id.lower()
        if key not in self._tenants:
            self._tenants[key] = _Tenant(threading.BoundedSemaphore(self._concurrent))
        return self._tenants[key]

    def delay(self, tenant_id: str) -> float:
        """Seconds to wait before the next call so that Xero's minute limit is not hit."""
        with self._lock:
            pace = self._tenant(tenant_id)
            now = self.clock()
            while pace.calls and pace.calls[0] <= now - MINUTE - self._margin:
                pace.calls.popleft()
            stale = now - pace.observed_at > MINUTE + self._margin
            if pace.minute_left is None or pace.minute_left > 0 or stale:
                return 0.0
            # the next call goes when our oldest call leaves Xero's window, or, when others
            # used this minute's calls, when a minute has passed since Xero said so
            oldest = pace.calls[0] if pace.calls else pace.observed_at
            return max(0.0, oldest + MINUTE + self._margin - now)

    @contextmanager
    def call(self, tenant_id: str) -> Iterator[None]:
        """Around one call: at most `concurrent_limit` in flight, each one remembered."""
        with self._lock:
            pace = self._tenant(tenant_id)
        with pace.slots:
            with self._lock:
                pace.calls.append(self.clock())
                if pace.minute_left is not None:
                    pace.minute_left = max(0, pace.minute_left - 1)
            yield

    def observe(self, tenant_id: str, headers: Mapping[str, str] | None) -> None:
        """Read X-MinLimit-Remaining from an answer (the daily limit is met by its 429)."""
        if not headers:
            return
        with self._lock:
            pace = self._tenant(tenant_id)
            pace.minute_left = _int(headers.get("X-MinLimit-Remaining"), pace.minute_left)
            pace.observed_at = self.clock()

    def waited_out(self, tenant_id: str) -> None:
        """Xero's Retry-After has passed: its word replaces what its last headers said."""
        with self._lock:
            self._tenant(tenant_id).minute_left = None

    def backoff(self, attempt: int) -> float:
        """Capped exponential back-off with full jitter, for retry number `attempt` (1-based)."""
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def wait(self, seconds: float, reason: str, listener: WaitListener | None) -> None:
        """Wait `seconds`, ticking `listener` each second; CancelledError if it says stop."""
        total = max(0.0, seconds)
        end = self.clock() + total
        while (left := end - self.clock()) > 0:
            if listener is not None and not listener(math.ceil(left), math.ceil(total), reason):
                raise CancelledError()
            self.sleep(min(1.0, left))
        if listener is not None:
            listener(0, math.ceil(total), reason)


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
