"""The sandbox's Python face: start, stop and inspect a local Xero, and inject faults.

Public API: XeroSandbox.

See handler.py for the HTTP plumbing, faults.py and injection.py for the faults and control.py
for the same test helpers over HTTP.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from . import writes
from .apps import AppRegistration
from .book import ContactBook
from .clock import VirtualClock
from .faults import Fault, parse_fault
from .handler import Server
from .identity import TokenSigner
from .injection import AppliedFault, FaultListener
from .limits import RateLimiter
from .merges import merge_contacts
from .options import SandboxOptions
from .query import sort_contacts
from .routes import Router
from .rules import field_errors
from .shapes import render_contact
from .state import SandboxState


class XeroSandbox:
    """A local Xero: identity and Contacts endpoints on 127.0.0.1, plus test helpers.

    `start()` serves in a daemon thread and returns self; `stop()` is idempotent. The helpers
    (organisations, contacts, add_contact, ...) act as a user in Xero's web UI would, are
    thread-safe and return deep copies in Xero's JSON shape.
    """

    def __init__(self, options: SandboxOptions | None = None) -> None:
        self.options = options or SandboxOptions()
        self._state = SandboxState(self.options)
        self._router = Router(self._state, RateLimiter(self.options), TokenSigner())
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._url = ""

    # Lifecycle

    def start(self) -> XeroSandbox:
        """Bind and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        server = Server((self.options.host, self.options.port), self._router)
        host, port = server.server_address[:2]
        self._url = f"http://{host!s}:{port}"
        with self._state.lock:
            self._state.issuer = self._url
        self._server = server
        self._state.faults.start()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"xero-sandbox-{port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and every open connection, join the thread."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        self._state.faults.stop()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=10)

    def __enter__(self) -> XeroSandbox:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. http://127.0.0.1:54321."""
        if not self._url:
            raise RuntimeError("the sandbox is not started")
        return self._url

    # Inspection and "the user clicks in Xero" helpers

    def organisations(self) -> list[dict[str, str]]:
        """[{"tenantId", "tenantName"}] for every organisation."""
        with self._state.lock:
            return [dict(org) for org in self._state.orgs.values()]

    def _book(self, tenant_id: str) -> ContactBook:
        book = self._state.book(tenant_id)
        if book is None:
            raise KeyError(f"no organisation {tenant_id}")
        return book

    def contacts(self, tenant_id: str, include_archived: bool = True) -> list[dict[str, Any]]:
        """An organisation's contacts in Xero's JSON shape, oldest change first."""
        with self._state.lock:
            rows = [c for c in self._book(tenant_id)
                    if include_archived or c["ContactStatus"] != "ARCHIVED"]
            return [render_contact(c) for c in sort_contacts(rows, [("UpdatedDateUTC", False)])]

    def add_contact(self, tenant_id: str, **fields: Any) -> dict[str, Any]:
        """Create a contact as a user would in Xero (names stay unique among active ones).

        Accepts Xero field names; `ContactID`, `MergedToContactID` and `UpdatedDateUTC` (ms)
        may be given to build a particular state. Raises ValueError on a rule it breaks.
        """
        with self._state.lock:
            book = self._book(tenant_id)
            contact = writes.new_contact(fields, self._state.now_ms(), fields.get("ContactID"))
            if book.get(contact["ContactID"]) is not None:
                raise ValueError(f"ContactID {contact['ContactID']} already exists")
            return self._save(book, contact, fields)

    def merge_contacts(self, tenant_id: str, merged_id: str, into_id: str) -> dict[str, Any]:
        """Merge one contact into another as a person does in Xero's web app (merges.py);
        the kept contact. KeyError for an unknown one, ValueError for a merge Xero refuses."""
        with self._state.lock:
            kept = merge_contacts(self._book(tenant_id), merged_id, into_id,
                                  self._state.now_ms())
            self._state.save()
            return render_contact(copy.deepcopy(kept))

    def update_contact(self, tenant_id: str, contact_id: str, **fields: Any) -> dict[str, Any]:
        """Edit a contact as a user would in Xero's UI, where archived ones can be restored."""
        with self._state.lock:
            book = self._book(tenant_id)
            stored = book.get(contact_id)
            if stored is None:
                raise KeyError(f"no contact {contact_id} in {tenant_id}")
            return self._save(book, writes.merged(stored, fields), fields)

    def _save(self, book: ContactBook, contact: dict[str, Any], fields: dict[str, Any]
              ) -> dict[str, Any]:
        errors = field_errors(fields) + writes.conflicts(
            book, contact, self.options.archived_name_blocks_create)
        if errors:
            raise ValueError(" ".join(errors))
        if fields.get("MergedToContactID"):
            contact["MergedToContactID"] = fields["MergedToContactID"]
        contact["UpdatedDateUTC"] = int(fields.get("UpdatedDateUTC") or self._state.now_ms())
        book.put(contact)
        self._state.save()
        return render_contact(copy.deepcopy(contact))

    def call_count(self, tenant_id: str) -> int:
        """Accounting API calls received for an organisation (every status, 401 and 429 too)."""
        with self._state.lock:
            return self._state.calls[tenant_id.lower()]

    def calls(self) -> dict[str, int]:
        """Accounting calls received per organisation (lower-case tenantId, every status): each
        organisation, 0 included, and any other tenant id a call named."""
        with self._state.lock:
            return self._state.call_counts()[0]

    def writes(self, tenant_id: str) -> int:
        """Write requests of an organisation that saved at least one contact (not replays)."""
        with self._state.lock:
            return self._state.writes[tenant_id.lower()]

    # Faults and time

    def inject(self, *faults: Fault | str) -> None:
        """Add faults (Fault objects or specs like "drop:calls=3"); ValueError on a bad spec."""
        self._state.faults.add(_faults(faults))

    def set_faults(self, faults: Iterable[Fault | str]) -> None:
        """Replace the faults in force."""
        self._state.faults.replace(_faults(faults))

    def clear_faults(self) -> None:
        """No more faults (the fault log is kept)."""
        self._state.faults.replace(())

    def faults(self) -> list[Fault]:
        """The faults in force."""
        return list(self._state.faults.faults())

    def fault_log(self) -> list[AppliedFault]:
        """Every fault applied so far, oldest first."""
        return self._state.faults.log()

    def on_fault(self, listener: FaultListener) -> None:
        """Call `listener(applied)` from the request's thread whenever a fault applies (a hold
        when it starts): tests wait on an Event set here instead of sleeping."""
        self._state.faults.listen(listener)

    def release_holds(self) -> None:
        """Send every held answer now."""
        self._state.faults.release_holds()

    def advance_clock(self, seconds: float) -> float:
        """Move the virtual clock forward and return the new time; RuntimeError on another."""
        clock = self.options.clock
        if not isinstance(clock, VirtualClock):
            raise RuntimeError("the sandbox is not running on a virtual clock")
        return clock.advance(seconds)

    def grants(self) -> list[dict[str, Any]]:
        """Every live grant: {"client_id", "tenant_ids"} (what Xero's Connected Apps shows)."""
        with self._state.lock:
            return [{"client_id": grant["client_id"],
                     "tenant_ids": [c["tenantId"] for c in grant["connections"]]}
                    for grant in self._state.grants.values()]

    def refresh_token_status(self, token: str) -> str:
        """'current' (the grant's newest), 'superseded' (rotated away) or 'unknown'."""
        with self._state.lock:
            found = self._state.refresh_record(token)
            if found is None:
                return "unknown"
            return "superseded" if found[1]["superseded"] is not None else "current"

    def register_app(self, app: AppRegistration) -> None:
        """Register a Xero app, or change its registration, as at developer.xero.com; from the
        first one on, only registered client ids can sign in."""
        with self._state.lock:
            self._state.apps[app.client_id] = app

    def set_consent(self, approve: bool) -> None:
        """Demo consent: approve at once (default) or send the user back with access_denied."""
        with self._state.lock:
            self._state.consent = bool(approve)

    def expire_access_tokens(self) -> None:
        """Every access token issued so far now answers 401 (refresh tokens still work)."""
        with self._state.lock:
            past = self._state.now() - 1
            for grant in self._state.grants.values():
                for digest in grant["access"]:
                    grant["access"][digest] = past
            self._state.save()

    def revoke_all_grants(self) -> None:
        """The user disconnected the app: every refresh token gets invalid_grant, every access
        token 401, every connection is gone."""
        with self._state.lock:
            for grant_id in list(self._state.grants):
                self._state.remove_grant(grant_id)
            self._state.save()


def _faults(faults: Iterable[Fault | str]) -> list[Fault]:
    return [parse_fault(f) if isinstance(f, str) else f for f in faults]
