"""What the Mapping tab says under a review it has just read: made from its status counts.

Public API: review_hint(), STALE_TEXT.

Each sentence is about rows the review shows now: nothing is said about New clients when
there are none (after a sync has added them, they are Mapped), and a review read before a
sync is said to be out of date until it is read again. Plain text, no Qt.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.model import Status
from .wording import clients, rows

STALE_TEXT = ("This review was read before the last sync, so it may be out of date: click "
              "Reload to read the client file and Xero's contacts again.")


def review_hint(counts: Mapping[Status, int], file_summary: str) -> str:
    """What the review shows and what to do about it, most urgent first."""
    parts = []
    if attention := counts.get(Status.NEEDS_ATTENTION, 0):
        parts.append(f"{file_summary}. {rows(attention)} of the client file "
                     f"{'needs' if attention == 1 else 'need'} attention and will not be "
                     f"synced until corrected: pick '{Status.NEEDS_ATTENTION.label}' under "
                     "Status to see why.")
    if waiting := counts.get(Status.POSSIBLE_MATCH, 0):
        parts.append(f"{clients(waiting, 'is', 'are')} possibly an existing Xero contact "
                     f"(Status: {Status.POSSIBLE_MATCH.label}) and will not be synced until "
                     "you decide: Accept suggestion, Link to Xero contact… or Add as new "
                     "contact.")
    if new := counts.get(Status.NEW, 0):
        parts.append(f"{clients(new)} will be added to Xero as "
                     f"{'a new contact' if new == 1 else 'new contacts'} by the next "
                     "sync. Look for any that should match an existing Xero contact but have "
                     "a different name: select it and click Link to Xero contact…")
    elif not waiting:
        mapped = counts.get(Status.MAPPED, 0)
        parts.append("No client will be added to Xero as a new contact" + (
            f"; {clients(mapped, 'is', 'are')} Mapped to "
            f"{'its Xero contact' if mapped == 1 else 'their Xero contacts'}." if mapped
            else "."))
    if matched := counts.get(Status.MATCHED, 0):
        parts.append(f"{clients(matched, 'matches', 'match')} a Xero contact by name: "
                     f"Confirm Mappings links {'it' if matched == 1 else 'them'} by "
                     "ContactID.")
    if blocked := counts.get(Status.BLOCKED, 0):
        parts.append(f"{clients(blocked, 'is', 'are')} blocked because the Xero contact is "
                     "archived: restore it in Xero first.")
    return " ".join(parts)
