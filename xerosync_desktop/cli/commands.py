"""The jobs behind `xerosync review`, `confirm` and `sync`: the GUI's jobs, printed.

Public API: review(), confirm(), sync(), dry_run(), check_output().

Each takes the organisation's settings, an open Xero client and store, and the console;
each returns its exit status.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from pathlib import Path

from ..core.model import ReviewRow, Status
from ..core.planner import Action, PlannedItem
from ..errors import UserError
from ..excel.export import write_log, write_review
from ..excel.output_path import (
    LOG_TITLE,
    REVIEW_TITLE,
    checked_output,
    default_name,
    unused_path,
)
from ..store import Store, SyncSettings
from ..sync.events import RunSummary
from ..sync.preview import change_lines, preview_sync
from ..sync.review import Review, confirm_mappings, load_review
from ..sync.runner import sync_clients
from ..xero.client import XeroClient
from .connection import require_client_sync
from .console import Console
from .decisions import HOW_TO_DECIDE, print_possible_matches, waiting_text
from .exit_codes import ExitCode, UsageError, code_for_summary
from .interrupts import StopOnSignals

log = logging.getLogger(__name__)

_DRY_RUN_LABELS = {Action.CREATE: "Create", Action.UPDATE: "Update", Action.SKIP: "Skip",
                   Action.FAIL: "Fail", Action.UNCHANGED: "Same"}


def check_output(path: Path | None, option: str, clients_file: Path | str | None,
                 store_file: Path) -> Path | None:
    """The workbook path to write (`.xlsx` added), refused at once, before any work, when
    its folder does not exist or it is the client file or the app's store. An existing
    folder is kept as it is: the workbook is written there under its default name."""
    if path is None:
        return None
    if path.is_dir():
        return path
    if not path.resolve().parent.is_dir():
        raise UsageError(f"The folder of {path} does not exist; give {option} a path in an "
                         "existing folder.")
    return checked_output(path, clients_file, store_file)


def review(settings: SyncSettings, xero: XeroClient, store: Store, console: Console,
           out: Path) -> ExitCode:
    """Write the mapping review workbook; print how many rows have each status."""
    loaded = load_review(settings, xero, store, console.report)
    if out.is_dir():
        out = unused_path(out, default_name(REVIEW_TITLE, settings.tenant_name, datetime.now()))
    write_review(out, loaded.rows)
    console.result(f"Review of {settings.tenant_name}: {loaded.file_summary}; "
                   f"{len(loaded.contacts)} Xero contacts. Written to {out}.")
    _print_statuses(console, loaded.rows)
    _print_attention(console, loaded)
    print_possible_matches(console, loaded)
    return ExitCode.OK


def confirm(settings: SyncSettings, xero: XeroClient, store: Store,
            console: Console) -> ExitCode:
    """Store the link of every Matched client, as Confirm Mappings does."""
    loaded = load_review(settings, xero, store, console.report)
    matched = sum(row.status is Status.MATCHED for row in loaded.rows)
    confirmed = confirm_mappings(loaded, store)
    mapped = sum(row.status is Status.MAPPED for row in confirmed.rows)
    if matched:
        console.result(f"Confirmed {matched} mappings in {settings.tenant_name}; {mapped} "
                       "clients are now Mapped.")
    else:
        console.result(f"Nothing to confirm in {settings.tenant_name}: no client is Matched; "
                       f"{mapped} clients are Mapped.")
    _print_statuses(console, confirmed.rows)
    return ExitCode.OK


def dry_run(settings: SyncSettings, xero: XeroClient, store: Store,
            console: Console) -> ExitCode:
    """Print what a sync would do, client by client (an update with the fields it changes),
    then the counts; only reads Xero. The plan is the one a sync runs (`preview_sync`)."""
    require_client_sync(settings)
    loaded = load_review(settings, xero, store, console.report)
    preview = preview_sync(loaded, store)
    items = sorted((*preview.sent, *preview.plan.settled),
                   key=lambda item: item.client.source_row or 0)
    width = max((len(item.client.client_id) for item in items), default=0)
    for item in items:
        _print_planned(console, item, width)
    _print_attention(console, loaded)
    print_possible_matches(console, loaded)
    c = preview.counts
    why = ", ".join(part for part in (
        f"{c['attention']} need attention" if c["attention"] else "",
        f"{c['waiting']} waiting for a decision" if c["waiting"] else "") if part)
    console.result(f"Dry run for {settings.tenant_name}: {c['add']} to create, "
                   f"{c['update']} to update, {c['unchanged']} unchanged, "
                   f"{c['skipped']} to skip{f' ({why})' if why else ''}, "
                   f"{c['fail']} would fail. Nothing was sent to Xero.")
    return ExitCode.OK


def _print_planned(console: Console, item: PlannedItem, width: int) -> None:
    """A dry run's line for one client; an update's field changes on indented lines."""
    line = f"{_DRY_RUN_LABELS[item.action]:<6}  {item.client.client_id:<{width}}  " \
           f"{item.client.name}"
    if item.draft is not None and item.draft.name != item.client.name:
        line += f" (as '{item.draft.name}')"
    if item.reason:
        line += f": {item.reason}"
    console.result(line)
    if item.action is Action.UPDATE:
        for text in change_lines(item):
            console.result(f"{'':<8}{text}")


def sync(settings: SyncSettings, xero: XeroClient, store: Store, console: Console,
         log_path: Path | None) -> ExitCode:
    """Run the sync; Ctrl+C or SIGTERM stops it after the call in flight.

    The log workbook is written however the run ends, once the store holds the run.
    """
    require_client_sync(settings)
    try:
        with StopOnSignals() as should_stop:
            summary = sync_clients(settings, xero, store, console.report, should_stop,
                                   holder="the xerosync command")
    except BaseException:
        if log_path is not None and console.run_id is not None:
            _write_log(store, console, console.run_id, log_path)
        raise
    written = None if log_path is None or console.run_id is None else \
        _write_log(store, console, console.run_id, log_path)
    _print_summary(console, summary)
    if written is not None:
        console.result(f"Log of the run written to {written}.")
    code = code_for_summary(summary)
    return code if log_path is None or written else max(code, ExitCode.INCOMPLETE)


def _write_log(store: Store, console: Console, run_id: int, path: Path) -> Path | None:
    """Save the run's log from the store, in a folder under its default name; the path
    written, or None (and said why) when it cannot be saved."""
    record = store.runs.get(run_id)
    if record is None:
        return None
    if path.is_dir():
        path = unused_path(path, default_name(LOG_TITLE, record.tenant_name, record.started_at))
    try:
        write_log(path, store.runs.entries(run_id), record)
    except UserError as exc:
        console.message(exc.message)
        return None
    return path


def _print_summary(console: Console, summary: RunSummary) -> None:
    console.result(summary.text)
    if summary.waiting:
        console.result(f"{waiting_text(summary.waiting)} waiting for a decision (listed above), so "
                       f"not added: decide each with {HOW_TO_DECIDE} (or in the app's "
                       "Mapping tab), then run xerosync sync again.")
    if summary.stopped_by == "day_limit":
        console.result("Xero's daily limit for this organisation is used up. Everything done "
                       "so far is kept: run xerosync sync again once the wait above is over.")
    elif summary.failed:
        console.result(f"{summary.failed} of the clients failed (listed above): correct them "
                       "in TimeSolv, then run xerosync sync again.")
    if summary.attention:
        console.result(f"{summary.attention} rows of the client file need attention (listed "
                       "above) and were not synced: correct them in TimeSolv, export the "
                       "client list again, then run xerosync sync again.")


def _print_attention(console: Console, loaded: Review) -> None:
    """The client file's rows that can't be synced, each with its row and reason."""
    if not loaded.problems:
        return
    console.result(f"{len(loaded.problems)} rows of the client file need attention and will "
                   "not be synced until corrected:")
    for problem in loaded.problems:
        who = " ".join(part for part in (problem.client_id, problem.name[:60]) if part)
        console.result(f"  row {problem.source_row}: {who or '(empty)'}: {problem.reason}")


def _print_statuses(console: Console, rows: tuple[ReviewRow, ...]) -> None:
    counts = Counter(row.status for row in rows)
    for status in Status:
        if counts[status]:
            console.result(f"  {status.label}: {counts[status]}")
