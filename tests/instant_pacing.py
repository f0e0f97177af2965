"""Xero pacing for tests whose back-off waits must pass at once.

Public API: instant_pacing().
"""

from __future__ import annotations

from xerosync_desktop.xero.pacing import Pacing


class _Instant:
    """Pacing's clock and sleep: the clock moves only by what is slept, at once."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def instant_pacing() -> Pacing:
    """A Pacing whose waits (retries, back-off) cost no time."""
    instant = _Instant()
    return Pacing(clock=instant.clock, sleep=instant.sleep)
