"""Sync runner: the I/O shell around the pure planner; what Sync to Xero does.

Public API: sync_clients(), run_plan(), CATCH_UP_AFTER, NEEDS_ATTENTION.

One run per organisation at a time (the store's run lock). A run reads what changed in Xero
into the mirror, settles the batches an earlier run sent without hearing back (write-ahead
intents, looked up by ContactNumber), follows contacts merged in Xero (settling.py), plans,
and sends only what changed since the last successful sync. Every batch's intent is stored
before the call; its links, fingerprints, mirror rows and log entries are stored in one
transaction as soon as Xero answers, so a run stopped at any point (cancel, limit, crash,
kill) loses nothing and creates nothing twice. An answer is trusted only when it fits what
was sent (core/answers.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from .. import __version__
from ..core.answers import Answer, answers_fit
from ..core.fingerprint import batch_key, fingerprint
from ..core.model import Contact, Status
from ..core.planner import Action, PlannedItem
from ..errors import (
    AuthorizationError,
    CancelledError,
    NotConnectedError,
    OrganisationAccessError,
    RateLimitError,
    SettingsError,
    UserError,
)
from ..long_lived import freeze_long_lived
from ..store import Store, SyncSettings
from ..xero.client import WriteResult, XeroClient
from .events import Level, Progress, RunStarted, RunSummary
from .preview import differences, plan_digest, plan_for
from .review import Report, Review, countdown, load_review, refresh_mirror
from .run_state import RunState
from .settling import follow_merges, reconcile, settle_by_lookup

log = logging.getLogger(__name__)

CATCH_UP_AFTER = 500  # contacts written: read them back now, so the next run reads little
NEEDS_ATTENTION = Status.NEEDS_ATTENTION.label  # the log's Action for a row set aside


def sync_clients(settings: SyncSettings, xero: XeroClient, store: Store, report: Report,
                 should_stop: Callable[[], bool], holder: str = "the xerosync app",
                 previewed: Mapping[str, tuple[str, str]] | None = None,
                 ) -> RunSummary:
    """Take the organisation's run lock, bring the mirror up to date, plan and run."""
    if not settings.client_sync_enabled:
        raise SettingsError("Client sync is not enabled for this organisation. Tick Enable "
                            "Client Sync in Setup and click Save, then sync again.")
    with store.run_lock(settings.tenant_id, settings.tenant_name, holder) as lock:
        with store.transaction():
            store.runs.close_interrupted(settings.tenant_id)
        xero.on_wait = countdown(report, should_stop)
        try:
            review = load_review(settings, xero, store, report, should_stop)
        except CancelledError:
            raise UserError("Sync cancelled while reading Xero; nothing was sent.") from None
        notes = []
        if lock.recovered is not None:
            notes.append(f"The previous sync, by {lock.recovered.describe()}, ended without "
                         "finishing; this run picks up where it stopped.")
        return run_plan(review, xero, store, report, should_stop, notes, previewed)


