"""The decisions a person makes in Mapping (and with `xerosync link` / `unlink`).

Public API: accept_suggestions(), link_client(), add_as_new(), unlink(), linkable_contacts().

Each decision is checked against the review it was made on, stored for the organisation at
once (one transaction), and answered with the review as it now stands. A link chosen by a
person is a stored mapping ('linked'), which automatic matching never overrides; *Add as
new* is remembered as a decision, so the client stays New whatever contact looks like it
later; *Unlink* forgets both, so the matcher's word and its suggestions come back. A refused
decision raises DecisionError with the reason and changes nothing; while the organisation
syncs (here or in another process), SyncBusyError.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..core.model import ClientStatus, Contact, ReviewRow, Status
from ..errors import DecisionError
from ..store import Store
from .review import Review

log = logging.getLogger(__name__)


def _client_row(review: Review, client_id: str) -> ReviewRow:
    row = review.row_of(client_id)
    if row is None or row.client is None:
        raise DecisionError(f"There is no client with ID '{client_id}' in the client file.")
    if row.client.status is ClientStatus.PROSPECT:
        raise DecisionError(f"Client {row.client_id} is a prospect; prospects are not synced, "
                            "so there is nothing to decide.")
    return row


def _saved(review: Review, store: Store) -> Review:
    tenant = review.settings.tenant_id
    return review.relinked(store.mappings.for_tenant(tenant), store.decisions.added_as_new(tenant))


@contextmanager
def _decision(review: Review, store: Store) -> Iterator[None]:
    """One decision's writes, together, under the organisation's run lock: a sync running
    meanwhile (a nightly xerosync) would store its own links over it, so it is refused."""
    settings = review.settings
    with store.run_lock(settings.tenant_id, settings.tenant_name, "a decision in Mapping"), \
            store.transaction():
        yield


def _link(review: Review, store: Store, links: dict[str, str]) -> Review:
    tenant = review.settings.tenant_id
    with _decision(review, store):
        store.mappings.save(tenant, links, source="linked")
        store.decisions.forget(tenant, list(links))
    log.info("linked %d clients by hand", len(links))
    return _saved(review, store)


def _check_free(review: Review, row: ReviewRow, contact: Contact) -> None:
    """A contact can be linked only when it is active and no other client holds it."""
    if contact.is_archived:
        raise DecisionError(f"'{contact.name}' is archived in Xero, so client {row.client_id} "
                            "cannot be synced to it. Restore it in Xero and review again, or "
                            "pick another contact.")
    holder = next((other for other in review.rows if other.client is not None
                   and other.contact_id == contact.contact_id
                   and other.client_id != row.client_id), None)
    if holder is not None:
        raise DecisionError(f"'{contact.name}' is already paired with client "
                            f"{holder.client_id} ({holder.status.label}); a contact can belong "
                            "to one client only. Pick another contact.")


def accept_suggestions(review: Review, store: Store, client_ids: Sequence[str]) -> Review:
    """Link each of these Possible matches to the contact suggested for it."""
    links: dict[str, str] = {}
    for client_id in client_ids:
        row = _client_row(review, client_id)
        if row.status is not Status.POSSIBLE_MATCH or row.suggestion is None:
            raise DecisionError(f"Client {row.client_id} has no suggestion to accept "
                                f"({row.status.label}).")
        _check_free(review, row, row.suggestion.contact)
        if row.suggestion.contact.contact_id in links.values():
            raise DecisionError(f"'{row.suggestion.contact.name}' is suggested for more than "
                                "one of the chosen clients; accept it for one of them only.")
        links[row.client_id] = row.suggestion.contact.contact_id
    return _link(review, store, links)


def link_client(review: Review, store: Store, client_id: str, contact_id: str) -> Review:
    """Link a client to any contact of the organisation, by its ContactID."""
    row = _client_row(review, client_id)
    wanted = contact_id.strip().casefold()
    contact = next((c for c in review.contacts if c.contact_id.casefold() == wanted), None)
    if contact is None:
        raise DecisionError(f"There is no contact with ContactID '{contact_id}' in "
                            f"{review.settings.tenant_name}.")
    _check_free(review, row, contact)
    return _link(review, store, {row.client_id: contact.contact_id})


def add_as_new(review: Review, store: Store, client_ids: Sequence[str]) -> Review:
    """These clients become new contacts: their suggestions are dismissed, and remembered."""
    dismissed: dict[str, str] = {}
    for client_id in client_ids:
        row = _client_row(review, client_id)
        if row.status not in (Status.POSSIBLE_MATCH, Status.NEW):
            raise DecisionError(f"Client {row.client_id} is {row.status.label} to "
                                f"'{row.contact_name}'; only a Possible match or a New client "
                                "can be added as a new contact (Unlink a Mapped one first).")
        dismissed[row.client_id] = row.suggestion.contact.contact_id if row.suggestion else ""
    with _decision(review, store):
        store.decisions.add_as_new(review.settings.tenant_id, dismissed)
    log.info("%d clients to be added as new", len(dismissed))
    return _saved(review, store)


def unlink(review: Review, store: Store, client_ids: Sequence[str]) -> Review:
    """Forget these clients' stored links and decisions: the matcher decides again."""
    tenant = review.settings.tenant_id
    links = store.mappings.for_tenant(tenant)
    rows = [_client_row(review, client_id) for client_id in client_ids]
    for row in rows:
        if row.client_id not in links and row.client_id not in review.added_as_new:
            raise DecisionError(f"Client {row.client_id} is not linked ({row.status.label}), "
                                "so there is nothing to unlink.")
    ids = [row.client_id for row in rows]
    with _decision(review, store):
        store.mappings.remove(tenant, ids)
        store.decisions.forget(tenant, ids)
    log.info("unlinked %d clients", len(ids))
    return _saved(review, store)


def linkable_contacts(review: Review) -> list[tuple[Contact, str]]:
    """Every contact with the client it is paired with ('' if none): unpaired active ones
    first, then paired ones, then archived ones, each by name (the picker's order)."""
    holders = {row.contact_id: row.client_id for row in review.rows
               if row.client is not None and row.contact is not None}
    return sorted(((c, holders.get(c.contact_id, "")) for c in review.contacts),
                  key=lambda pair: (pair[0].is_archived, bool(pair[1]),
                                    pair[0].name.casefold()))
