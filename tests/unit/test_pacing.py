"""Pacing on Xero's limit headers, back-off and waits, on a hand-driven clock."""

from __future__ import annotations

import random

import pytest

from xerosync_desktop.errors import CancelledError
from xerosync_desktop.xero.pacing import BACKOFF_CAP, Pacing


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def calls(pacing: Pacing, tenant: str, count: int, remaining_after: list[int]) -> None:
    for left in remaining_after[:count]:
        with pacing.call(tenant):
            pass
        pacing.observe(tenant, {"X-MinLimit-Remaining": str(left)})


def test_no_wait_while_xero_says_calls_are_left() -> None:
    clock = Clock()
    pacing = Pacing(clock=clock, sleep=clock.sleep)
    calls(pacing, "t", 3, [59, 58, 57])
    assert pacing.delay("t") == 0


def test_the_minutes_last_call_waits_until_the_oldest_leaves_xeros_window() -> None:
    clock = Clock()
    pacing = Pacing(clock=clock, sleep=clock.sleep, margin=1.0)
    with pacing.call("t"):
        pass
    pacing.observe("t", {"X-MinLimit-Remaining": "1"})
    clock.now += 10
    calls(pacing, "t", 1, [0])
    assert pacing.delay("t") == pytest.approx(51.0)  # first call at 1000, +60 +1, now 1010
    assert pacing.delay("T") == pytest.approx(51.0)  # tenant ids are case-insensitive
    assert pacing.delay("other") == 0


def test_used_up_by_someone_else_waits_a_minute_from_xeros_answer_then_forgets_it() -> None:
    clock = Clock()
    pacing = Pacing(clock=clock, sleep=clock.sleep, margin=1.0)
    pacing.observe("t", {"X-MinLimit-Remaining": "0"})
    assert pacing.delay("t") == pytest.approx(61.0)
    clock.now += 62
    assert pacing.delay("t") == 0  # that answer is older than Xero's window


def test_after_retry_after_xeros_word_replaces_its_last_headers() -> None:
    clock = Clock()
    pacing = Pacing(clock=clock, sleep=clock.sleep)
    calls(pacing, "t", 1, [0])
    pacing.waited_out("t")
    assert pacing.delay("t") == 0


def test_backoff_is_capped_exponential_with_jitter() -> None:
    pacing = Pacing(rng=random.Random(7))
    for attempt in range(1, 12):
        ceiling = min(BACKOFF_CAP, 2 ** (attempt - 1))
        delays = [pacing.backoff(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1


def test_a_wait_ticks_each_second_and_stops_when_cancelled() -> None:
    clock = Clock()
    pacing = Pacing(clock=clock, sleep=clock.sleep)
    ticks: list[tuple[float, float, str]] = []
    pacing.wait(2.5, "why", lambda left, total, reason: ticks.append((left, total, reason))
                or True)
    assert ticks == [(3, 3, "why"), (2, 3, "why"), (1, 3, "why"), (0, 3, "why")]
    assert clock.slept == [1.0, 1.0, 0.5]

    with pytest.raises(CancelledError):
        pacing.wait(30, "why", lambda left, total, reason: left > 28)
    assert sum(clock.slept) == pytest.approx(2.5 + 2)