def run_plan(review: Review, xero: XeroClient, store: Store, report: Report,
             should_stop: Callable[[], bool], notes: Sequence[str] = (),
             previewed: Mapping[str, tuple[str, str]] | None = None) -> RunSummary:
    """Settle open intents, plan from the review, send the batches, settle the rest.

    `previewed` is the digest of the preview the user agreed to (preview.py): a client the
    plan now treats otherwise (Xero or the file changed in between) is said in the log.
    """
    settings = review.settings
    started = datetime.now(UTC)
    run_id = store.runs.start(settings.tenant_id, settings.tenant_name, settings.clients_file,
                              started, xero="demo" if xero.is_demo else "real",
                              app_version=__version__, client_file=review.client_file)
    run = RunState(run_id, store, report, settings.tenant_id,
                   read_mark=store.mirror.read_mark_ms(settings.tenant_id) or 0)
    report(RunStarted(run.run_id, started))
    xero.on_wait = countdown(report, should_stop,
                             lambda text: run.entry(Level.WARNING, "Waiting", text))
    for note in notes:
        run.entry(Level.WARNING, "Resumed", note)
    if reconcile(run, review):
        review = review.relinked(store.mappings.for_tenant(settings.tenant_id))
    follow_merges(run, review)
    plan = plan_for(review, store)
    freeze_long_lived()  # the plan lives until the run ends
    if previewed is not None:
        _say_differences(run, review, previewed, plan_digest(plan))
    total = plan.client_count
    creates = sum(len(b) for b in plan.creates)
    updates = sum(len(b) for b in plan.updates)
    attention = len(review.problems)
    total += attention
    run.entry(Level.INFO, "Started", f"Sync to {settings.tenant_name}: {total} clients "
              f"({updates} to update, {creates} to add, {len(plan.settled) + attention} not "
              f"sent{f', of which {attention} need attention' if attention else ''}).")
    done = 0
    outcome, message, stopped_by, resume_at = "finished", "", "", None
    try:
        for problem in review.problems:
            run.counts[Action.SKIP] += 1
            run.entry(Level.WARNING, NEEDS_ATTENTION,
                      f"Row {problem.source_row} of the client file: {problem.reason}",
                      client=(problem.client_id, problem.name))
        for item in plan.settled:
            _settled_entry(run, item)
        done = len(plan.settled) + attention
        report(Progress(done, total, f"{done} of {total} clients"))
        run.commit()
        freeze_long_lived()  # the entries of the clients settled without a call
        for batch in plan.batches:
            if should_stop():
                outcome, message = "cancelled", "Cancelled by the user."
                break
            try:
                _send(run, xero, batch)
            except CancelledError:
                outcome, message = "cancelled", "Cancelled by the user."
                break
            except UserError as exc:
                outcome, message, stopped_by = "stopped", exc.message, _stopped_by(exc)
                resume_at = exc.resume_at if isinstance(exc, RateLimitError) else None
                run.entry(Level.ERROR, "Stopped", exc.message)
                break
            done += len(batch)
            report(Progress(done, total, f"{done} of {total} clients"))
            freeze_long_lived()  # the batch's entries and answers: out of later walks
        if outcome == "finished" and run.written >= CATCH_UP_AFTER:
            _catch_up(run, xero)
    finally:
        if outcome == "finished" and done < total:  # an unexpected error escaped
            outcome, message = "stopped", "The sync stopped unexpectedly; see the app's log."
            stopped_by = "error"
        summary = RunSummary(
            run_id=run.run_id, tenant_name=settings.tenant_name,
            source_file=settings.clients_file, started_at=started,
            finished_at=datetime.now(UTC), outcome=outcome, stopped_by=stopped_by,
            created=run.counts[Action.CREATE], updated=run.counts[Action.UPDATE],
            unchanged=run.counts[Action.UNCHANGED], skipped=run.counts[Action.SKIP],
            failed=run.counts[Action.FAIL], message=message, resume_at=resume_at,
            attention=len(review.problems),
            waiting=sum(row.status is Status.POSSIBLE_MATCH for row in review.rows))
        run.entry(Level.INFO if outcome == "finished" else Level.WARNING, "Summary",
                  summary.text)
        run.commit()
        with store.transaction():
            store.runs.finish(summary)
    log.info("sync run %s %s", run.run_id, outcome)
    return summary


def _settled_entry(run: RunState, item: PlannedItem) -> None:
    """The log line of a client that needs no call."""
    run.counts[item.action] += 1
    if item.action is Action.UNCHANGED:
        assert item.draft is not None
        run.entry(Level.INFO, "Unchanged", item.reason, item, item.draft.contact_id)
    else:
        level = Level.WARNING if item.action is Action.SKIP else Level.ERROR
        run.entry(level, item.action.value, item.reason, item)


