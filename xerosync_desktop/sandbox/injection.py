"""Applying faults to Accounting calls: which ones a call gets, what they do, the fault log.

Public API: FaultInjector, FaultPlan, AppliedFault, FaultListener.

The router asks `FaultInjector.plan(call, tenant, method)` once per call and then applies the
plan in stages: `refusal()` before auth and limits (401, 429), `before_handler()` after
admission (latency, hold before, 500/503), `after_handler()` once the call is committed (hold
after, reorder, drop). Of several faults of one kind selecting a call, the first applies.

A rate draw is a pure function of (seed, organisation, call number, fault), so the same seed
faults the same call numbers whatever the order in which threads run. Every fault applied is
logged and passed to the listeners at once (a hold when it starts), before anything is sent.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import identity
from .exchange import Response, json_bytes, json_response
from .faults import Fault
from .limits import too_many_requests
from .shapes import problem

log = logging.getLogger(__name__)

_SERVER_ERRORS = {
    "500": ("Internal Server Error", "An unexpected error occurred in Xero."),
    "503": ("Service Unavailable", "The Xero API is temporarily unavailable."),
}


@dataclass(frozen=True)
class AppliedFault:
    """One fault applied: to which call (number per organisation), organisation and method."""

    call: int
    tenant: str
    method: str
    kind: str

    @property
    def line(self) -> str:
        """`fault KIND call=N tenant=TENANT method=METHOD`, as the command line prints it."""
        return f"fault {self.kind} call={self.call} tenant={self.tenant} method={self.method}"

    def as_json(self) -> dict[str, Any]:
        """The log entry as the fault-log endpoint answers it."""
        return {"call": self.call, "tenant": self.tenant, "method": self.method,
                "kind": self.kind}


FaultListener = Callable[[AppliedFault], None]


class FaultInjector:
    """The faults in force, replaceable at runtime, with their log; thread-safe."""

    def __init__(self, faults: Iterable[Fault] = (), seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._faults = tuple(faults)
        self._seed = seed
        self._log: list[AppliedFault] = []
        self._listeners: list[FaultListener] = []
        self._release = threading.Event()
        self._stopped = threading.Event()

    def faults(self) -> tuple[Fault, ...]:
        """The faults in force, in the order they were given."""
        with self._lock:
            return self._faults

    def replace(self, faults: Iterable[Fault]) -> None:
        """Put these faults in force instead of the current ones (the log is kept)."""
        with self._lock:
            self._faults = tuple(faults)

    def add(self, faults: Iterable[Fault]) -> None:
        """Add faults after the ones in force."""
        with self._lock:
            self._faults += tuple(faults)

    def log(self) -> list[AppliedFault]:
        """Every fault applied so far, oldest first."""
        with self._lock:
            return list(self._log)

    def listen(self, listener: FaultListener) -> None:
        """Call `listener(applied)` from the request's thread each time a fault applies."""
        with self._lock:
            self._listeners.append(listener)

    def release_holds(self) -> None:
        """End every hold in progress now (holds started later wait as usual)."""
        with self._lock:
            released, self._release = self._release, threading.Event()
        released.set()

    def stop(self) -> None:
        """The sandbox is stopping: end holds and latency now, and skip them until start()."""
        self._stopped.set()
        self.release_holds()

    def start(self) -> None:
        """The sandbox serves (again): holds and latency wait as usual."""
        self._stopped.clear()

    def plan(self, call: int, tenant: str, method: str) -> FaultPlan:
        """The faults that select this call (none for a call naming no organisation)."""
        chosen: tuple[Fault, ...] = ()
        if call > 0:
            chosen = tuple(f for f in self.faults()
                           if f.selects(tenant, method) and self._hits(f, call, tenant))
        return FaultPlan(self, call, tenant, method, chosen)

    def _hits(self, fault: Fault, call: int, tenant: str) -> bool:
        if fault.calls:
            return call in fault.calls
        return random.Random(f"{self._seed}:{tenant}:{call}:{fault.spec}").random() < fault.rate

    def record(self, applied: AppliedFault) -> None:
        """Log a fault applied and tell the listeners (a failing listener is logged, skipped)."""
        with self._lock:
            self._log.append(applied)
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(applied)
            except Exception:
                log.exception("fault listener failed")

    def wait(self, seconds: float, hold: bool) -> None:
        """Wait in real time; a hold also ends on release_holds(), both end on stop()."""
        if self._stopped.is_set():
            return
        with self._lock:
            event = self._release if hold else self._stopped
        event.wait(seconds)


@dataclass(frozen=True)
class FaultPlan:
    """The faults selecting one call, applied stage by stage by the router."""

    injector: FaultInjector
    call: int
    tenant: str
    method: str
    faults: tuple[Fault, ...]

    def _take(self, kinds: tuple[str, ...], when: str = "after") -> Fault | None:
        for fault in self.faults:
            if fault.kind in kinds and fault.when == when:
                self.injector.record(AppliedFault(self.call, self.tenant, self.method,
                                                  fault.kind))
                return fault
        return None

    def refusal(self) -> Response | None:
        """A 401 or 429 fault's answer, given before auth and limits; None when there is none."""
        fault = self._take(("401", "429-minute", "429-day", "429-concurrent", "429-other"))
        if fault is None:
            return None
        if fault.kind == "401":
            return identity.unauthorized()
        problem_name = fault.kind.removeprefix("429-")
        response = too_many_requests(problem_name, fault.retry_after)
        spent = {"minute": "X-MinLimit-Remaining", "day": "X-DayLimit-Remaining"}
        if problem_name in spent:  # the others leave the limiter's real counts to be added
            response.headers[spent[problem_name]] = "0"
        return response

    def before_handler(self) -> Response | None:
        """Latency and a hold before, then a 500/503 answer (None: go on to the handler)."""
        latency = self._take(("latency",))
        if latency is not None:
            self.injector.wait(latency.seconds or 0.0, hold=False)
        hold = self._take(("hold",), when="before")
        if hold is not None:
            self.injector.wait(hold.seconds or 0.0, hold=True)
        failure = self._take(("500", "503"))
        if failure is None:
            return None
        title, detail = _SERVER_ERRORS[failure.kind]
        return json_response(int(failure.kind), problem(int(failure.kind), title, detail))

    def after_handler(self, response: Response) -> None:
        """A hold after the commit, a write's contacts answered in reverse order, then a
        drop (the answer is never sent)."""
        hold = self._take(("hold",))
        if hold is not None:
            self.injector.wait(hold.seconds or 0.0, hold=True)
        if self.method in ("PUT", "POST") and response.status == 200 \
                and self._take(("reorder",)) is not None:
            body = json.loads(response.body)
            body["Contacts"] = body.get("Contacts", [])[::-1]
            response.body = json_bytes(body)
        if self._take(("drop",)) is not None:
            response.drop = True
