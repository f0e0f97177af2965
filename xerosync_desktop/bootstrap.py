"""Composition root: builds the app's objects once and hands them out.

Public API: AppContext, build_demo(), DEMO_CLIENT_ID.

Nothing else creates stores, Xero clients or sandboxes. Background jobs get their own
`Store` (sqlite3 connections belong to one thread) and their own `XeroClient` from here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .paths import AppPaths, resource_path
from .sandbox import SandboxOptions, XeroSandbox
from .store import Store
from .xero.client import XeroClient
from .xero.endpoints import XeroEndpoints
from .xero.tokens import MemoryTokenVault, TokenVault

log = logging.getLogger(__name__)

DEMO_CLIENT_ID = "xerosync-desktop-demo"


@dataclass
class AppContext:
    """Everything one app instance shares: folders, Xero endpoints, tokens, sample data."""

    paths: AppPaths
    endpoints: XeroEndpoints
    client_id: str
    vault: TokenVault
    sample_clients: Path | None = None
    sandbox: XeroSandbox | None = field(default=None, repr=False)

    @property
    def is_demo(self) -> bool:
        return self.endpoints.is_demo

    def open_store(self) -> Store:
        """A new connection to the store, for the calling thread only."""
        return Store(self.paths.database)

    def open_xero(self) -> XeroClient:
        """A new Xero client for one job; tokens are shared through the vault."""
        return XeroClient(self.endpoints, self.client_id, self.vault)

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None


def build_demo(paths: AppPaths, sandbox_url: str | None = None) -> AppContext:
    """The embedded default: a local Xero sandbox and the sample TimeSolv clients.

    Without `sandbox_url` the sandbox is started here and keeps its demo organisations in
    the data folder between sessions; with it, the app uses a sandbox already running.
    """
    paths.ensure()
    sandbox = None
    if sandbox_url is None:
        sandbox = XeroSandbox(SandboxOptions(data="demo", state_file=paths.demo_state)).start()
        sandbox_url = sandbox.url
        log.info("demo Xero sandbox listening on %s", sandbox_url)
    return AppContext(paths=paths, endpoints=XeroEndpoints.sandbox(sandbox_url),
                      client_id=DEMO_CLIENT_ID, vault=MemoryTokenVault(),
                      sample_clients=resource_path("sample", "timesolv_clients.csv"),
                      sandbox=sandbox)
