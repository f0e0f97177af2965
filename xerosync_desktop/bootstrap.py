"""Composition root: builds the app's objects once and hands them out.

Public API: AppContext, build_context(), build_demo(), build_xero(), DEMO_CLIENT_ID.

Nothing else creates stores, Xero clients or sandboxes. Background jobs get their own
`Store` (sqlite3 connections belong to one thread) and their own `XeroClient` from here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .paths import AppPaths, resource_path
from .sandbox import SandboxOptions, XeroSandbox
from .store import Store, XeroApp
from .xero.auth import LoopbackReceiver
from .xero.client import Organisation, XeroClient
from .xero.disconnect import Disconnection, remove_organisation, sign_out
from .xero.endpoints import XeroEndpoints
from .xero.keyring_vault import KeyringTokenVault
from .xero.pacing import Pacing
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
    redirect_port: int = 0  # 0: any free port (a sandbox accepts any loopback address)
    xero_app: XeroApp = field(default_factory=XeroApp)  # the choice saved in Setup
    sign_in_timeout: float = 300  # seconds the browser sign-in may take
    sign_in_hint_delay: float = 20  # seconds before Setup says what to check if Xero erred
    pacing: Pacing = field(default_factory=Pacing)  # Xero's limits, shared by every job

    @property
    def is_demo(self) -> bool:
        return self.endpoints.is_demo

    @property
    def can_connect(self) -> bool:
        """A client id to sign in with: always for a sandbox, once entered for real Xero."""
        return bool(self.client_id)

    def loopback(self) -> LoopbackReceiver:
        """The one-shot receiver for a sign-in; real Xero wants the registered localhost URI."""
        return LoopbackReceiver(self.redirect_port,
                                redirect_host="127.0.0.1" if self.is_demo else "localhost")

    def sign_out(self) -> Disconnection:
        """Disconnect every organisation at Xero, revoke the grant, forget its tokens here.

        The tokens are forgotten whatever Xero answers; the sentence returned says what was
        done and how to check or finish it at xero.com. Mappings and settings are kept.
        """
        with self.open_xero() as xero:
            return sign_out(xero, self.endpoints, self.client_id, self.vault)

    def remove_organisation(self, organisation: Organisation,
                            connected: list[Organisation]) -> Disconnection:
        """Disconnect one organisation at Xero; with the last one, sign out as well."""
        with self.open_xero() as xero:
            return remove_organisation(xero, organisation, connected, self.endpoints,
                                       self.client_id, self.vault)

    def open_store(self) -> Store:
        """A new connection to the store, for the calling thread only."""
        return Store(self.paths.database, self.paths.lock_dir)

    def open_xero(self) -> XeroClient:
        """A new Xero client for one job; tokens are shared through the vault."""
        return XeroClient(self.endpoints, self.client_id, self.vault, self.pacing)

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None


def build_context(paths: AppPaths, demo: bool = False,
                  sandbox_url: str | None = None) -> AppContext:
    """The context the command line asks for, else the Xero connection saved in Setup."""
    paths.ensure()
    with Store(paths.database, paths.lock_dir) as store:
        xero_app = store.settings.xero_app()
    if demo or sandbox_url or xero_app.demo:
        return build_demo(paths, sandbox_url=sandbox_url, xero_app=xero_app)
    return build_xero(paths, xero_app)


def build_xero(paths: AppPaths, xero_app: XeroApp,
               endpoints: XeroEndpoints | None = None) -> AppContext:
    """Real Xero through the firm's own Xero app; its tokens in the OS keyring.

    `endpoints` is for tests, which play Xero with a sandbox at another address.
    """
    paths.ensure()
    return AppContext(paths=paths, endpoints=endpoints or XeroEndpoints.xero(),
                      client_id=xero_app.client_id,
                      vault=KeyringTokenVault(xero_app.client_id),
                      redirect_port=xero_app.redirect_port, xero_app=xero_app)


def build_demo(paths: AppPaths, sandbox_url: str | None = None,
               xero_app: XeroApp | None = None) -> AppContext:
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
                      sandbox=sandbox, xero_app=xero_app or XeroApp())
