"""HTTP plumbing of the sandbox: the request handler and the threading server.

Public API: Handler, Server, MAX_BODY.

ThreadingHTTPServer on a loopback address, HTTP/1.1 keep-alive with exact Content-Length, one
daemon thread per connection. Request logging is silenced: query strings and bodies carry codes
and tokens. A Response with `drop` set closes the connection without a byte of answer.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .exchange import Request, Response, text_response
from .routes import Router

log = logging.getLogger(__name__)

MAX_BODY = 10 * 1024 * 1024
MAX_DRAIN = 64 * 1024 * 1024  # beyond this the connection is just closed


class Handler(BaseHTTPRequestHandler):
    """One connection: parse each request, ask the router, send (or drop) the answer."""

    protocol_version = "HTTP/1.1"
    server_version = "XeroSandbox/1.0"
    sys_version = ""
    timeout = 120
    # headers and body go out as two writes: with Nagle on, the body waits for the client's
    # delayed ACK of the headers (40 ms a call on Linux)
    disable_nagle_algorithm = True
    server: Server

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, from the sandbox's clock: Xero's own time, as UpdatedDateUTC."""
        if timestamp is None:
            timestamp = self.server.router.state.options.clock()
        return super().date_time_string(timestamp)

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
        if response.drop:
            self.close_connection = True  # the server then shuts the socket: the client sees EOF
            return
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


class Server(ThreadingHTTPServer):
    """Serves the router; tracks open connections so stop() can end them."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], router: Router) -> None:
        self.router = router
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, Handler)

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
