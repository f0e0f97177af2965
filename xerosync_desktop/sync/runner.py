"""Sync runner: the I/O shell around the pure planner; what Sync to Xero does.

Public API: sync_clients(), run_plan(), CATCH_UP_AFTER, NEEDS_ATTENTION.

One run per organisation at a time (the store's run lock). A run reads what changed in Xero
into the mirror, settles the batches an earlier run sent without hearing back (write-ahead
intents, looked up by ContactNumber), plans, and sends only what changed since the last
successful sync. Every batch's intent is stored before the call; its links, fingerprints,
mirror rows and log entries are stored in one transaction as soon as Xero answers, so a run
stopped at any point (cancel, limit, crash, kill) loses nothing and creates nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from ..core.answers import Answer, answers_fit, number_key
from ..core.fingerprint import batch_key, fingerprint
from ..core.model import Contact, Status
from ..core.planner import Action, PlannedItem, plan_sync
from ..errors import (
    AuthorizationError,
    CancelledError,
    NotConnectedError,
    OrganisationAccessError,
    RateLimitError,
    SettingsError,
    UserError,
)
from ..store import Store, SyncSettings
from ..xero.client import WriteResult, XeroClient
from .events import Level, LogEntry, Progress, RunStarted, RunSummary
from .review import Report, Review, countdown, load_review, refresh_mirror

log = logging.getLogger(__name__)

CATCH_UP_AFTER = 500  # contacts written: read them back now, so the next run reads little
NEEDS_ATTENTION = Status.NEEDS_ATTENTION.label  # the log's Action for a row set aside


def sync_clients(settings: SyncSettings, xero: XeroClient, store: Store, report: Report,
                 should_stop: Callable[[], bool], holder: str = "the xerosync app",
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
            review = load_review(settings, xero, store, report)
        except CancelledError:
            raise UserError("Sync cancelled while reading Xero; nothing was sent.") from None
        notes = []
        if lock.recovered is not None:
            notes.append(f"The previous sync, by {lock.recovered.describe()}, ended without "
                         "finishing; this run picks up where it stopped.")
        return run_plan(review, xero, store, report, should_stop, notes)


@dataclass
class _Run:
    """The counters and unsaved log entries of the run in progress."""

    run_id: int
    store: Store
    report: Report
    tenant_id: str
    counts: dict[Action, int] = field(default_factory=lambda: dict.fromkeys(Action, 0))
    pending: list[LogEntry] = field(default_factory=list)
    written: int = 0
    read_mark: int = 0  # Xero's time when this run's read began: part of each batch's key

    def entry(self, level: Level, action: str, message: str, item: PlannedItem | None = None,
              contact_id: str = "", client: tuple[str, str] | None = None) -> None:
        if item is not None:
            client = (item.client.client_id, item.client.name)
        entry = LogEntry(time=datetime.now(UTC), level=level, action=action, message=message,
                         client_id=client[0] if client else "",
                         client_name=client[1] if client else "", contact_id=contact_id)
        self.pending.append(entry)
        self.report(entry)

    def commit(self, links: dict[str, str] | None = None,
               fingerprints: dict[str, str] | None = None, saved: Sequence[Contact] = (),
               settle: Sequence[int] = (), source: str = "synced",
               forget: Sequence[str] = ()) -> None:
        """Store what Xero confirmed, the intents it settles and the log so far, together.

        `forget` names clients whose last-sent fingerprint no longer holds.
        """
        with self.store.transaction():
            if forget:
                self.store.mappings.forget_fingerprints(self.tenant_id, forget)
            if links:
                self.store.mappings.save(self.tenant_id, links, source, fingerprints)
            if saved:
                self.store.mirror.apply_written(self.tenant_id, saved)
            if settle:
                self.store.intents.settle(settle)
            self.store.runs.add_entries(self.run_id, self.pending)
        self.pending.clear()


def run_plan(review: Review, xero: XeroClient, store: Store, report: Report,
             should_stop: Callable[[], bool], notes: Sequence[str] = ()) -> RunSummary:
    """Settle open intents, plan from the review, send the batches, settle the rest."""
    settings = review.settings
    started = datetime.now(UTC)
    run = _Run(store.runs.start(settings.tenant_id, settings.tenant_name, settings.clients_file,
                                started), store, report, settings.tenant_id,
               read_mark=store.mirror.read_mark_ms(settings.tenant_id) or 0)
    report(RunStarted(run.run_id, started))
    xero.on_wait = countdown(report, should_stop,
                             lambda text: run.entry(Level.WARNING, "Waiting", text))
    for note in notes:
        run.entry(Level.WARNING, "Resumed", note)
    if _reconcile(run, review):
        review = review.relinked(store.mappings.for_tenant(settings.tenant_id))
    plan = plan_sync(review.rows, store.mappings.fingerprints(settings.tenant_id))
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
            attention=len(review.problems))
        run.entry(Level.INFO if outcome == "finished" else Level.WARNING, "Summary",
                  summary.text)
        run.commit()
        with store.transaction():
            store.runs.finish(summary)
    log.info("sync run %s %s", run.run_id, outcome)
    return summary


def _settled_entry(run: _Run, item: PlannedItem) -> None:
    """The log line of a client that needs no call."""
    run.counts[item.action] += 1
    if item.action is Action.UNCHANGED:
        assert item.draft is not None
        run.entry(Level.INFO, "Unchanged", item.reason, item, item.draft.contact_id)
    else:
        level = Level.WARNING if item.action is Action.SKIP else Level.ERROR
        run.entry(level, item.action.value, item.reason, item)


def _reconcile(run: _Run, review: Review) -> bool:
    """Settle the batches an earlier run sent without hearing back; True if links changed.

    A create whose answer was lost may have been saved by Xero: its contact carries the
    client id as ContactNumber, and the mirror (just read) holds it. Such clients are linked;
    the rest are planned again like any other client. Whatever an unsettled batch held, its
    clients' fingerprints are cleared: Xero may or may not hold what was sent, so the next
    plan sends them again (an update by ContactID is safe to repeat).
    """
    intents = run.store.intents.open(run.tenant_id)
    if not intents:
        return False
    find = _NumberIndex(review.contacts)
    linked = {contact_id: client_id for client_id, contact_id
              in run.store.mappings.for_tenant(run.tenant_id).items()}
    names = {c.client_id: c.name for c in review.clients}
    links: dict[str, str] = {}
    for intent in intents:
        for client_id in intent.client_ids if intent.verb == "create" else ():
            contact = find(client_id)
            who = (client_id, names.get(client_id, ""))
            holder = linked.get(contact.contact_id) if contact else None
            if contact is None:
                run.entry(Level.INFO, "Checked", "An earlier run stopped while sending this "
                          "client; Xero holds no contact with its client ID, so it is "
                          "planned again.", client=who)
            elif holder == client_id:
                continue  # the earlier answer was stored after all
            elif holder is not None:
                run.entry(Level.WARNING, "Checked", f"The Xero contact with this client ID "
                          f"is linked to client {holder}; this client is planned again.",
                          contact_id=contact.contact_id, client=who)
            else:
                linked[contact.contact_id] = client_id
                links[client_id] = contact.contact_id
                run.entry(Level.WARNING, "Reconciled", "Found in Xero by its client ID: an "
                          "earlier run's answer was lost after Xero saved it. Linked, not "
                          "created again.", contact_id=contact.contact_id, client=who)
    run.commit(links, settle=[intent.intent_id for intent in intents], source="reconciled",
               forget=[client_id for intent in intents for client_id in intent.client_ids])
    log.info("reconciled %d open intents, %d clients linked", len(intents), len(links))
    return True


class _NumberIndex:
    """Contacts by ContactNumber: the one with exactly this client id, else the only one
    equal to it with case and surrounding space set aside (None when none or several)."""

    def __init__(self, contacts: Iterable[Contact]) -> None:
        self._exact: dict[str, Contact] = {}
        self._folded: dict[str, list[Contact]] = {}
        for known in contacts:
            if known.contact_number:
                self._exact.setdefault(known.contact_number, known)
                self._folded.setdefault(number_key(known.contact_number), []).append(known)

    def __call__(self, client_id: str) -> Contact | None:
        others = self._folded.get(number_key(client_id), [])
        return self._exact.get(client_id.strip()) or (others[0] if len(others) == 1 else None)


def _send(run: _Run, xero: XeroClient, batch: tuple[PlannedItem, ...]) -> None:
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
        _settle_by_lookup(run, xero, batch, intent_id, misfit, results)
        return
    links, fingerprints, saved = _record(run, batch, results)
    run.written += len(saved)
    run.commit(links, fingerprints, saved, settle=[intent_id])


def _record(run: _Run, batch: tuple[PlannedItem, ...], results: list[WriteResult],
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
            if item.action is Action.CREATE:
                text, action = f"Added to Xero as '{item.draft.name}'.", "Created"
            else:
                text, action = f"Updated in Xero as '{item.draft.name}'.", "Updated"
            run.entry(Level.INFO, action, text, item, result.contact_id)
        else:
            run.counts[Action.FAIL] += 1
            run.entry(Level.ERROR, "Failed", "Xero refused it: " + " ".join(result.messages),
                      item, item.draft.contact_id)
    return links, fingerprints, saved


def _settle_by_lookup(run: _Run, xero: XeroClient, batch: tuple[PlannedItem, ...],
                      intent_id: int, misfit: str, results: Sequence[WriteResult]) -> None:
    """Settle a batch whose answer did not fit by reading Xero, as after a lost answer.

    What changed in Xero is read into the mirror; each client of the batch is then looked up
    by its client id (the ContactNumber every draft carries). A create found there is
    linked, one not found was not added; an update counts as done when its contact now
    bears the name sent. Either way no fingerprint is kept, so the next sync sends these
    clients again (an update by ContactID is safe to repeat). If the read fails, the intent
    stays open and the next run settles it.
    """
    log.warning("an answer did not fit its batch (%s); looking the clients up", misfit)
    run.entry(Level.WARNING, "Checked", f"Xero's answer to a batch of {len(batch)} did not "
              f"match what was sent ({misfit}), so it was not trusted: the batch's clients "
              "were looked up in Xero by their client ID instead.")
    refresh_mirror(run.tenant_id, xero, run.store, lambda event: None)
    find = _NumberIndex(run.store.mirror.contacts(run.tenant_id))
    linked = {contact_id: client_id for client_id, contact_id
              in run.store.mappings.for_tenant(run.tenant_id).items()}
    said = {number_key(r.contact_number): r.messages for r in results
            if not r.ok and r.contact_number}
    links: dict[str, str] = {}
    for item in batch:
        assert item.draft is not None
        client_id, contact = item.client.client_id, find(item.client.client_id)
        holder = linked.get(contact.contact_id, client_id) if contact else client_id
        if item.action is Action.UPDATE:
            done = (contact is not None and contact.contact_id == item.draft.contact_id
                    and contact.name == item.draft.name)
        else:
            done = contact is not None and holder == client_id
        if done:
            assert contact is not None
            run.counts[item.action] += 1
            verb = "Added to" if item.action is Action.CREATE else "Updated in"
            if item.action is Action.CREATE:
                links[client_id] = contact.contact_id
            run.entry(Level.INFO, "Created" if item.action is Action.CREATE else "Updated",
                      f"{verb} Xero as '{item.draft.name}' (confirmed by looking it up by "
                      "its client ID).", item, contact.contact_id)
            continue
        run.counts[Action.FAIL] += 1
        why = " ".join(said.get(number_key(client_id), ()))
        if contact is not None and holder != client_id:
            text = (f"The Xero contact with this client ID is linked to client {holder}, so "
                    "this client was not linked to it. Review the mapping.")
        else:
            what = "added" if item.action is Action.CREATE else "confirmed as updated"
            text = (f"Not {what}: Xero's answer did not match what was sent, and reading "
                    f"Xero back did not show it{f' (Xero said: {why})' if why else ''}. "
                    "It is sent again at the next sync.")
        run.entry(Level.ERROR, "Failed", text, item, item.draft.contact_id)
    run.commit(links, settle=[intent_id],
               forget=[item.client.client_id for item in batch])


def _catch_up(run: _Run, xero: XeroClient) -> None:
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
