"""OAuth2 authorization code + PKCE (S256) through the system browser and a loopback redirect.

Public API: SCOPES, LoopbackReceiver, AuthorizationRequest,
start_authorization(), finish_authorization(), exchange_code(), sign_in_without_browser(),
revoke_grant().

There is no client secret: the verifier proves that the app which asked for the code is the
one redeeming it. The receiver answers exactly one callback and then stops listening.
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
from http.server import BaseHTTPRequestHandler, HTTPServer
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
_PAGE = ("<!doctype html><meta charset=utf-8><title>xerosync</title>"
         "<body style='font-family:sans-serif;margin:3em'><h2>{title}</h2><p>{text}</p>")


@dataclass(frozen=True)
class Callback:
    """What the browser brought back to the loopback address."""

    code: str = ""
    state: str = ""
    error: str = ""


class LoopbackReceiver:
    """Listens on 127.0.0.1 for the one redirect that ends a browser sign-in.

    It owns the sign-in's `state`: a request to the callback with any other state (a stale
    tab, another program) is answered 400 and the wait goes on. It always listens on
    127.0.0.1; `redirect_host` is the name in the redirect URI, which Xero compares with the
    registered one character for character (Xero registers `localhost`).
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1",
                 redirect_host: str | None = None) -> None:
        self.state = secrets.token_urlsafe(24)
        self._redirect_host = redirect_host or host
        self._result: Callback | None = None
        self._done = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
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
                    raise LoginError("Xero sign-in was not completed in time. Click Connect to "
                                     "Xero to try again.")
            assert self._result is not None
            return self._result
        finally:
            self.close()

    def close(self) -> None:
        """Stop listening and free the port; safe to call twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=0.1)

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        if url.path != CALLBACK_PATH or self._done.is_set():
            request.send_error(404)
            return
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if not secrets.compare_digest(query.get("state", ""), self.state):
            self._answer(request, 400, "Not this sign-in",
                         "This answer is not for the sign-in xerosync is waiting for.")
            return
        self._result = Callback(code=query.get("code", ""), state=query.get("state", ""),
                                error=query.get("error", ""))
        if self._result.error:
            self._answer(request, 200, "Not connected",
                         "Xero did not grant access. You can close this tab.")
        else:
            self._answer(request, 200, "Connected to Xero",
                         "You can close this tab and return to xerosync.")
        self._done.set()

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, title: str, text: str) -> None:
        body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
        request.send_response(status)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.send_header("Cache-Control", "no-store")
        request.end_headers()
        request.wfile.write(body)


class _ExclusiveHTTPServer(HTTPServer):
    """Never shares its port with a program listening on it.

    On POSIX, SO_REUSEADDR only lets the port be bound again while the last sign-in's
    connections linger in TIME_WAIT (a reconnect right after a sign-in); on Windows it
    would let two programs listen on one port, so there it is off and the port exclusive.
    """

    allow_reuse_address = os.name != "nt"

    def server_bind(self) -> None:
        exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)  # Windows only
        if exclusive is not None:
            self.socket.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        super().server_bind()


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
    callback = receiver.wait(timeout, should_stop)
    if callback.state != request.state:
        raise LoginError("The answer from the browser did not belong to this sign-in, so it "
                         "was ignored. Click Connect to Xero to try again.")
    if callback.error == "access_denied":
        raise LoginError("Access to Xero was not allowed, so the app is not connected. Click "
                         "Connect to Xero and choose Allow access to connect.")
    if callback.error or not callback.code:
        raise LoginError("Xero did not complete the sign-in. Click Connect to Xero to try "
                         "again.")
    return exchange_code(endpoints, client_id, callback.code, request.redirect_uri,
                         request.verifier)


def exchange_code(endpoints: XeroEndpoints, client_id: str, code: str, redirect_uri: str,
                  verifier: str) -> dict[str, Any]:
    """POST the authorization code with its verifier; the token response with `expires_at`."""
    fields = {"grant_type": "authorization_code", "client_id": client_id, "code": code,
              "redirect_uri": redirect_uri, "code_verifier": verifier}
    response = _post_form(endpoints.token_url, fields, "finish signing in")
    if response.status != 200:
        log.warning("token endpoint refused the authorization code: HTTP %s", response.status)
        raise AuthorizationError("Xero refused the sign-in. Click Connect to Xero to try "
                                 "again.")
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


def sign_in_without_browser(endpoints: XeroEndpoints, client_id: str,
                            timeout: float = 30) -> dict[str, Any]:
    """The same PKCE flow with no person: only for a sandbox, whose demo login approves at once.

    The authorize URL is followed over HTTP, redirect included, as a browser would.
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
                                    should_stop=failed.is_set, timeout=timeout)
    except LoginError:
        if failed.is_set():
            raise XeroUnavailableError(f"The Xero sandbox at {endpoints.identity_base} could "
                                       "not be reached. Check that it is running.") from None
        raise
    finally:
        thread.join(timeout)


def revoke_grant(endpoints: XeroEndpoints, client_id: str, refresh_token: str) -> None:
    """POST the refresh token to the revocation endpoint: ends the grant and its connections.

    The SDK's own revoke needs a client secret, which a PKCE app does not have.
    """
    response = _post_form(endpoints.revocation_url,
                          {"token": refresh_token, "client_id": client_id}, "sign out")
    if response.status != 200:
        log.warning("revocation endpoint answered HTTP %s", response.status)
        raise XeroError(f"Xero did not confirm the sign-out (HTTP {response.status}). Try "
                        "again, or remove the app's access at xero.com under Settings, "
                        "Connected Apps.")


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
