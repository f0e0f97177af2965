"""The sandbox's HTTP server and its Python face.

Public API: XeroSandbox, MAX_BODY.

ThreadingHTTPServer on a loopback address, HTTP/1.1 keep-alive with exact Content-Length, one
daemon thread per connection. Request logging is silenced: query strings and bodies carry codes
and tokens.
"""

from __future__ import annotations

import copy
import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from . import writes
from .book import ContactBook
from .exchange import Request, Response, text_response
from .identity import TokenSigner
from .limits import RateLimiter
from .options import SandboxOptions
from .query import sort_contacts
from .routes import Router
from .rules import field_errors
from .shapes import render_contact
from .state import SandboxState

log = logging.getLogger(__name__)

MAX_BODY = 10 * 1024 * 1024
MAX_DRAIN = 64 * 1024 * 1024  # beyond this the connection is just closed


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "XeroSandbox/1.0"
    sys_version = ""
    timeout = 120
    server: _Server

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        """Silenced: request lines carry authorization codes."""

    def _read_body(self) -> tuple[bytes, bool] | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks), False
                total += size
                if total > MAX_BODY:
                    return b"", True
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            return None
        if length > MAX_BODY:
            self._discard(length)
            return b"", True
        return self.rfile.read(length), False

    def _discard(self, length: int) -> None:
        """Read an over-long body away (up to a bound) so the client sees the 413."""
        remaining = min(length, MAX_DRAIN)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 16))
            if not chunk:
                return
            remaining -= len(chunk)

    def _handle(self) -> None:
        try:
            read = self._read_body()
        except ValueError:
            read = None
        if read is None:
            response = text_response(400, "Bad request")
            response.close = True
        else:
            body, too_large = read
            split = urlsplit(self.path)
            request = Request(method=self.command, path=split.path, query_string=split.query,
                              headers={k.lower(): v for k, v in self.headers.items()},
                              body=body, too_large=too_large)
            response = self.server.router.dispatch(request)
            if too_large:
                response.close = True
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if response.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], router: Router) -> None:
        self.router = router
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client hanging up mid-answer is normal; anything else goes to the log."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            log.error("sandbox connection failed", exc_info=error)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def close_connections(self) -> None:
        """End every kept-alive connection so no thread serves after stop()."""
        with self._open_lock:
            for sock in list(self._open):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


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
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._url = ""

    # Lifecycle

    def start(self) -> XeroSandbox:
        """Bind and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        server = _Server((self.options.host, self.options.port), self._router)
        host, port = server.server_address[:2]
        self._url = f"http://{host!s}:{port}"
        with self._state.lock:
            self._state.issuer = self._url
        self._server = server
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
