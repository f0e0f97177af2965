"""OAuth2 authorization code + PKCE (S256) through the system browser and a loopback redirect.

Public API: SCOPES, LoopbackReceiver, AuthorizationRequest, start_authorization(),
finish_authorization(), exchange_code(), sign_in_without_browser(), revoke_grant(),
callback_error_text(), token_error_text(), error_page_hint(), APP_SETTINGS_URL.

There is no client secret: the verifier proves that the app which asked for the code is the
one redeeming it. The receiver takes the first callback that carries this sign-in's state and
then answers no other; it serves each connection on its own thread with a socket timeout, so a
browser's idle preconnection cannot hold up the real callback, and it takes the code before it
writes the page, so a tab closed at once still completes the sign-in.

What Xero answers, in the callback (`error`, `error_description`) or at the token endpoint
(`{"error": ...}`), becomes a sentence naming the fix. Xero answers some mistakes with an error
page of its own and never calls back (an unknown client id, a redirect URI not registered):
error_page_hint() says what to check while the app waits.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import certifi
import urllib3

from ..errors import AuthorizationError, LoginError, XeroError, XeroUnavailableError
from .endpoints import XeroEndpoints

log = logging.getLogger(__name__)

# The least the product needs: contacts, and a refresh token to stay connected. Listing and
# removing connections (/connections) needs no scope of its own, and the app reads nothing
# from an id token, so `openid profile email` are not asked for.
SCOPES = ("offline_access", "accounting.contacts")
CALLBACK_PATH = "/callback"
APP_SETTINGS_URL = "developer.xero.com/app/manage"
RECEIVER_TIMEOUT = 10.0  # seconds a connection to the receiver may stay silent
_PAGE = ("<!doctype html><meta charset=utf-8><title>xerosync</title>"
         "<body style='font-family:sans-serif;margin:3em'><h2>{title}</h2><p>{text}</p>")
NOT_IN_TIME_TEXT = "Xero sign-in was not completed in time."


@dataclass(frozen=True)
class Callback:
    """What the browser brought back to the loopback address."""

    code: str = ""
    state: str = ""
    error: str = ""
    error_description: str = ""


class _NotInTime(LoginError):
    """The wait ended with no callback; finish_authorization() says what to check."""


class LoopbackReceiver:
    """Listens on 127.0.0.1 for the redirect that ends a browser sign-in.

    It owns the sign-in's `state`: a request to the callback with any other state (a stale
    tab, another program) is answered 400 and the wait goes on, as is a request whose Host
    is not the loopback address it serves (a web page reaching it through DNS rebinding). It
    always listens on 127.0.0.1; `redirect_host` is the name in the redirect URI, which Xero
    compares with the registered one character for character (Xero registers `localhost`).
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1",
                 redirect_host: str | None = None,
                 connection_timeout: float = RECEIVER_TIMEOUT) -> None:
        self.state = secrets.token_urlsafe(24)
        self._host = host
        self._redirect_host = redirect_host or host
        self._result: Callback | None = None
        self._done = threading.Event()  # a callback was taken
        self._answered = threading.Event()  # and its page written (or the browser gone)
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            timeout = connection_timeout  # a silent connection is closed, never waited on

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # the query string holds the code: never log it

        try:
            self._server = _ExclusiveHTTPServer((host, port), Handler)
        except OSError as exc:
            raise LoginError(f"Port {port} on this computer is already in use, so the sign-in "
                             "cannot return to the app. Close the program using it, or pick "
                             "another port in Setup (and register the same address with your "
                             "Xero app), then connect again.") from exc
        self._thread = threading.Thread(target=self._serve, name="xero-login-callback",
                                        daemon=True)
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        port = self._server.server_address[1]
        return f"http://{self._redirect_host}:{port}{CALLBACK_PATH}"

    def wait(self, timeout: float, should_stop: Callable[[], bool]) -> Callback:
        """The callback, or LoginError when the user walks away or the wait is cancelled."""
        deadline = time.monotonic() + timeout
        try:
            while not self._done.wait(0.2):
                if should_stop():
                    raise LoginError("Connecting to Xero was cancelled.")
                if time.monotonic() > deadline:
                    raise _NotInTime(f"{NOT_IN_TIME_TEXT} Click Connect to Xero to try again.")
            assert self._result is not None
            self._answered.wait(2)  # let the page reach the browser before closing
            return self._result
        finally:
            self.close()

    def close(self) -> None:
        """Stop listening, end the connections still open and free the port; safe twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
        self._server.close_connections()

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=0.1)

    def _host_expected(self, host: str) -> bool:
        port = self._server.server_address[1]
        return host.strip().lower() in {f"{name.lower()}:{port}"
                                        for name in (self._host, self._redirect_host)}

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        if not self._host_expected(request.headers.get("Host") or ""):
            self._answer(request, 400, "Not this sign-in",
                         "This address only answers Xero's sign-in for xerosync.")
            return
        url = urlsplit(request.path)
        if url.path != CALLBACK_PATH or self._done.is_set():
            self._answer(request, 404, "Not found", "There is nothing here.")
            return
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if not secrets.compare_digest(query.get("state", "").encode(), self.state.encode()):
            self._answer(request, 400, "Not this sign-in",
                         "This answer is not for the sign-in xerosync is waiting for.")
            return
        callback = Callback(code=query.get("code", ""), state=query.get("state", ""),
                            error=query.get("error", ""),
                            error_description=query.get("error_description", ""))
        with self._lock:  # the first callback wins; taken before any page is written
            first = self._result is None
            if first:
                self._result = callback
                self._done.set()
        if not first:
            self._answer(request, 404, "Not found", "There is nothing here.")
            return
        try:
            if callback.error or not callback.code:
                self._answer(request, 200, "Not connected",
                             "Xero did not grant access. Return to xerosync to see why; you "
                             "can close this tab.")
            else:
                self._answer(request, 200, "Connected to Xero",
                             "You can close this tab and return to xerosync.")
        finally:
            self._answered.set()

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, title: str, text: str) -> None:
        """Write a small page; a browser that already went away is no error."""
        body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "text/html; charset=utf-8")
            request.send_header("Content-Length", str(len(body)))
            request.send_header("Cache-Control", "no-store")
            request.send_header("Connection", "close")
            request.end_headers()
            request.wfile.write(body)
            request.wfile.flush()
        except OSError as exc:  # BrokenPipeError, ConnectionResetError, TimeoutError
            log.debug("the browser closed the sign-in page's connection (%s)",
                      type(exc).__name__)
        request.close_connection = True


class _ExclusiveHTTPServer(ThreadingHTTPServer):
    """A thread per connection; never shares its port with a program listening on it.

    On POSIX, SO_REUSEADDR only lets the port be bound again while the last sign-in's
    connections linger in TIME_WAIT (a reconnect right after a sign-in); on Windows it
    would let two programs listen on one port, so there it is off and the port exclusive.
    Closing does not wait for the connection threads; close_connections() ends them.
    """

    allow_reuse_address = os.name != "nt"
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int],
                 handler: type[BaseHTTPRequestHandler]) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def server_bind(self) -> None:
        exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)  # Windows only
        if exclusive is not None:
            self.socket.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        super().server_bind()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("a connection to the sign-in receiver failed")  # no traceback on stderr

    def close_connections(self) -> None:
        """Shut every connection still open (an idle preconnection, a slow client)."""
        with self._open_lock:
            still_open = list(self._open)
        for connection in still_open:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@dataclass(frozen=True)
class AuthorizationRequest:
    """One sign-in attempt: the URL to open and what must come back."""

    url: str
    state: str
    verifier: str
    redirect_uri: str


def start_authorization(endpoints: XeroEndpoints, client_id: str,
                        receiver: LoopbackReceiver) -> AuthorizationRequest:
    """A fresh state and PKCE verifier, and the authorize URL that carries their challenge."""
    verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    state = receiver.state
    query = urlencode({
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": receiver.redirect_uri,
        "scope": " ".join(SCOPES),
        "state": state,
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    })
    return AuthorizationRequest(url=f"{endpoints.authorize_url}?{query}", state=state,
                                verifier=verifier, redirect_uri=receiver.redirect_uri)


def finish_authorization(request: AuthorizationRequest, receiver: LoopbackReceiver,
                         endpoints: XeroEndpoints, client_id: str,
                         should_stop: Callable[[], bool],
                         timeout: float = 300) -> dict[str, Any]:
    """Wait for the browser, check it, and redeem the code for tokens."""
    try:
        callback = receiver.wait(timeout, should_stop)
    except _NotInTime:
        if endpoints.is_demo:
            raise
        hint = error_page_hint(client_id, request.redirect_uri)
        raise LoginError(f"{NOT_IN_TIME_TEXT} {hint} Then click Connect to Xero to try "
                         "again.") from None
    if callback.state != request.state:
        raise LoginError("The answer from the browser did not belong to this sign-in, so it "
                         "was ignored. Click Connect to Xero to try again.")
    if callback.error or not callback.code:
        log.warning("Xero sent the sign-in back with error %r", _plain(callback.error, 40))
        raise LoginError(callback_error_text(callback.error, callback.error_description,
                                             client_id))
    return exchange_code(endpoints, client_id, callback.code, request.redirect_uri,
                         request.verifier)


def error_page_hint(client_id: str, redirect_uri: str) -> str:
    """What to check when Xero shows its own error page and never comes back to the app."""
    return (f"If Xero showed an error page instead of asking you to allow access, check your "
            f"Xero app at {APP_SETTINGS_URL}: it must be a Mobile or desktop app with client "
            f"id {client_id} and the redirect URI {redirect_uri} exactly.")


def _invalid_client_text(client_id: str) -> str:
    return (f"Xero refused the sign-in: it does not accept the app with client id {client_id} "
            f"(invalid_client). At {APP_SETTINGS_URL} the app must be a Mobile or desktop "
            "app, which uses PKCE and has no client secret, with exactly this client id; a "
            "Web app will not work. Create one if needed, enter its client id in Setup, then "
            "click Connect to Xero again.")


def _unauthorized_client_text(client_id: str) -> str:
    return (f"Xero does not let the app with client id {client_id} sign in this way "
            f"(unauthorized_client), so the app is not connected. At {APP_SETTINGS_URL} it "
            "must be a Mobile or desktop app, which uses PKCE, not a Web app or a Custom "
            "connection. Create one if needed, enter its client id in Setup, then click "
            "Connect to Xero again.")


def callback_error_text(error: str, description: str, client_id: str) -> str:
    """The sentence for an `error` Xero sent back to the loopback address."""
    error = _plain(error, 40)
    if error == "access_denied":
        return ("Access to Xero was not allowed, so the app is not connected. Click Connect "
                "to Xero and choose Allow access to connect.")
    if error == "invalid_scope":
        return (f"Xero refused the permissions xerosync asks for ({' '.join(SCOPES)}), so "
                f"the app is not connected. At {APP_SETTINGS_URL}, check that the app with "
                f"client id {client_id} is a Mobile or desktop app that may use these scopes, "
                "then click Connect to Xero again.")
    if error == "unauthorized_client":
        return _unauthorized_client_text(client_id)
    if error == "invalid_client":
        return _invalid_client_text(client_id)
    if error in ("server_error", "temporarily_unavailable"):
        return (f"Xero could not finish the sign-in just now ({error}). Wait a few minutes, "
                "then click Connect to Xero again.")
    if not error:
        return "Xero did not complete the sign-in. Click Connect to Xero to try again."
    said = _plain(description, 200)
    return (f"Xero did not complete the sign-in ({error}{': ' + said if said else ''}). Check "
            f"the app with client id {client_id} at {APP_SETTINGS_URL}, then click Connect "
            "to Xero again.")


def token_error_text(error: str, status: int, client_id: str) -> str:
    """The sentence for the token endpoint refusing the code (`{"error": ...}`, HTTP 4xx)."""
    if error == "invalid_client":
        return _invalid_client_text(client_id)
    if error == "unauthorized_client":
        return _unauthorized_client_text(client_id)
    if error == "invalid_grant":
        return ("Xero refused the sign-in: its one-time code was not accepted "
                "(invalid_grant). A code works once, for 5 minutes, and only with the same "
                "redirect URI. Click Connect to Xero to sign in again.")
    what = error or f"HTTP {status}"
    return (f"Xero refused the sign-in ({what}). Click Connect to Xero to try again; if it "
            f"happens again, check the app with client id {client_id} at {APP_SETTINGS_URL}.")


def _plain(text: str, limit: int) -> str:
    """Text from the browser or Xero made fit for a sentence: printable, one line, short."""
    cleaned = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return cleaned if len(cleaned) <= limit else cleaned[:limit - 1] + "…"


def _error_code(data: bytes) -> str:
    """The `error` of an OAuth2 error body, or ''."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return ""
    return _plain(str(body.get("error") or ""), 40) if isinstance(body, dict) else ""


