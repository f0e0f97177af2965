"""What an update will change in Xero, field by field, for the preview and the log.

Public API: Change, owned_fields(), field_changes(), FIELD_LABELS.

The product owns a few fields of a contact (the draft's: name, client id as ContactNumber,
first and last name, email, three phone slots, the POBOX address). `owned_fields()` puts a
draft, or a contact as Xero holds it, as the same label -> text pairs, so a change is a
plain comparison: `Email: old@x -> new@x`. An empty value is never sent (an update never
clears what the bookkeeper typed into Xero), so only the fields a draft sends can change.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .model import ContactDraft

FIELD_LABELS = ("Name", "Client ID", "First name", "Last name", "Email", "Phone", "Mobile",
                "Fax", "Address", "City", "State", "Zip", "Country")
_PHONE_LABELS = {"DEFAULT": "Phone", "MOBILE": "Mobile", "FAX": "Fax"}


@dataclass(frozen=True, slots=True)
class Change:
    """One field an update changes."""

    label: str
    old: str
    new: str

    @property
    def text(self) -> str:
        """`Email: old@x -> new@x`; `(empty)` for a field Xero does not hold yet."""
        return f"{self.label}: {self.old or '(empty)'} -> {self.new}"


def owned_fields(draft: ContactDraft) -> dict[str, str]:
    """The product's fields of a contact (or of a draft) that hold a value, by label."""
    values = {
        "Name": draft.name,
        "Client ID": draft.contact_number,
        "First name": draft.first_name,
        "Last name": draft.last_name,
        "Email": draft.email,
        **{_PHONE_LABELS[p.phone_type]: p.number for p in draft.phones
           if p.phone_type in _PHONE_LABELS},
        "Address": ", ".join(line for line in draft.address.lines if line),
        "City": draft.address.city,
        "State": draft.address.region,
        "Zip": draft.address.postal_code,
        "Country": draft.address.country,
    }
    return {label: values[label] for label in FIELD_LABELS if values.get(label)}


def field_changes(draft: ContactDraft, held: Mapping[str, str]) -> list[Change]:
    """The fields `draft` would change in a contact holding `held` (owned_fields of it)."""
    return [Change(label, held.get(label, ""), new) for label, new in owned_fields(draft).items()
            if held.get(label, "") != new]
