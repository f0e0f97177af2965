"""Matcher: TimeSolv clients beside Xero contacts, one review row each.

Public API: build_review(), mappings_to_confirm().

A client is paired with a contact, in this order: the ContactID stored for it (Mapped), a
contact whose ContactNumber is its client id (Matched), a contact whose name is equal under
Xero's rules to the client's name after the two-spaces rule (Matched). Each contact pairs with
at most one client, syncable clients before prospects, in file order. Contacts left over
will remain in Xero unmatched. Rows of the client file that need attention come first, with
their reason, paired with nothing: they are never synced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from .model import Client, ClientProblem, ClientStatus, Contact, ReviewRow, Status
from .names import has_invisible, name_key, xero_name

_BY_MAPPING = "mapping"
_BY_NUMBER = "number"
_BY_NAME = "name"


class _Pairing:
    """Contacts indexed for pairing, each handed out at most once."""

    def __init__(self, contacts: Iterable[Contact]) -> None:
        self.by_id: dict[str, Contact] = {}
        self.by_number: dict[str, Contact] = {}
        self.by_key: dict[str, list[Contact]] = defaultdict(list)
        for contact in contacts:
            self.by_id[contact.contact_id] = contact
            if contact.contact_number:
                self.by_number.setdefault(contact.contact_number.casefold(), contact)
            self.by_key[name_key(contact.name)].append(contact)
        for same_name in self.by_key.values():
            same_name.sort(key=lambda c: c.is_archived)  # an active namesake first
        self.claimed: set[str] = set()

    def take(self, contact: Contact | None) -> Contact | None:
        if contact is None or contact.contact_id in self.claimed:
            return None
        self.claimed.add(contact.contact_id)
        return contact

    def by_mapping(self, client: Client, mapped_id: str | None) -> Contact | None:
        return self.take(self.by_id.get(mapped_id)) if mapped_id else None

    def by_contact_number(self, client: Client, _: str | None) -> Contact | None:
        return self.take(self.by_number.get(client.client_id.casefold()))

    def by_name(self, client: Client, _: str | None) -> Contact | None:
        for contact in self.by_key.get(name_key(xero_name(client.name)), ()):
            if self.take(contact):
                return contact
        return None


def build_review(
    clients: Sequence[Client],
    contacts: Sequence[Contact],
    mappings: Mapping[str, str],
    problems: Sequence[ClientProblem] = (),
) -> list[ReviewRow]:
    """One row per problem, one per client (file order), then one per contact no client pairs
    with (by name).

    `mappings` holds the stored ContactID of each mapped client id.
    """
    pairing = _Pairing(contacts)
    paired: dict[int, tuple[Contact, str]] = {}
    order = sorted(range(len(clients)), key=lambda i: clients[i].status is ClientStatus.PROSPECT)
    passes = ((_BY_MAPPING, pairing.by_mapping), (_BY_NUMBER, pairing.by_contact_number),
              (_BY_NAME, pairing.by_name))
    for how, find in passes:  # a whole pass before the next: a stored link is never stolen
        for index in order:
            if index not in paired:
                client = clients[index]
                if contact := find(client, mappings.get(client.client_id)):
                    paired[index] = (contact, how)

    rows = [ReviewRow(status=Status.NEEDS_ATTENTION, problem=problem, note=problem.reason)
            for problem in problems]
    for index, client in enumerate(clients):
        contact, how = paired.get(index, (None, ""))
        rows.append(_client_row(client, contact, how,
                                stale_mapping=client.client_id in mappings))
    leftovers = [c for c in contacts if c.contact_id not in pairing.claimed]
    leftovers.sort(key=lambda c: (name_key(c.name), c.contact_id))
    rows.extend(_unmatched_row(contact) for contact in leftovers)
    return rows


def mappings_to_confirm(rows: Iterable[ReviewRow]) -> dict[str, str]:
    """Client id -> ContactID for every Matched row: what Confirm Mappings stores."""
    return {
        row.client_id: row.contact_id
        for row in rows
        if row.status is Status.MATCHED and row.client and row.contact
    }


def _client_row(client: Client, contact: Contact | None, how: str,
                stale_mapping: bool) -> ReviewRow:
    target = xero_name(client.name)
    notes: list[str] = []
    if client.status is ClientStatus.PROSPECT:
        status = Status.PROSPECT
        notes.append("Prospect clients are not synced to Xero.")
    elif contact is None:
        status = Status.NEW
        if stale_mapping:
            notes.append("The Xero contact this client was linked to no longer exists.")
        notes.append("Will be added to Xero.")
    elif contact.is_archived:
        status = Status.BLOCKED
        notes.append(f"'{contact.name}' is archived in Xero, so it will be skipped. "
                     "Restore it in Xero, then review again.")
    else:
        status = Status.MAPPED if how == _BY_MAPPING else Status.MATCHED
        notes.append(_pairing_note(how))
        if contact.name != target:
            notes.append(f"Sync will rename the Xero contact to '{target}'.")
    if status is not Status.PROSPECT:
        if has_invisible(client.name):
            notes.append("Invisible characters (control or zero-width) are left out in Xero.")
        if "  " in client.name.strip():
            notes.append("Two consecutive spaces become ' _' in Xero.")
        if client.status is ClientStatus.INACTIVE and status is not Status.BLOCKED:
            notes.append("Inactive in TimeSolv; synced as an ACTIVE contact.")
    return ReviewRow(status=status, client=client, contact=contact, xero_name=target,
                     note=" ".join(n for n in notes if n))


def _pairing_note(how: str) -> str:
    if how == _BY_MAPPING:
        return "Linked by Xero ContactID."
    if how == _BY_NUMBER:
        return "The Xero contact's Contact Code is this client's ID."
    return ""


def _unmatched_row(contact: Contact) -> ReviewRow:
    note = "No TimeSolv client; no action will be taken."
    if contact.is_archived:
        note += " Archived in Xero."
    return ReviewRow(status=Status.UNMATCHED, contact=contact, xero_name=contact.name,
                     note=note)
