"""Reaching Xero from the command line: sign-in, the organisation, its sync settings.

Public API: EMBEDDED_DEMO_TEXT, NOT_CONNECTED_TEXT, DEMO_CHOSEN_TEXT, describe_xero(), connect(),
pick_organisation(), job_settings(), require_client_sync().

A sandbox (`--demo`, `--sandbox`) keeps tokens in memory, so each run signs in to it again;
its demo login approves at once. Real Xero needs the connection made in the app's Setup,
whose tokens are in the keyring: a command line cannot ask a person to sign in.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..bootstrap import AppContext
from ..errors import NotConnectedError, SettingsError
from ..store import Store, SyncSettings
from ..xero.auth import sign_in_without_browser
from ..xero.client import Organisation, XeroClient
from .console import Console
from .exit_codes import UsageError

EMBEDDED_DEMO_TEXT = "the embedded demo Xero (a local sandbox kept in the data folder)"
NOT_CONNECTED_TEXT = ("Not connected to Xero: open xerosync-desktop, Setup, Connect to Xero "
                      "first.")
DEMO_CHOSEN_TEXT = ("Not connected to Xero: the app is set to the demo Xero, whose sign-in is "
                    "not kept. Pass --demo to use the demo, or choose My Xero organisation in "
                    "the app's Setup and connect.")


def describe_xero(ctx: AppContext) -> str:
    """Which Xero a context talks to, in a few words."""
    if ctx.sandbox is not None:
        return EMBEDDED_DEMO_TEXT
    if ctx.is_demo:
        return f"the Xero sandbox at {ctx.endpoints.identity_base}"
    return f"Xero, through the Xero app with client id {ctx.client_id or '(none set up)'}"


def connect(ctx: AppContext, xero: XeroClient, console: Console) -> list[Organisation]:
    """Sign in to a sandbox, or check that real Xero's connection is stored; its orgs."""
    if ctx.is_demo:
        console.progress.note(f"Signing in to {describe_xero(ctx)}…")
        ctx.vault.save(sign_in_without_browser(ctx.endpoints, ctx.client_id))
    else:
        connected = ctx.can_connect and ctx.vault.has_token()
        if ctx.vault.notice:
            console.message(ctx.vault.notice)
        if not connected:
            raise NotConnectedError(NOT_CONNECTED_TEXT)
    console.progress.note("Listing your Xero organisations…")
    organisations = xero.connections()
    if not organisations:
        raise NotConnectedError("The Xero connection covers no organisation: open "
                                "xerosync-desktop, Setup, Connect to Xero and pick one.")
    return organisations


def pick_organisation(organisations: list[Organisation], wanted: str | None,
                      saved_tenant_id: str) -> Organisation:
    """The organisation `--org` names (name or tenant id, any case), else the one picked
    in Setup if the connection still covers it, else the only one."""
    names = ", ".join(o.name for o in organisations)
    if wanted:
        key = wanted.strip().casefold()
        by_id = [o for o in organisations if o.tenant_id.casefold() == key]
        if by_id:
            return by_id[0]
        by_name = [o for o in organisations if o.name.strip().casefold() == key]
        if len(by_name) == 1:
            return by_name[0]
        if by_name:
            ids = ", ".join(o.tenant_id for o in by_name)
            raise UsageError(f"{len(by_name)} organisations are named '{wanted}': give the "
                             f"tenant id of one with --org ({ids}).")
        raise UsageError(f"No organisation '{wanted}' is connected to xerosync; the "
                         f"connection covers: {names}. Give one of these with --org.")
    for organisation in organisations:
        if saved_tenant_id and organisation.tenant_id == saved_tenant_id:
            return organisation
    if len(organisations) == 1:
        return organisations[0]
    raise UsageError(f"The connection covers {len(organisations)} organisations ({names}): "
                     "pick one with --org NAME.")


def job_settings(store: Store, ctx: AppContext, organisation: Organisation,
                 clients: Path | None) -> SyncSettings:
    """What the job runs with: the organisation's saved setup, `--clients` overriding its
    file. A sandbox counts as enabled and falls back to the sample clients."""
    saved = store.settings.sync_settings(organisation.tenant_id)
    if clients is not None:
        if not clients.is_file():
            raise UsageError(f"The client file {clients} does not exist. Check the path "
                             "given with --clients.")
        clients_file = str(clients.resolve())
    elif saved.clients_file:
        clients_file = saved.clients_file
    elif ctx.is_demo and ctx.sample_clients is not None:
        clients_file = str(ctx.sample_clients)
    else:
        raise UsageError(f"No client file for {organisation.name}: give the TimeSolv client "
                         "export with --clients FILE, or pick it in the app's Setup.")
    return replace(saved, tenant_name=organisation.name, clients_file=clients_file,
                   client_sync_enabled=saved.client_sync_enabled or ctx.is_demo)


def require_client_sync(settings: SyncSettings) -> None:
    """Sync (dry runs too) only for an organisation whose Enable Client Sync is saved."""
    if not settings.client_sync_enabled:
        raise SettingsError(f"Client sync is not enabled for {settings.tenant_name}: open "
                            "xerosync-desktop, Setup, tick Enable Client Sync and click Save, "
                            "then run xerosync sync again.")
