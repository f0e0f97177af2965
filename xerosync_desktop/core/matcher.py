"""Matcher: TimeSolv clients beside Xero contacts, one review row each.

Public API: build_review(), mappings_to_confirm().

A client is paired with a contact, in this order: the ContactID stored for it (Mapped), a
contact whose ContactNumber is its client id (Matched), a contact whose name is equal under
Xero's rules to the client's name after the two-spaces rule (Matched). Each contact pairs with
at most one client, syncable clients before prospects, in file order. Contacts left over
will remain in Xero unmatched. Rows of the client file that need attention come first, with
their reason, paired with nothing: they are never synced.

A contact merged in Xero into another (archived, with MergedToContactID) stands for the
contact the chain of merges ends in: a client linked to it is paired with that one, and
synced there. Stored links straight to a contact are honoured before links through a merge,
so a merge never takes a contact from the client already linked to it; such a client is
Blocked with the reason, never added again as New.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .model import Client, ClientProblem, ClientStatus, Contact, ReviewRow, Status, Suggestion
from .names import has_invisible, name_key, xero_name
from .suggest import suggest

_BY_MAPPING = "mapping"
_BY_NUMBER = "number"
_BY_NAME = "name"


@dataclass
class _Pair:
    """A client's contact; `merged_from` the contact it was reached through by merges."""

    contact: Contact
    how: str
    merged_from: Contact | None = None
    merged_into: Contact | None = None  # the merge's end, when another client holds it
    holder: str = ""  # that client's id


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
        self.claimed: dict[str, str] = {}  # ContactID -> the client id it was paired with

    def merge_chain(self, contact: Contact) -> list[Contact]:
        """`contact` and each contact it was merged into, in turn (a loop is cut short)."""
        chain = [contact]
        while contact.merged_to and (into := self.by_id.get(contact.merged_to)) is not None \
                and into not in chain:
            chain.append(into)
            contact = into
        return chain

    def merge_end(self, contact: Contact) -> Contact:
        """The contact a chain of merges ends in (`contact` itself when not merged)."""
        return self.merge_chain(contact)[-1]

    def take(self, client: Client, contact: Contact | None, how: str) -> _Pair | None:
        if contact is None or contact.contact_id in self.claimed:
            return None
        chain = self.merge_chain(contact)
        if any(link.contact_id in self.claimed for link in chain):
            return None
        self.claimed.update((link.contact_id, client.client_id) for link in chain)
        return _Pair(chain[-1], how, merged_from=contact if len(chain) > 1 else None)

    def by_mapping(self, client: Client, mapped_id: str | None) -> _Pair | None:
        contact = self.by_id.get(mapped_id) if mapped_id else None
        if contact is None or self.merge_end(contact) is not contact:
            return None  # merged away: after every straight link
        return self.take(client, contact, _BY_MAPPING)

    def by_merged_mapping(self, client: Client, mapped_id: str | None) -> _Pair | None:
        contact = self.by_id.get(mapped_id) if mapped_id else None
        if contact is None or contact.contact_id in self.claimed:
            return None
        end = self.merge_end(contact)
        if end.contact_id not in self.claimed:
            return self.take(client, contact, _BY_MAPPING)
        self.claimed[contact.contact_id] = client.client_id  # held here, Blocked, not New
        return _Pair(contact, _BY_MAPPING, merged_into=end, holder=self.claimed[end.contact_id])

    def by_contact_number(self, client: Client, _: str | None) -> _Pair | None:
        return self.take(client, self.by_number.get(client.client_id.casefold()), _BY_NUMBER)

    def by_name(self, client: Client, _: str | None) -> _Pair | None:
        for contact in self.by_key.get(name_key(xero_name(client.name)), ()):
            if pair := self.take(client, contact, _BY_NAME):
                return pair
        return None

    def number_taken(self, client: Client, pair: _Pair | None) -> bool:
        """Whether a contact other than the client's own holds its id as ContactNumber."""
        holder = self.by_number.get(client.client_id.casefold())
        return holder is not None and (pair is None or holder is not pair.contact)