def _send(run: RunState, xero: XeroClient, batch: tuple[PlannedItem, ...]) -> None:
    """Write the batch's intent, send it, store the answer with the intent settled.

    An answer that does not fit what was sent (another order, another count) is not
    trusted: the batch is settled by looking its clients up in Xero instead.
    """
    drafts = [item.draft for item in batch if item.draft is not None]
    verb = "update" if batch[0].action is Action.UPDATE else "create"
    key = batch_key(run.tenant_id, verb, drafts, run.read_mark)
    with run.store.transaction():
        intent_id = run.store.intents.record(
            run.tenant_id, run.run_id, verb, key,
            [item.client.client_id for item in batch])
    if verb == "update":
        results = xero.update_contacts(run.tenant_id, drafts, key)
    else:
        results = xero.create_contacts(run.tenant_id, drafts, key)
    misfit = answers_fit(drafts, [Answer(r.contact_id, r.contact_number, r.name)
                                  for r in results])
    if misfit:
        settle_by_lookup(run, xero, batch, intent_id, misfit, results)
        return
    links, fingerprints, saved = _record(run, batch, results)
    run.written += len(saved)
    run.commit(links, fingerprints, saved, settle=[intent_id])


def _record(run: RunState, batch: tuple[PlannedItem, ...], results: list[WriteResult],
            ) -> tuple[dict[str, str], dict[str, str], list[Contact]]:
    """Log each contact's outcome; the links, fingerprints and contacts Xero saved."""
    links: dict[str, str] = {}
    fingerprints: dict[str, str] = {}
    saved: list[Contact] = []
    for item, result in zip(batch, results, strict=True):
        assert item.draft is not None
        if result.ok:
            client_id = item.client.client_id
            links[client_id] = result.contact_id
            fingerprints[client_id] = fingerprint(replace(item.draft,
                                                          contact_id=result.contact_id))
            if result.contact is not None:
                saved.append(result.contact)
            run.counts[item.action] += 1
            changes = tuple(change.text for change in item.changes)
            if item.action is Action.CREATE:
                text, action = f"Added to Xero as '{item.draft.name}'.", "Created"
            else:
                changed = "; ".join(changes)
                text, action = (f"Updated in Xero as '{item.draft.name}'"
                                f"{f' ({changed})' if changed else ''}.", "Updated")
            run.entry(Level.INFO, action, text, item, result.contact_id, changes=changes)
        else:
            run.counts[Action.FAIL] += 1
            run.entry(Level.ERROR, "Failed", "Xero refused it: " + " ".join(result.messages),
                      item, item.draft.contact_id)
    return links, fingerprints, saved


def _say_differences(run: RunState, review: Review, previewed: Mapping[str, tuple[str, str]],
                     planned: Mapping[str, tuple[str, str]]) -> None:
    """One warning per client the run now plans otherwise than the preview showed."""
    names = {client.client_id: client.name for client in review.clients}
    changed = differences(previewed, dict(planned))
    if not changed:
        return
    run.entry(Level.WARNING, "Changed", f"Xero or the client file changed since the preview: "
              f"{len(changed)} clients are now sent otherwise than previewed (listed below).")
    for client_id in changed:
        before = previewed.get(client_id, ("not in the preview", ""))[0]
        after = planned.get(client_id, ("no longer in the client file", ""))[0]
        what = f"previewed: {before}; now: {after}" if before != after else \
            f"{after}, with other values than previewed"
        run.entry(Level.WARNING, "Changed", f"Since the preview: {what}.",
                  client=(client_id, names.get(client_id, "")))


def _catch_up(run: RunState, xero: XeroClient) -> None:
    """Read back what this run wrote, so the next run's read stays one call."""
    try:
        refresh_mirror(run.tenant_id, xero, run.store, lambda event: None)
    except (UserError, CancelledError) as exc:  # the next run reads it instead
        log.info("catch-up read skipped: %s", getattr(exc, "message", "cancelled"))


def _stopped_by(exc: UserError) -> str:
    if isinstance(exc, RateLimitError):
        return "day_limit" if exc.problem == "day" else "minute_limit"
    if isinstance(exc, (AuthorizationError, NotConnectedError)):
        return "authorization"
    if isinstance(exc, OrganisationAccessError):
        return "organisation_access"
    return "error"
