"""Sync planner: review rows -> what the run will create, update and skip, in batches.

Public API: Action, PlannedItem, SyncPlan, plan_sync(), draft_for(), draft_problems(),
BATCH_SIZE.

Pure: no I/O. Matched and Mapped clients are updated by ContactID (updates run first, so a
renamed client frees its old name before a new client takes it), unless what they would send
is what their last successful sync sent and Xero still shows it (Unchanged); New clients are
created; prospects, archived contacts and possible matches waiting for a decision are skipped
with the reason; a client whose values Xero would refuse fails here, alone, instead of sinking
the batch it would have travelled in.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from .changes import Change, field_changes
from .fingerprint import fingerprint
from .model import Address, Client, Contact, ContactDraft, Phone, ReviewRow, Status
from .names import NAME_MAX_LENGTH, xero_name

BATCH_SIZE = 50  # Xero's advice: at most 50 contacts per request


class Action(Enum):
    """What a run does with one client; the value is the log's Action text."""

    CREATE = "Create"
    UPDATE = "Update"
    UNCHANGED = "Unchanged"
    SKIP = "Skipped"
    FAIL = "Failed"


@dataclass(frozen=True, slots=True)
class PlannedItem:
    """One client's part in a run."""

    action: Action
    client: Client
    draft: ContactDraft | None = None
    reason: str = ""
    changes: tuple[Change, ...] = ()  # an update's fields that differ from what Xero holds


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """Update batches, create batches, and the clients settled without a call."""

    updates: tuple[tuple[PlannedItem, ...], ...] = ()
    creates: tuple[tuple[PlannedItem, ...], ...] = ()
    settled: tuple[PlannedItem, ...] = ()

    @property
    def batches(self) -> tuple[tuple[PlannedItem, ...], ...]:
        """Every batch in the order the run sends them."""
        return self.updates + self.creates

    @property
    def client_count(self) -> int:
        return len(self.settled) + sum(len(batch) for batch in self.batches)


_LIMITS = (  # (field, label, max length): section 6 of the Xero slice
    ("name", "name", NAME_MAX_LENGTH),
    ("contact_number", "client ID", 50),
    ("first_name", "first name", 255),
    ("last_name", "last name", 255),
    ("email", "email address", 255),
)


def plan_sync(rows: Sequence[ReviewRow], sent: Mapping[str, str] | None = None,
              batch_size: int = BATCH_SIZE) -> SyncPlan:
    """Plan a run from the review rows; rows without a client (Xero-only) need nothing.

    `sent` holds, per client id, the fingerprint of the draft its last successful sync sent.
    """
    sent = sent or {}
    updates: list[PlannedItem] = []
    creates: list[PlannedItem] = []
    settled: list[PlannedItem] = []
    for row in rows:
        client = row.client
        if client is None:
            continue
        if row.status is Status.PROSPECT:
            settled.append(PlannedItem(Action.SKIP, client, reason=(
                "Prospect clients are not synced to Xero.")))
            continue
        if row.status is Status.POSSIBLE_MATCH and row.suggestion is not None:
            settled.append(PlannedItem(Action.SKIP, client, reason=(
                f"Waiting for a decision: possibly Xero's '{row.suggestion.contact.name}'. "
                "Accept the suggestion, link another contact or add it as new in Mapping "
                "(or with xerosync link), then sync again.")))
            continue
        if row.status is Status.BLOCKED:
            merged = row.contact is not None and row.contact.merged_to
            settled.append(PlannedItem(Action.SKIP, client, reason=row.note if merged else (
                f"'{row.contact_name}' is archived in Xero, so it was skipped. "
                "Restore it in Xero, then sync again.")))
            continue
        existing = row.contact if row.status in (Status.MATCHED, Status.MAPPED) else None
        # an update leaves alone a ContactNumber the contact holds for another purpose, and
        # never sends one another contact holds (a contact merged away keeps its own); a
        # create always sends it: it is how a lost answer is found again
        draft = draft_for(client, existing.contact_id if existing else "",
                          keep_number=bool(existing and (row.number_taken or (
                              existing.contact_number
                              and existing.contact_number != client.client_id))),
                          name=row.xero_name)
        problems = draft_problems(draft)
        if problems:
            settled.append(PlannedItem(Action.FAIL, client, draft, " ".join(problems)))
        elif existing and _unchanged(draft, existing, sent.get(client.client_id)):
            settled.append(PlannedItem(Action.UNCHANGED, client, draft, (
                "Nothing changed since the last sync.")))
        elif existing:
            updates.append(PlannedItem(Action.UPDATE, client, draft, changes=tuple(
                field_changes(draft, existing.held))))
        else:
            creates.append(PlannedItem(Action.CREATE, client, draft))
    return SyncPlan(updates=tuple(_batched(updates, batch_size)),
                    creates=tuple(_batched(creates, batch_size)),
                    settled=tuple(settled))


def _unchanged(draft: ContactDraft, contact: Contact, sent: str | None) -> bool:
    """Sent before, and Xero still shows what was sent (a rename in Xero is put back)."""
    return (sent == fingerprint(draft) and contact.name == draft.name
            and (not draft.contact_number or contact.contact_number == draft.contact_number))


def draft_for(client: Client, contact_id: str = "", keep_number: bool = False,
              name: str = "") -> ContactDraft:
    """The contact a client becomes: name rules applied, client id as ContactNumber, ACTIVE.

    `keep_number` leaves alone a ContactNumber that Xero already holds for another purpose;
    `name`, when given, is the name the review settled on (the one in Xero, when Setup says
    to keep it).
    """
    phones = tuple(Phone(kind, number.strip()) for kind, number in
                   (("DEFAULT", client.phone), ("MOBILE", client.mobile), ("FAX", client.fax))
                   if number.strip())
    address = Address(lines=tuple(line.strip() for line in client.address_lines if line.strip()),
                      city=client.city.strip(), region=client.region.strip(),
                      postal_code=client.postal_code.strip(), country=client.country.strip())
    return ContactDraft(
        name=name or xero_name(client.name),
        contact_number="" if keep_number else client.client_id.strip(),
        contact_id=contact_id,
        first_name=client.first_name.strip(),
        last_name=client.last_name.strip(),
        email=client.email.strip(),
        phones=phones,
        address=address,
    )


def draft_problems(draft: ContactDraft) -> list[str]:
    """Sentences naming each value Xero would refuse, with what to do; empty when all is well."""
    problems: list[str] = []
    if not draft.name:
        problems.append("The client has no name. Give it one in TimeSolv, then sync again.")
    for attr, label, limit in _LIMITS:
        problems.extend(_too_long(label, getattr(draft, attr), limit))
    for phone in draft.phones:
        problems.extend(_too_long(f"{phone.phone_type.lower()} phone number", phone.number, 50))
    for line in draft.address.lines[:4]:
        problems.extend(_too_long("address line", line, 500))
    problems.extend(_too_long("city", draft.address.city, 255))
    problems.extend(_too_long("state", draft.address.region, 255))
    problems.extend(_too_long("zip code", draft.address.postal_code, 50))
    problems.extend(_too_long("country", draft.address.country, 50))
    return problems


def _too_long(label: str, value: str, limit: int) -> Iterator[str]:
    if len(value) > limit:
        yield (f"The {label} is {len(value)} characters long; Xero allows at most {limit}. "
               "Shorten it in TimeSolv, then sync again.")


def _batched(items: list[PlannedItem], size: int) -> Iterator[tuple[PlannedItem, ...]]:
    for start in range(0, len(items), size):
        yield tuple(items[start:start + size])
