"""The jobs behind `xerosync link` and `unlink`: the Mapping tab's decisions, printed.

Public API: link(), unlink(), print_possible_matches(), waiting_text(), HOW_TO_DECIDE.

Each loads the review as `review` does (reading Xero, never writing to it), makes the
decision through `sync.decide` (stored at once, or refused with a DecisionError that
changes nothing) and prints one line saying what the client is now.
"""

from __future__ import annotations

from ..core.model import ReviewRow, Status
from ..store import Store, SyncSettings
from ..sync.decide import accept_suggestions, add_as_new, link_client
from ..sync.decide import unlink as forget_link
from ..sync.review import Review, load_review
from ..xero.client import XeroClient
from .console import Console
from .exit_codes import ExitCode

HOW_TO_DECIDE = "xerosync link --client ID --suggested | --contact CONTACTID | --new"


def link(settings: SyncSettings, xero: XeroClient, store: Store, console: Console,
         client_id: str, contact_id: str | None, suggested: bool, new: bool) -> ExitCode:
    """Link a client to its suggested contact, to a contact by ContactID, or add it as new."""
    loaded = load_review(settings, xero, store, console.report)
    if suggested:
        decided = accept_suggestions(loaded, store, [client_id])
    elif new:
        decided = add_as_new(loaded, store, [client_id])
    else:
        assert contact_id is not None  # argparse requires exactly one of the three
        decided = link_client(loaded, store, client_id, contact_id)
    console.result(_now(decided, client_id))
    return ExitCode.OK


def unlink(settings: SyncSettings, xero: XeroClient, store: Store, console: Console,
           client_id: str) -> ExitCode:
    """Forget a client's stored link or decision: the matcher pairs it again."""
    loaded = load_review(settings, xero, store, console.report)
    console.result(_now(forget_link(loaded, store, [client_id]), client_id))
    return ExitCode.OK


def _now(review: Review, client_id: str) -> str:
    """`Client N1 'Northwind Traders' is now Mapped to 'Northwind Traders Ltd' in ...`."""
    row = review.row_of(client_id)
    assert row is not None  # the decision found it
    return (f"Client {row.client_id} '{row.client_name}' is now {_status(row)} in "
            f"{review.settings.tenant_name}{_next_sync(row)}")


def _status(row: ReviewRow) -> str:
    if row.status in (Status.MAPPED, Status.MATCHED):
        return f"{row.status.label} to '{row.contact_name}'"
    if row.status is Status.POSSIBLE_MATCH and row.suggestion is not None:
        return (f"a Possible match for '{row.suggestion.contact.name}' "
                f"({row.suggestion.text})")
    if row.status is Status.BLOCKED:
        return f"{row.status.label} ('{row.contact_name}')"
    return row.status.label


def _next_sync(row: ReviewRow) -> str:
    """What the next sync does with the client, after the organisation's name."""
    if row.status is Status.NEW:
        return ": the next sync adds it to Xero as a new contact."
    if row.status is Status.POSSIBLE_MATCH:
        return f": not synced until decided ({HOW_TO_DECIDE})."
    return "."


def waiting_text(count: int) -> str:
    """`1 client is a Possible match`, `2 clients are Possible matches`."""
    if count == 1:
        return "1 client is a Possible match"
    return f"{count} clients are Possible matches"


def print_possible_matches(console: Console, loaded: Review) -> None:
    """The clients waiting for a decision, each with its suggested contact and why."""
    waiting = [row for row in loaded.rows
               if row.status is Status.POSSIBLE_MATCH and row.suggestion is not None]
    if not waiting:
        return
    console.result(f"{waiting_text(len(waiting))} and will not be synced until decided:")
    for row in waiting:
        assert row.suggestion is not None
        console.result(f"  {row.client_id} {row.client_name[:60]}: suggested "
                       f"'{row.suggestion.contact.name}': {row.suggestion.text}")
    console.result(f"Decide each with: {HOW_TO_DECIDE}")