def exchange_code(endpoints: XeroEndpoints, client_id: str, code: str, redirect_uri: str,
                  verifier: str) -> dict[str, Any]:
    """POST the authorization code with its verifier; the token response with `expires_at`."""
    fields = {"grant_type": "authorization_code", "client_id": client_id, "code": code,
              "redirect_uri": redirect_uri, "code_verifier": verifier}
    response = _post_form(endpoints.token_url, fields, "finish signing in")
    if response.status >= 500:
        log.warning("token endpoint failed: HTTP %s", response.status)
        raise XeroUnavailableError(f"Xero's sign-in service had a problem (HTTP "
                                   f"{response.status}). Wait a few minutes, then click "
                                   "Connect to Xero again.")
    if response.status != 200:
        error = _error_code(response.data)
        log.warning("token endpoint refused the authorization code: HTTP %s %s",
                    response.status, error)
        text = token_error_text(error, response.status, client_id)
        if error in ("invalid_client", "unauthorized_client"):
            raise LoginError(text)  # the Xero app's settings, not a lost grant
        raise AuthorizationError(text)
    try:
        token: dict[str, Any] = json.loads(response.data)
    except ValueError as exc:
        raise XeroUnavailableError("Xero's answer to the sign-in could not be read. Try "
                                   "again in a few minutes.") from exc
    if not token.get("access_token"):
        raise AuthorizationError("Xero's answer to the sign-in held no access. Connect again.")
    if token.get("expires_in"):
        token["expires_at"] = time.time() + float(token["expires_in"])
    return token


