"""Merging one contact into another, as a person does in Xero's web app (test endpoint).

Public API: merge_contacts().

Xero's API cannot merge; its web app can ("Merge" on a contact). What the API shows after,
by Xero's documentation: the contact merged away is ARCHIVED and carries
`MergedToContactID`, the contact it went into (returned on paged reads and single GETs),
and both are changed as of the merge (their transactions moved). The kept contact keeps its
own details. What Xero does to the merged-away contact's ContactNumber is not documented;
the sandbox leaves it there, which is the harder case for a client linked to it (its
number stays taken).
"""

from __future__ import annotations

from typing import Any

from .book import ContactBook


def merge_contacts(book: ContactBook, merged_id: str, into_id: str,
                   now_ms: int) -> dict[str, Any]:
    """Merge `merged_id` into `into_id`; the kept contact. KeyError for an unknown ContactID,
    ValueError for a merge Xero's web app does not offer."""
    merged, into = book.get(merged_id), book.get(into_id)
    if merged is None or into is None:
        raise KeyError(f"no contact {merged_id if merged is None else into_id}")
    if merged is into:
        raise ValueError("A contact cannot be merged into itself.")
    if merged.get("MergedToContactID"):
        raise ValueError(f"Contact {merged_id} was already merged into another contact.")
    if into["ContactStatus"] != "ACTIVE":
        raise ValueError("Xero merges only into an active contact.")
    merged = dict(merged, ContactStatus="ARCHIVED", MergedToContactID=into["ContactID"],
                  UpdatedDateUTC=now_ms)
    book.put(merged)
    into["UpdatedDateUTC"] = now_ms
    return into
