"""`xerosync status`: what is stored, without going to Xero.

Public API: show_status().

Which Xero the app talks to, whether a connection is stored, the organisation picked in
Setup (or `--org`, by tenant id or that organisation's name) with its settings, how many
mappings and add-as-new decisions it has, how its last run ended, and the password store
(keyring) a Xero connection is kept in. No sandbox is started and no call is made.
"""

from __future__ import annotations

import argparse

from ..bootstrap import build_xero
from ..paths import AppPaths
from ..store import Store
from ..store.runs import RunRecord
from ..xero.keyring_vault import keyring_description
from .connection import DEMO_CHOSEN_TEXT, EMBEDDED_DEMO_TEXT, NOT_CONNECTED_TEXT
from .console import Console
from .exit_codes import ExitCode, UsageError


def show_status(args: argparse.Namespace, paths: AppPaths, console: Console) -> ExitCode:
    """Print the status; exit 0 when connected (or on a sandbox), 3 when not connected."""
    code = ExitCode.OK
    with Store(paths.database) as store:
        xero_app = store.settings.xero_app()
        sandbox = bool(args.sandbox or args.demo or xero_app.demo)
        if args.sandbox:
            _line(console, "Xero", f"the Xero sandbox at {args.sandbox.rstrip('/')}")
            _line(console, "Connection", "signs in to the sandbox at each run")
        elif args.demo:
            _line(console, "Xero", EMBEDDED_DEMO_TEXT)
            _line(console, "Connection", "signs in to the demo at each run")
        elif xero_app.demo:
            _line(console, "Xero", EMBEDDED_DEMO_TEXT + ", as chosen in Setup")
            _line(console, "Connection", DEMO_CHOSEN_TEXT)
            code = ExitCode.NOT_CONNECTED
        else:
            ctx = build_xero(paths, xero_app)
            _line(console, "Xero", "Xero, through the Xero app with client id "
                                   f"{ctx.client_id or '(none set up)'}")
            connected = ctx.can_connect and ctx.vault.has_token()
            _line(console, "Connection", "stored in this computer's password store"
                  if connected else NOT_CONNECTED_TEXT)
            if ctx.vault.notice:
                console.message(ctx.vault.notice)
            if not connected:
                code = ExitCode.NOT_CONNECTED
        _organisation_lines(console, store, args.org, sandbox)
    _line(console, "Data folder", str(paths.data_dir))
    _line(console, "Log folder", str(paths.log_dir))
    _line(console, "Keyring", keyring_description())
    return code


def _organisation_lines(console: Console, store: Store, wanted: str | None,
                        sandbox: bool) -> None:
    picked = store.settings.sync_settings()
    tenant_id = picked.tenant_id
    if wanted:
        key = wanted.strip().casefold()
        if picked.tenant_id and key in (picked.tenant_id.casefold(),
                                         picked.tenant_name.strip().casefold()):
            tenant_id = picked.tenant_id
        elif _known(store, wanted.strip()):
            tenant_id = wanted.strip()
        else:
            raise UsageError(f"Nothing is stored for organisation '{wanted}'. Without going "
                             "to Xero, status knows an organisation by its tenant id, or by "
                             "the name of the one picked in Setup.")
    if not tenant_id:
        _line(console, "Organisation", "none picked in Setup yet")
        return
    settings = store.settings.sync_settings(tenant_id)
    last_run = store.runs.latest(tenant_id)
    name = settings.tenant_name or (last_run.tenant_name if last_run else "") or "(no name)"
    _line(console, "Organisation", f"{name} (tenant id {tenant_id})")
    _line(console, "Client file", settings.clients_file or "none picked in Setup")
    if settings.client_sync_enabled:
        enabled = "enabled"
    elif sandbox:
        enabled = "always on with a sandbox"
    else:
        enabled = "not enabled (tick Enable Client Sync in Setup and click Save)"
    _line(console, "Client sync", enabled)
    links = store.mappings.for_tenant(tenant_id)
    added = len(store.decisions.added_as_new(tenant_id) - links.keys())  # not added yet
    _line(console, "Mappings", f"{len(links)} stored"
          + (f"; {added} client{'s' if added != 1 else ''} to be added as new" if added else ""))
    _line(console, "Last run", _run_text(last_run))


def _known(store: Store, tenant_id: str) -> bool:
    """Whether the store holds anything for this tenant id: settings, mappings, decisions,
    runs or contacts read from it."""
    return bool(store.settings.get("tenant_name", tenant_id)
                or store.mappings.for_tenant(tenant_id)
                or store.decisions.added_as_new(tenant_id)
                or store.runs.latest(tenant_id)
                or store.mirror.read_mark_ms(tenant_id))


def _run_text(run: RunRecord | None) -> str:
    if run is None:
        return "none yet"
    when = run.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    text = (f"{when}, {run.outcome}: {run.created} created, {run.updated} updated, "
            f"{run.unchanged} unchanged, {run.skipped} skipped, {run.failed} failed")
    return f"{text}. {run.message}" if run.message else text + "."


def _line(console: Console, label: str, value: str) -> None:
    console.result(f"{label + ':':<14}{value}")
