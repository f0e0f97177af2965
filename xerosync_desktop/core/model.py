"""Domain model: plain frozen dataclasses shared by the matcher, planner, runner and GUI.

Public API: ClientStatus, Client, ClientProblem, ContactStatus, Contact, Status, Suggestion,
ReviewRow, ContactDraft, FileFacts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class ClientStatus(Enum):
    """A TimeSolv client's status."""

    ACTIVE = "Active"
    INACTIVE = "Inactive"
    PROSPECT = "Prospect"

    @classmethod
    def named(cls, text: str) -> ClientStatus | None:
        """The status a cell names, ignoring case and surrounding space; None if unknown."""
        return _STATUS_NAMES.get(text.strip().casefold())


_STATUS_NAMES = {status.value.casefold(): status for status in ClientStatus}


@dataclass(frozen=True, slots=True)
class Client:
    """One TimeSolv client, as read from a client export."""

    client_id: str
    name: str
    status: ClientStatus
    source_row: int | None = None
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    billing_contact: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""
    fax: str = ""
    address_lines: tuple[str, ...] = ()
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class ClientProblem:
    """A row of the client file that cannot be synced as it stands: Needs attention.

    `client_id` and `name` are what the row holds (as far as it could be read), `source_row`
    the row number as Excel or a text editor shows it, `reason` a sentence for the bookkeeper.
    """

    source_row: int
    client_id: str
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What the client file was when it was read, for the record of a run (an audit).

    `size`, `modified` and `sha256` are of the bytes the clients were read from, taken from
    the same open file, so a later save under the same name cannot change them. `note` says
    when the file changed, moved or was replaced while it was being read ('' when not).
    """

    path: str  # absolute
    size: int
    modified: datetime  # aware
    sha256: str
    note: str = ""


class ContactStatus(Enum):
    """A Xero contact's ContactStatus."""

    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"
    GDPRREQUEST = "GDPRREQUEST"


@dataclass(frozen=True, slots=True)
class Contact:
    """The part of a Xero contact the product reads."""

    contact_id: str
    name: str
    status: ContactStatus = ContactStatus.ACTIVE
    contact_number: str = ""
    updated_ms: int = field(default=0, compare=False)  # UpdatedDateUTC, ms since the epoch
    merged_to: str = ""  # MergedToContactID: merged in Xero into that contact (and archived)
    email: str = ""  # EmailAddress, for suggestions
    # the product's fields as Xero holds them (changes.owned_fields), for the preview: JSON
    # [[label, value], ...], kept as one string (no objects for the collector to walk)
    details: str = field(default="", compare=False)

    @property
    def is_archived(self) -> bool:
        """Xero refuses any update to a contact that is not ACTIVE."""
        return self.status is not ContactStatus.ACTIVE

    @property
    def held(self) -> dict[str, str]:
        """The product's fields as Xero holds them, by label ({} when not known)."""
        try:
            pairs = json.loads(self.details) if self.details else []
        except ValueError:
            return {}
        return {str(label): str(value) for label, value in pairs}


class Status(Enum):
    """A review row's status; the value is the exact text the user sees and the workbook holds."""

    MATCHED = "Matched"
    MAPPED = "Mapped"
    NEW = "New"
    UNMATCHED = "Will remain in Xero unmatched"
    PROSPECT = "Prospect (not synced)"
    BLOCKED = "Blocked: Xero contact archived"
    NEEDS_ATTENTION = "Needs attention"
    POSSIBLE_MATCH = "Possible match"

    @property
    def label(self) -> str:
        """The text shown to the user."""
        return self.value


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A contact a client that would be New probably already is, and why, in words."""

    contact: Contact
    reason: str

    @property
    def text(self) -> str:
        """The reason as the review shows it, naming an archived contact as such."""
        return self.reason + (" (archived in Xero)" if self.contact.is_archived else "")


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One line of the mapping review: a TimeSolv client, a Xero contact, or both; or a row
    of the client file that needs attention (`problem`, with no client: it is never synced).

    `merged_from` is the contact the client was paired with when Xero had merged it into
    `contact` (the end of the chain of merges). `number_taken`: another contact holds the
    client id as its ContactNumber, so the sync must not send it (Xero would refuse it).
    `suggestion`: for a Possible match, the contact it probably is (never synced as a create
    until a person decides).
    """

    status: Status
    client: Client | None = None
    contact: Contact | None = None
    xero_name: str = ""
    note: str = ""
    problem: ClientProblem | None = None
    merged_from: Contact | None = None
    number_taken: bool = False
    suggestion: Suggestion | None = None

    @property
    def client_id(self) -> str:
        if self.client:
            return self.client.client_id
        return self.problem.client_id if self.problem else ""

    @property
    def client_name(self) -> str:
        if self.client:
            return self.client.name
        return self.problem.name if self.problem else ""

    @property
    def contact_id(self) -> str:
        return self.contact.contact_id if self.contact else ""

    @property
    def contact_name(self) -> str:
        return self.contact.name if self.contact else ""

    @property
    def source_row(self) -> int | None:
        if self.client:
            return self.client.source_row
        return self.problem.source_row if self.problem else None


@dataclass(frozen=True, slots=True)
class Phone:
    """One Xero phone slot the product owns."""

    phone_type: str
    number: str


@dataclass(frozen=True, slots=True)
class Address:
    """The Xero POBOX (billing) address the product owns."""

    lines: tuple[str, ...] = ()
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    def is_empty(self) -> bool:
        return not (any(self.lines) or self.city or self.region or self.postal_code
                    or self.country)


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """What the product sends to Xero for one client: only the fields it owns.

    `contact_id` is empty for a create. Empty strings are not sent, so an update never
    clears a value the bookkeeper typed into Xero.
    """

    name: str
    contact_number: str
    contact_id: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phones: tuple[Phone, ...] = ()
    address: Address = field(default_factory=Address)
    status: ContactStatus = ContactStatus.ACTIVE
