"""Fixtures for Qt-free tests of the jobs: a sandbox with a hand-driven clock, a signed-in app."""

from __future__ import annotations

import csv
import re
import threading
import time
import unicodedata
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from xerosync_desktop.bootstrap import AppContext, build_demo
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox
from xerosync_desktop.store import SyncSettings
from xerosync_desktop.sync.events import RunSummary
from xerosync_desktop.sync.runner import sync_clients
from xerosync_desktop.xero.auth import LoopbackReceiver, finish_authorization, start_authorization
from xerosync_desktop.xero.pacing import Pacing

US = "Demo Company (US)"
US_TENANT = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"  # fixed by the sandbox's demo data


class Clock:
    """Time for the sandbox's limits and token lifetimes, moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Demo:
    """A signed-in app context against its own sandbox."""

    ctx: AppContext
    sandbox: XeroSandbox
    clock: Clock
    tenant_id: str
    tenant_name: str = US

    def settings(self, clients_file: Path | str) -> SyncSettings:
        return SyncSettings(self.tenant_id, self.tenant_name, str(clients_file), True)


def demo_context(paths: AppPaths, sandbox: XeroSandbox, clock: Clock) -> AppContext:
    """The app on this sandbox; its waits for Xero's limits move the test's clock instead."""
    ctx = build_demo(paths, sandbox_url=sandbox.url)
    ctx.pacing = Pacing(clock=clock, sleep=clock.advance)
    return ctx


def sign_in(ctx: AppContext) -> None:
    """The loopback PKCE flow, with the browser played by a thread following the redirect."""
    receiver = LoopbackReceiver()
    request = start_authorization(ctx.endpoints, ctx.client_id, receiver)
    threading.Thread(target=lambda: urllib.request.urlopen(request.url, timeout=10).read(),
                     daemon=True).start()
    ctx.vault.save(finish_authorization(request, receiver, ctx.endpoints, ctx.client_id,
                                        should_stop=lambda: False, timeout=10))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox_options(clock: Clock) -> SandboxOptions:
    return SandboxOptions(port=0, data="demo", clock=clock)


@pytest.fixture
def demo(paths: AppPaths, sandbox_options: SandboxOptions, clock: Clock) -> Iterator[Demo]:
    with XeroSandbox(sandbox_options) as sandbox:
        ctx = demo_context(paths, sandbox, clock)
        sign_in(ctx)
        yield Demo(ctx, sandbox, clock, US_TENANT)
        ctx.close()


def write_clients(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A TimeSolv client export with Client ID, Client Name and Status."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [("Client ID", "Client Name", "Status"), *rows])
    return path


def xero_key(name: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", bare).strip().casefold()


def run(demo: Demo, clients: Path) -> tuple[RunSummary, list[object]]:
    events: list[object] = []
    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        summary = sync_clients(demo.settings(clients), xero, store, events.append,
                               lambda: False)
    return summary, events


def stored_links(demo: Demo) -> dict[str, str]:
    with demo.ctx.open_store() as store:
        return store.mappings.for_tenant(demo.tenant_id)


def assert_xero_consistent(demo: Demo) -> list[dict]:
    contacts = demo.sandbox.contacts(demo.tenant_id)
    active = [c for c in contacts if c["ContactStatus"] == "ACTIVE"]
    assert len({xero_key(c["Name"]) for c in active}) == len(active), "a name twice in Xero"
    numbers = [c["ContactNumber"] for c in contacts if c.get("ContactNumber")]
    assert len(numbers) == len(set(numbers)), "a ContactNumber twice in Xero"
    return contacts
