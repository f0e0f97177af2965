"""How one sandbox behaves: address, seed data, persistence, limits, lifetimes, clock, faults.

Public API: SandboxOptions, LOOPBACK_HOSTS, is_loopback_host().
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .apps import AppRegistration
from .faults import Fault

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


def is_loopback_host(host: str) -> bool:
    """True for the addresses the sandbox may listen on: it never faces a network."""
    return host.lower() in LOOPBACK_HOSTS


@dataclass(frozen=True)
class SandboxOptions:
    """Settings of one sandbox; every time-based rule reads `clock` (seconds since the epoch).

    `state_file`: when it exists its organisations, contacts and grants are loaded and `data`
    is not seeded; every change is written back. Limits are per organisation (minute, day,
    concurrent) and per client_id (app_minute_limit). Lifetimes are in seconds.
    `max_page_size` caps a page below what `pageSize` asks, as a Xero with a lower cap
    would; `ignore_page` plays a broken one that serves page 1 whatever `page` asks, with no
    pagination. `archived_name_blocks_create`: whether an archived namesake also blocks a new
    contact's name (unverified at Xero; off by default). `faults` are injected from the start (see
    faults.py), rate draws seeded by `seed`. `apps`: the Xero apps registered (see apps.py);
    none means every client id, loopback redirect URI and scope is accepted. `test_endpoints`
    serves `/__sandbox/...` (call counts, faults, fault log, clock); a `clock.VirtualClock`
    moves only when advanced.
    """

    host: str = "127.0.0.1"
    port: int = 0
    data: str = "demo"  # "demo" (two seeded organisations) or "empty" (one empty organisation)
    state_file: Path | None = None
    minute_limit: int = 60
    day_limit: int = 5000
    app_minute_limit: int = 10000
    concurrent_limit: int = 5
    token_lifetime: int = 1800
    refresh_grace: int = 1800
    refresh_lifetime: int = 60 * 24 * 3600  # an unused refresh token expires after 60 days
    idempotency_window: float = 360
    archived_name_blocks_create: bool = False
    latency: float = 0.0  # seconds each Accounting call takes, to make concurrency visible
    max_page_size: int = 1000  # contacts a page at most, whatever pageSize asks (Xero: 1,000)
    ignore_page: bool = False  # a broken Xero: page 1 whatever `page` asks, no pagination
    clock: Callable[[], float] = field(default=time.time, compare=False)
    faults: tuple[Fault, ...] = ()
    seed: int = 0
    test_endpoints: bool = False
    apps: tuple[AppRegistration, ...] = ()

    def __post_init__(self) -> None:
        if self.data not in ("demo", "empty"):
            raise ValueError(f"data must be 'demo' or 'empty', not {self.data!r}")
        if not is_loopback_host(self.host):
            raise ValueError(f"the sandbox only listens on a loopback address, not {self.host!r}")
        if self.max_page_size < 1:
            raise ValueError("max_page_size must be 1 or more")
        if not all(isinstance(f, Fault) for f in self.faults):
            raise ValueError("faults must be Fault objects (faults.parse_fault() reads text)")
        if not all(isinstance(a, AppRegistration) for a in self.apps):
            raise ValueError("apps must be AppRegistration objects (apps.parse_app() reads text)")
        if len({a.client_id for a in self.apps}) != len(self.apps):
            raise ValueError("each client id may be registered once")
