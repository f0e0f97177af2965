"""Xero's API limits: per-organisation minute, day and concurrency limits, per-app minute limit.

Public API: RateLimiter, Admission, too_many_requests().

Sliding windows of call times (60 s and 24 h) per organisation and per app. A call refused with
429 is not counted; the rejection names the problem (`day`, `minute`, `appminute`,
`concurrent`) and the whole seconds until a slot frees.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict, deque
from dataclasses import dataclass

from .exchange import Response, json_response
from .options import SandboxOptions
from .shapes import problem as problem_body

MINUTE = 60.0
DAY = 86400.0


def too_many_requests(problem: str, retry_after: int | None) -> Response:
    """Xero's 429: the problem (`minute`, `day`, ...) and Retry-After, which Xero leaves out
    for the concurrent limit (None); limit headers added later."""
    response = json_response(429, problem_body(429, "Too Many Requests",
                                               f"Rate limit exceeded: {problem}"))
    response.headers["X-Rate-Limit-Problem"] = problem
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


@dataclass(frozen=True)
class Admission:
    """The verdict on one call: admitted, or refused with a problem and Retry-After."""

    admitted: bool
    headers: dict[str, str]
    problem: str = ""
    retry_after: int | None = 0  # None: no Retry-After (the concurrent limit)


class RateLimiter:
    """Counts calls per organisation and per app; thread-safe."""

    def __init__(self, options: SandboxOptions) -> None:
        self._options = options
        self._lock = threading.Lock()
        self._minute: defaultdict[str, deque[float]] = defaultdict(deque)
        self._day: defaultdict[str, deque[float]] = defaultdict(deque)
        self._app: defaultdict[str, deque[float]] = defaultdict(deque)
        self._in_flight: defaultdict[str, int] = defaultdict(int)

    @staticmethod
    def _prune(window: deque[float], span: float, now: float) -> deque[float]:
        while window and window[0] <= now - span:
            window.popleft()
        return window

    def _windows(self, tenant: str, app: str, now: float
                 ) -> tuple[deque[float], deque[float], deque[float]]:
        return (self._prune(self._day[tenant], DAY, now),
                self._prune(self._minute[tenant], MINUTE, now),
                self._prune(self._app[app], MINUTE, now))

    def _headers(self, day: deque[float], minute: deque[float], app: deque[float]
                 ) -> dict[str, str]:
        options = self._options
        return {
            "X-DayLimit-Remaining": str(max(0, options.day_limit - len(day))),
            "X-MinLimit-Remaining": str(max(0, options.minute_limit - len(minute))),
            "X-AppMinLimit-Remaining": str(max(0, options.app_minute_limit - len(app))),
        }

    def remaining(self, tenant: str, app: str) -> dict[str, str]:
        """The limit headers for a call that is not counted (refused before the limits)."""
        with self._lock:
            return self._headers(*self._windows(tenant, app, self._options.clock()))

    def admit(self, tenant: str, app: str) -> Admission:
        """Count a call if every limit allows it; the caller must `release()` an admitted one."""
        options = self._options
        with self._lock:
            now = options.clock()
            day, minute, app_window = self._windows(tenant, app, now)
            checks = ((day, options.day_limit, DAY, "day"),
                      (minute, options.minute_limit, MINUTE, "minute"),
                      (app_window, options.app_minute_limit, MINUTE, "appminute"))
            for window, limit, span, problem in checks:
                if len(window) >= limit:
                    oldest = window[-limit] if limit > 0 else now
                    wait = max(1, math.ceil(oldest + span - now))
                    return Admission(False, self._headers(day, minute, app_window), problem, wait)
            if self._in_flight[tenant] >= options.concurrent_limit:
                return Admission(False, self._headers(day, minute, app_window), "concurrent",
                                 None)
            for window in (day, minute, app_window):
                window.append(now)
            self._in_flight[tenant] += 1
            return Admission(True, self._headers(day, minute, app_window))

    def release(self, tenant: str) -> None:
        """An admitted call has finished."""
        with self._lock:
            self._in_flight[tenant] = max(0, self._in_flight[tenant] - 1)
