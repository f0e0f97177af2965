"""Sync runner: applies a SyncPlan through the Xero client, records everything, reports.

Public API: sync_clients(), run_plan().

The thin I/O shell around the pure planner. Each batch's links and log entries are stored
in one transaction as soon as Xero answers, so a run stopped at any point loses nothing.
A contact Xero refuses is a logged outcome, never a failed run; a failure of the call itself
(limit reached, Xero unreachable, access refused) stops the run cleanly with the reason.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..core.planner import Action, PlannedItem, SyncPlan, plan_sync
from ..errors import (
    AuthorizationError,
    NotConnectedError,
    OrganisationAccessError,
    RateLimitError,
    SettingsError,
    UserError,
)
from ..store import Store, SyncSettings
from ..xero.client import WriteResult, XeroClient
from .events import Level, LogEntry, Progress, RunStarted, RunSummary
from .review import Report, load_review

log = logging.getLogger(__name__)


def sync_clients(settings: SyncSettings, xero: XeroClient, store: Store, report: Report,
                 should_stop: Callable[[], bool]) -> RunSummary:
    """Re-read the client file and Xero, plan, and run: what Sync to Xero does."""
    if not settings.client_sync_enabled:
        raise SettingsError("Client sync is not enabled for this organisation. Tick Enable "
                            "Client Sync in Setup and click Save, then sync again.")
    review = load_review(settings, xero, store, report)
    return run_plan(plan_sync(review.rows), settings, xero, store, report, should_stop)


@dataclass
class _Run:
    """The counters and unsaved log entries of the run in progress."""

    run_id: int
    store: Store
    report: Report
    tenant_id: str
    counts: dict[Action, int] = field(default_factory=lambda: dict.fromkeys(Action, 0))
    pending: list[LogEntry] = field(default_factory=list)

    def entry(self, level: Level, action: str, message: str, item: PlannedItem | None = None,
              contact_id: str = "") -> None:
        entry = LogEntry(time=datetime.now(UTC), level=level, action=action, message=message,
                         client_id=item.client.client_id if item else "",
                         client_name=item.client.name if item else "", contact_id=contact_id)
        self.pending.append(entry)
        self.report(entry)

    def commit(self, links: dict[str, str] | None = None) -> None:
        """Store the links Xero confirmed and the log so far, together."""
        with self.store.transaction():
            if links:
                self.store.mappings.save(self.tenant_id, links, source="synced")
            self.store.runs.add_entries(self.run_id, self.pending)
        self.pending.clear()


def run_plan(plan: SyncPlan, settings: SyncSettings, xero: XeroClient, store: Store,
             report: Report, should_stop: Callable[[], bool]) -> RunSummary:
    """Send the plan's batches (updates, then creates) and settle the rest."""
    started = datetime.now(UTC)
    run_key = uuid.uuid4().hex
    run = _Run(store.runs.start(settings.tenant_id, settings.tenant_name, settings.clients_file,
                                started), store, report, settings.tenant_id)
    report(RunStarted(run.run_id, started))
    total = plan.client_count
    creates = sum(len(b) for b in plan.creates)
    updates = sum(len(b) for b in plan.updates)
    run.entry(Level.INFO, "Started", f"Sync to {settings.tenant_name}: {total} clients "
              f"({updates} to update, {creates} to add, {len(plan.settled)} not sent).")
    done = 0
    outcome, message, stopped_by = "finished", "", ""
    try:
        for item in plan.settled:
            level = Level.WARNING if item.action is Action.SKIP else Level.ERROR
            run.entry(level, item.action.value, item.reason, item)
            run.counts[item.action] += 1
        done = len(plan.settled)
        report(Progress(done, total, f"{done} of {total} clients"))
        run.commit()
        for batch in plan.batches:
            if should_stop():
                outcome, message = "cancelled", "Cancelled by the user."
                break
            try:
                results = _send(xero, settings.tenant_id, batch, run_key)
            except UserError as exc:
                outcome, message, stopped_by = "stopped", exc.message, _stopped_by(exc)
                run.entry(Level.ERROR, "Stopped", exc.message)
                break
            run.commit(_record(run, batch, results))
            done += len(batch)
            report(Progress(done, total, f"{done} of {total} clients"))
    finally:
        if outcome == "finished" and done < total:  # an unexpected error escaped
            outcome, message = "stopped", "The sync stopped unexpectedly; see the app's log."
            stopped_by = "error"
        summary = RunSummary(
            run_id=run.run_id, tenant_name=settings.tenant_name,
            source_file=settings.clients_file, started_at=started,
            finished_at=datetime.now(UTC), outcome=outcome, stopped_by=stopped_by,
            created=run.counts[Action.CREATE], updated=run.counts[Action.UPDATE],
            skipped=run.counts[Action.SKIP], failed=run.counts[Action.FAIL], message=message)
        run.entry(Level.INFO if outcome == "finished" else Level.WARNING, "Summary",
                  summary.text)
        run.commit()
        with store.transaction():
            store.runs.finish(summary)
    log.info("sync run %s %s", run.run_id, outcome)
    return summary


def _stopped_by(exc: UserError) -> str:
    if isinstance(exc, RateLimitError):
        return "day_limit" if exc.problem == "day" else "minute_limit"
    if isinstance(exc, (AuthorizationError, NotConnectedError)):
        return "authorization"
    if isinstance(exc, OrganisationAccessError):
        return "organisation_access"
    return "error"


def _send(xero: XeroClient, tenant_id: str, batch: tuple[PlannedItem, ...],
          run_key: str) -> list[WriteResult]:
    drafts = [item.draft for item in batch if item.draft is not None]
    if batch[0].action is Action.UPDATE:
        return xero.update_contacts(tenant_id, drafts, run_key)
    return xero.create_contacts(tenant_id, drafts, run_key)


def _record(run: _Run, batch: tuple[PlannedItem, ...],
            results: list[WriteResult]) -> dict[str, str]:
    """Log each contact's outcome; the links of the ones Xero accepted."""
    links: dict[str, str] = {}
    for item, result in zip(batch, results, strict=True):
        assert item.draft is not None
        if result.ok:
            links[item.client.client_id] = result.contact_id
            run.counts[item.action] += 1
            if item.action is Action.CREATE:
                text, action = f"Added to Xero as '{item.draft.name}'.", "Created"
            else:
                text, action = f"Updated in Xero as '{item.draft.name}'.", "Updated"
            run.entry(Level.INFO, action, text, item, result.contact_id)
        else:
            run.counts[Action.FAIL] += 1
            run.entry(Level.ERROR, "Failed", "Xero refused it: " + " ".join(result.messages),
                      item, item.draft.contact_id)
    return links
