"""Loading the mapping review and confirming it: the jobs behind the Mapping tab.

Public API: Review, load_review(), confirm_mappings().
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..core.matcher import build_review, mappings_to_confirm
from ..core.model import Client, Contact, ReviewRow
from ..errors import SettingsError
from ..store import Store, SyncSettings
from ..timesolv.loader import load_clients
from ..xero.client import XeroClient
from .events import Progress, SyncEvent

log = logging.getLogger(__name__)

Report = Callable[[SyncEvent], None]


@dataclass(frozen=True)
class Review:
    """A snapshot: the client file and Xero's contacts, paired into rows by the stored links."""

    settings: SyncSettings
    clients: tuple[Client, ...]
    contacts: tuple[Contact, ...]
    rows: tuple[ReviewRow, ...]

    def relinked(self, mappings: dict[str, str]) -> Review:
        """The same snapshot with other stored links (after Confirm Mappings or a sync)."""
        return replace(self, rows=tuple(build_review(self.clients, self.contacts, mappings)))


def load_review(settings: SyncSettings, xero: XeroClient, store: Store,
                report: Report) -> Review:
    """Read the client file and every Xero contact (archived too), and pair them."""
    if not settings.tenant_id:
        raise SettingsError("Pick a Xero organisation in Setup first.")
    if not settings.clients_file:
        raise SettingsError("Pick the TimeSolv client file in Setup first.")
    report(Progress(0, 0, "Reading the TimeSolv client file…"))
    clients = load_clients(settings.clients_file)
    report(Progress(0, 0, f"Read {len(clients)} clients. Reading contacts from Xero…"))
    contacts = xero.list_contacts(
        settings.tenant_id,
        on_page=lambda read, total: report(Progress(read, total,
                                                    f"Read {read} of {total} Xero contacts…")))
    mappings = store.mappings.for_tenant(settings.tenant_id)
    rows = build_review(clients, contacts, mappings)
    log.info("review loaded: %d clients, %d Xero contacts, %d stored links", len(clients),
             len(contacts), len(mappings))
    report(Progress(1, 1, f"{len(clients)} clients, {len(contacts)} Xero contacts."))
    return Review(settings=settings, clients=tuple(clients), contacts=tuple(contacts),
                  rows=tuple(rows))


def confirm_mappings(review: Review, store: Store) -> Review:
    """Store the ContactID of every Matched row, so each becomes Mapped."""
    links = mappings_to_confirm(review.rows)
    with store.transaction():
        store.mappings.save(review.settings.tenant_id, links, source="confirmed")
    log.info("confirmed %d mappings", len(links))
    return review.relinked(store.mappings.for_tenant(review.settings.tenant_id))