def sign_in_without_browser(endpoints: XeroEndpoints, client_id: str, timeout: float = 30,
                            should_stop: Callable[[], bool] = lambda: False) -> dict[str, Any]:
    """The same PKCE flow with no person: only for a sandbox, whose demo login approves at once.

    The authorize URL is followed over HTTP, redirect included, as a browser would;
    `should_stop` cancels the wait (the demo's sign-in at start, cancelled in Setup).
    """
    if not endpoints.is_demo:
        raise LoginError("Signing in to Xero needs a person at a browser. Open the app and "
                         "click Connect to Xero.")
    receiver = LoopbackReceiver()
    request = start_authorization(endpoints, client_id, receiver)
    failed = threading.Event()

    def visit() -> None:
        http = urllib3.PoolManager(
            retries=urllib3.Retry(total=3, connect=0, read=0, status=0, redirect=3),
            timeout=urllib3.Timeout(connect=10, read=timeout))
        try:
            http.request("GET", request.url)
        except urllib3.exceptions.HTTPError:
            failed.set()
        finally:
            http.clear()

    thread = threading.Thread(target=visit, name="sandbox-login", daemon=True)
    thread.start()
    try:
        return finish_authorization(request, receiver, endpoints, client_id,
                                    should_stop=lambda: failed.is_set() or should_stop(),
                                    timeout=timeout)
    except LoginError:
        if failed.is_set():
            raise XeroUnavailableError(f"The Xero sandbox at {endpoints.identity_base} could "
                                       "not be reached. Check that it is running.") from None
        raise
    finally:
        thread.join(timeout)


