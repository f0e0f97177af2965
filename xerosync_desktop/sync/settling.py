"""Settling what Xero's answers left open: lost answers, answers that do not fit, merges.

Public API: reconcile(), settle_by_lookup(), follow_merges().

A batch whose answer was lost (an earlier run stopped while sending it) or whose answer did
not fit what was sent (core/answers.py) is settled the same way: Xero's contacts, read into
the mirror, are looked up, a create by ContactNumber (every create carries the client id),
an update by the ContactID it was sent to. A link made since (a person's decision) stands.
A client whose contact Xero merged into another is linked to where the merges ended.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from ..core.answers import number_key
from ..core.model import Contact, Status
from ..core.planner import Action, PlannedItem
from ..xero.client import WriteResult, XeroClient
from .events import Level
from .review import Review, refresh_mirror
from .run_state import RunState

log = logging.getLogger(__name__)


def reconcile(run: RunState, review: Review) -> bool:
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
    find = NumberIndex(review.contacts)
    stored = run.store.mappings.for_tenant(run.tenant_id)
    linked = {contact_id: client_id for client_id, contact_id in stored.items()}
    known = {contact.contact_id for contact in review.contacts}
    names = {c.client_id: c.name for c in review.clients}
    links: dict[str, str] = {}
    for intent in intents:
        for client_id in intent.client_ids if intent.verb == "create" else ():
            contact = find(client_id)
            who = (client_id, names.get(client_id, ""))
            holder = linked.get(contact.contact_id) if contact else None
            chosen = stored.get(client_id)
            if contact is not None and chosen in known and chosen != contact.contact_id:
                # linked since (a person's decision, a merge): that link stands
                run.entry(Level.WARNING, "Checked", "An earlier run stopped while adding this "
                          "client, and Xero did save it; the client has been linked to "
                          "another contact since, so that link stands and the contact Xero "
                          "saved is left as it is.", contact_id=contact.contact_id, client=who)
            elif contact is None:
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


def follow_merges(run: RunState, review: Review) -> None:
    """Link each client whose contact Xero merged into another to where the merges ended.

    The review already pairs such a client with the merge's end (the matcher follows the
    chain); its stored link is moved there before the plan, and said in the log with both
    names. The link carries no fingerprint, so the client is sent to its new contact.
    """
    stored = run.store.mappings.for_tenant(run.tenant_id)
    links: dict[str, str] = {}
    for row in review.rows:
        if row.merged_from is None or row.client is None or row.contact is None \
                or row.status not in (Status.MAPPED, Status.MATCHED) \
                or stored.get(row.client_id) in (None, row.contact_id):
            continue
        links[row.client_id] = row.contact_id
        run.entry(Level.INFO, "Relinked", f"'{row.merged_from.name}' was merged in Xero into "
                  f"'{row.contact_name}': this client is now linked to '{row.contact_name}' "
                  "and synced there.", contact_id=row.contact_id,
                  client=(row.client_id, row.client_name))
    if links:
        run.commit(links, source="merged")
        log.info("followed %d merges in Xero", len(links))


class NumberIndex:
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


def settle_by_lookup(run: RunState, xero: XeroClient, batch: tuple[PlannedItem, ...],
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
    mirrored = run.store.mirror.contacts(run.tenant_id)
    find = NumberIndex(mirrored)
    by_id = {contact.contact_id.casefold(): contact for contact in mirrored}
    linked = {contact_id: client_id for client_id, contact_id
              in run.store.mappings.for_tenant(run.tenant_id).items()}
    said = {number_key(r.contact_number): r.messages for r in results
            if not r.ok and r.contact_number}
    links: dict[str, str] = {}
    for item in batch:
        assert item.draft is not None
        client_id = item.client.client_id
        if item.action is Action.UPDATE:  # sent to its ContactID, whatever its number
            contact = by_id.get(item.draft.contact_id.casefold())
        else:
            contact = find(client_id)
        holder = linked.get(contact.contact_id, client_id) if contact else client_id
        if item.action is Action.UPDATE:
            done = contact is not None and contact.name == item.draft.name
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
                      "its client ID).", item, contact.contact_id,
                      changes=tuple(change.text for change in item.changes))
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
