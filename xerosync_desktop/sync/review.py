"""Loading the mapping review and confirming it: the jobs behind the Mapping tab.

Public API: Review, load_review(), refresh_mirror(), confirm_mappings(), countdown(),
OVERLAP.

Xero's contacts come from the store's mirror of the organisation, brought up to date first:
everything on the first read, then only what changed (If-Modified-Since, whole seconds, a
little before the last read began, since Xero does not say whether the header is inclusive;
the overlap is read again and de-duplicated by ContactID).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from ..core.intake import ClientList
from ..core.matcher import build_review, mappings_to_confirm
from ..core.model import Client, ClientProblem, Contact, FileFacts, ReviewRow
from ..errors import CancelledError, SettingsError
from ..long_lived import freeze_long_lived
from ..store import Store, SyncSettings
from ..timesolv.loader import load_clients
from ..xero.client import XeroClient
from .events import Progress, SyncEvent, Waiting

log = logging.getLogger(__name__)

Report = Callable[[SyncEvent], None]
OVERLAP = timedelta(seconds=2)


@dataclass(frozen=True)
class Review:
    """A snapshot: the client file and Xero's contacts, paired into rows by the stored links;
    the file's rows that need attention come first."""

    settings: SyncSettings
    clients: tuple[Client, ...]
    contacts: tuple[Contact, ...]
    rows: tuple[ReviewRow, ...]
    problems: tuple[ClientProblem, ...] = ()
    source: str = ""  # how the client file was read (encoding, delimiter, sheet)
    added_as_new: frozenset[str] = frozenset()  # clients a person decided to add as new
    links: frozenset[str] = frozenset()  # clients with a stored link (Unlink can forget it)
    client_file: FileFacts | None = None  # the file as read: path, size, time, SHA-256

    @property
    def file_summary(self) -> str:
        """`156 clients: 150 to sync, 3 prospects, 3 need attention`."""
        return ClientList(self.clients, self.problems, self.source).summary

    def relinked(self, mappings: dict[str, str],
                 added_as_new: Collection[str] | None = None) -> Review:
        """The same snapshot with other stored links and decisions (after Confirm Mappings,
        a decision in Mapping or a sync)."""
        decided = self.added_as_new if added_as_new is None else frozenset(added_as_new)
        rows = build_review(self.clients, self.contacts, mappings, self.problems, decided,
                            self.settings.keep_xero_names)
        return replace(self, added_as_new=decided, links=frozenset(mappings), rows=tuple(rows))

    def row_of(self, client_id: str) -> ReviewRow | None:
        """The row of a client (its id as in the file, case and spaces set aside)."""
        wanted = client_id.strip().casefold()
        return next((row for row in self.rows if row.client is not None
                     and row.client_id.strip().casefold() == wanted), None)


def countdown(report: Report, should_stop: Callable[[], bool],
              note: Callable[[str], None] | None = None) -> Callable[[float, float, str], bool]:
    """A Xero client's wait listener: `Waiting` events each second, `note` once a wait
    starts, and False (stop waiting) once the user cancelled."""
    def tick(left: float, total: float, reason: str) -> bool:
        if note is not None and left == total and total > 0:
            note(f"{reason}: waiting {int(total)} s.")
        report(Waiting(int(left), reason))
        return not should_stop()
    return tick


def load_review(settings: SyncSettings, xero: XeroClient, store: Store,
                report: Report, should_stop: Callable[[], bool] = lambda: False) -> Review:
    """Read the client file and every Xero contact (archived too), and pair them.

    `should_stop` is asked after each page of contacts: True ends the read with
    CancelledError, nothing of it kept.
    """
    if not settings.tenant_id:
        raise SettingsError("Pick a Xero organisation in Setup first.")
    if not settings.clients_file:
        raise SettingsError("Pick the TimeSolv client file in Setup first.")
    report(Progress(0, 0, "Reading the TimeSolv client file…"))
    listed = load_clients(settings.clients_file)
    freeze_long_lived()  # the clients live until the job ends
    report(Progress(0, 0, f"Read {listed.summary}. Reading contacts from Xero…"))
    refresh_mirror(settings.tenant_id, xero, store, report, should_stop)
    contacts = store.mirror.contacts(settings.tenant_id)
    mappings = store.mappings.for_tenant(settings.tenant_id)
    added_as_new = frozenset(store.decisions.added_as_new(settings.tenant_id))
    rows = build_review(listed.clients, contacts, mappings, listed.problems, added_as_new,
                        settings.keep_xero_names)
    log.info("review loaded: %s (%s), %d Xero contacts, %d stored links", listed.summary,
             listed.source, len(contacts), len(mappings))
    report(Progress(1, 1, f"{listed.summary}; {len(contacts)} Xero contacts."))
    freeze_long_lived()  # the review lives until the job ends: out of the collector's walks
    return Review(settings=settings, clients=listed.clients, contacts=tuple(contacts),
                  rows=tuple(rows), problems=listed.problems, source=listed.source,
                  added_as_new=added_as_new, links=frozenset(mappings),
                  client_file=listed.file)


def refresh_mirror(tenant_id: str, xero: XeroClient, store: Store, report: Report,
                   should_stop: Callable[[], bool] = lambda: False) -> None:
    """Read what changed in Xero into the organisation's mirror; `should_stop` is asked
    after each page (True: CancelledError, nothing of the read kept)."""
    mark = store.mirror.read_mark_ms(tenant_id)
    since = None if not mark else (
        datetime.fromtimestamp(mark // 1000, UTC) - OVERLAP)
    what = "Xero contacts" if since is None else "changed Xero contacts"
    read = xero.read_contacts(
        tenant_id, since,
        on_page=lambda done, total: _page_read(done, total, what, report, should_stop))
    started_ms = None if read.started_at is None else int(read.started_at.timestamp() * 1000)
    with store.transaction():
        store.mirror.apply_read(tenant_id, read.contacts, started_ms)
    log.info("read %d %s", len(read.contacts), what)


def _page_read(done: int, total: int, what: str, report: Report,
               should_stop: Callable[[], bool]) -> None:
    if should_stop():
        raise CancelledError
    freeze_long_lived()  # the contacts read so far live until the read ends
    report(Progress(done, total, f"Read {done} of {total} {what}…"))


def confirm_mappings(review: Review, store: Store) -> Review:
    """Store the ContactID of every Matched row, so each becomes Mapped."""
    links = mappings_to_confirm(review.rows)
    with store.transaction():
        store.mappings.save(review.settings.tenant_id, links, source="confirmed")
    log.info("confirmed %d mappings", len(links))
    return review.relinked(store.mappings.for_tenant(review.settings.tenant_id))