def revoke_grant(endpoints: XeroEndpoints, client_id: str, refresh_token: str) -> None:
    """POST the refresh token to the revocation endpoint: ends the grant and its connections.

    Xero documents this call with a client secret, which a PKCE app does not have; sent with
    the client id alone it may be refused, so sign-out removes each connection first.
    XeroError (XeroUnavailableError when unreachable) says what Xero answered.
    """
    response = _post_form(endpoints.revocation_url,
                          {"token": refresh_token, "client_id": client_id}, "sign out")
    if response.status != 200:
        error = _error_code(response.data)
        log.warning("revocation endpoint answered HTTP %s %s", response.status, error)
        raise XeroError(f"Xero did not confirm that the sign-in was revoked (HTTP "
                        f"{response.status}{', ' + error if error else ''}).")


def _post_form(url: str, fields: dict[str, str], doing: str) -> urllib3.BaseHTTPResponse:
    """One form POST to Xero's identity service, no retries, with timeouts."""
    http = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
                               retries=False, timeout=urllib3.Timeout(connect=10, read=60))
    try:
        return http.request("POST", url, fields=fields, encode_multipart=False,
                            headers={"Accept": "application/json"})
    except urllib3.exceptions.HTTPError:
        raise XeroUnavailableError(f"Could not reach Xero to {doing}. Check the internet "
                                   "connection, then try again.") from None
    finally:
        http.clear()
