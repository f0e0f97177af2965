"""What Setup says about the organisation shown, worked out from its saved state each time.

Public API: SetupState, setup_status(), saved_text().

Setup's message is recomputed whenever the organisation shown changes, after Save, after
Confirm Mappings, a decision or a sync (the main window says when), and whenever Setup is
shown again; so it never repeats what an earlier action said about another organisation or
an earlier step ("Saved... enabled for A" while B is shown, "Next, review the mapping" once
the mapping is confirmed). Plain text, no Qt: the wording is tested as data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..core.intake import ClientList
from .wording import clients

_OUTCOMES = {"finished": "finished", "cancelled": "was cancelled",
             "stopped": "stopped before the end", "interrupted": "was interrupted",
             "running": "is still running"}


@dataclass(frozen=True)
class SetupState:
    """The organisation shown, as saved: what Setup's message is made of."""

    organisation: str  # '' when not connected
    sync_enabled: bool = False  # as saved, not as the form shows it before Save
    links: int = 0  # clients linked to a Xero contact (confirmed, decided or synced)
    last_sync_at: datetime | None = None  # when the newest run started
    last_sync_outcome: str = ""  # 'finished', 'cancelled', 'stopped', 'interrupted'
    notice: str = ""  # the token vault's: the connection lasts for this session only


def setup_status(state: SetupState) -> str:
    """Where the organisation shown stands, and the next step."""
    parts = [state.notice]
    name = state.organisation
    if not name:
        pass
    elif not state.sync_enabled:
        parts.append(f"Client sync is not enabled for {name}. To sync its TimeSolv clients "
                     "to Xero, pick the client file, tick Enable Client Sync and click Save.")
    elif state.last_sync_at is not None:
        when = f"{state.last_sync_at.astimezone():%Y-%m-%d %H:%M}"
        outcome = _OUTCOMES.get(state.last_sync_outcome, state.last_sync_outcome)
        parts.append(f"Client sync is enabled for {name}; {_linked(state.links)}. The last "
                     f"sync, started {when}, {outcome}. Sync again after the client file "
                     "changes; the review shows what the next sync would do.")
    elif state.links:
        parts.append(f"Client sync is enabled for {name}; {_linked(state.links)}. Next, sync "
                     "in the Sync tab, or review the mapping again first.")
    else:
        parts.append(f"Client sync is enabled for {name}. Next, review the mapping of "
                     "TimeSolv clients to Xero contacts.")
    return " ".join(part for part in parts if part)


def saved_text(clients_file: str, listed: ClientList | None) -> str:
    """What Save says before the status: what the client file holds, if it was read."""
    if listed is None:
        return "Saved."
    text = f"Saved. {Path(clients_file).name}: {listed.summary}."
    if listed.problems:
        text += " The Mapping tab lists the rows that need attention, with the reason."
    return text


def _linked(count: int) -> str:
    if not count:
        return "no client is linked to a Xero contact yet"
    return (f"{clients(count, 'is', 'are')} linked to "
            f"{'a Xero contact' if count == 1 else 'Xero contacts'}")