def build_review(
    clients: Sequence[Client],
    contacts: Sequence[Contact],
    mappings: Mapping[str, str],
    problems: Sequence[ClientProblem] = (),
    added_as_new: Collection[str] = frozenset(),
    keep_xero_names: bool = False,
) -> list[ReviewRow]:
    """One row per problem, one per client (file order), then one per contact no client pairs
    with (by name).

    `mappings` holds the stored ContactID of each mapped client id; `added_as_new` the client
    ids a person decided to add as new contacts (no suggestion for them). Every other client
    left unpaired is a Possible match when a free contact probably is it (suggest.py). With
    `keep_xero_names`, a client paired with a contact named otherwise keeps the contact's name
    (`xero_name`); else the sync renames the contact to the client's name.
    """
    pairing = _Pairing(contacts)
    paired: dict[int, _Pair] = {}
    order = sorted(range(len(clients)), key=lambda i: clients[i].status is ClientStatus.PROSPECT)
    passes = (pairing.by_mapping, pairing.by_merged_mapping, pairing.by_contact_number,
              pairing.by_name)
    for find in passes:  # a whole pass before the next: a stored link is never stolen
        for index in order:
            if index not in paired:
                client = clients[index]
                if pair := find(client, mappings.get(client.client_id)):
                    paired[index] = pair

    leftovers = [c for c in contacts if c.contact_id not in pairing.claimed]
    suggestions = suggest(
        (c for i, c in enumerate(clients) if i not in paired
         and c.status is not ClientStatus.PROSPECT and c.client_id not in added_as_new),
        [c for c in leftovers if not c.merged_to])  # merged away: only where it went counts
    rows = [ReviewRow(status=Status.NEEDS_ATTENTION, problem=problem, note=problem.reason)
            for problem in problems]
    for index, client in enumerate(clients):
        pair = paired.get(index)
        rows.append(_client_row(client, pair, stale_mapping=client.client_id in mappings,
                                number_taken=pairing.number_taken(client, pair),
                                suggestion=suggestions.get(client.client_id),
                                keep_xero_name=keep_xero_names))
    leftovers.sort(key=lambda c: (name_key(c.name), c.contact_id))
    rows.extend(_unmatched_row(contact) for contact in leftovers)
    return rows


def mappings_to_confirm(rows: Iterable[ReviewRow]) -> dict[str, str]:
    """Client id -> ContactID for every Matched row, and every row whose contact was merged
    in Xero into another (linked to the merge's end): what Confirm Mappings stores."""
    return {
        row.client_id: row.contact_id
        for row in rows
        if row.client and row.contact and (row.status is Status.MATCHED or (
            row.merged_from is not None and row.status is Status.MAPPED))
    }


def _client_row(client: Client, pair: _Pair | None, stale_mapping: bool,
                number_taken: bool, suggestion: Suggestion | None,
                keep_xero_name: bool) -> ReviewRow:
    target = xero_name(client.name)
    contact, how = (pair.contact, pair.how) if pair else (None, "")
    notes: list[str] = []
    if client.status is ClientStatus.PROSPECT:
        status = Status.PROSPECT
        notes.append("Prospect clients are not synced to Xero.")
    elif contact is None:
        status = Status.NEW if suggestion is None else Status.POSSIBLE_MATCH
        if stale_mapping:
            notes.append("The Xero contact this client was linked to no longer exists.")
        if suggestion is None:
            notes.append("Will be added to Xero.")
        else:
            notes.append(f"Possibly Xero's '{suggestion.contact.name}' "
                         f"({suggestion.text[0].lower()}{suggestion.text[1:]}). Accept the "
                         "suggestion, link another contact, or add it as new: it is not synced "
                         "until then.")
    elif pair is not None and pair.merged_into is not None:
        status = Status.BLOCKED
        notes.append(f"'{contact.name}' was merged in Xero into '{pair.merged_into.name}', "
                     f"which is linked to client {pair.holder}, so this client will be "
                     "skipped: two clients cannot share one Xero contact. Link this client "
                     "to another contact (or Unlink it to let matching pair it again).")
    elif contact.is_archived:
        status = Status.BLOCKED
        if contact.merged_to:
            notes.append(f"'{contact.name}' was merged in Xero, and the contact it went into "
                         "is not among the organisation's contacts, so it will be skipped.")
        else:
            notes.append(f"'{contact.name}' is archived in Xero, so it will be skipped. "
                         "Restore it in Xero, then review again.")
    else:
        status = Status.MAPPED if how == _BY_MAPPING else Status.MATCHED
        if pair is not None and pair.merged_from is not None:
            notes.append(f"'{pair.merged_from.name}' was merged in Xero into "
                         f"'{contact.name}': linked to it, and synced there.")
        else:
            notes.append(_pairing_note(how))
        if contact.name != target and keep_xero_name:
            target = contact.name
            notes.append("Its name in Xero is kept (Setup: keep the name already in Xero).")
        elif contact.name != target:
            notes.append(f"Sync will rename the Xero contact to '{target}'.")
    if status is not Status.PROSPECT:
        if has_invisible(client.name):
            notes.append("Invisible characters (control or zero-width) are left out in Xero.")
        if "  " in client.name.strip():
            notes.append("Two consecutive spaces become ' _' in Xero.")
        if client.status is ClientStatus.INACTIVE and status is not Status.BLOCKED:
            notes.append("Inactive in TimeSolv; synced as an ACTIVE contact.")
    return ReviewRow(status=status, client=client, contact=contact, xero_name=target,
                     note=" ".join(n for n in notes if n),
                     merged_from=pair.merged_from if pair else None,
                     number_taken=number_taken,
                     suggestion=suggestion if status is Status.POSSIBLE_MATCH else None)


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
