"""Sign-in that says what went wrong, and a loopback receiver that cannot be held up.

Every path runs end to end: the sandbox plays a Xero app registered one way or another, the
real LoopbackReceiver listens, and the browser is real HTTP.
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from xerosync_desktop.errors import AuthorizationError, LoginError, XeroError
from xerosync_desktop.sandbox import AppRegistration, SandboxOptions, XeroSandbox
from xerosync_desktop.xero.auth import (
    AuthorizationRequest,
    LoopbackReceiver,
    exchange_code,
    finish_authorization,
    revoke_grant,
    start_authorization,
)
from xerosync_desktop.xero.endpoints import XeroEndpoints

CLIENT_ID = "0123456789ABCDEF0123456789ABCDEF"


@pytest.fixture
def make_xero() -> Iterator[object]:
    """make_xero(**registration) -> (sandbox, endpoints as for real Xero)."""
    started: list[XeroSandbox] = []

    def make(**app: object) -> tuple[XeroSandbox, XeroEndpoints]:
        apps = (AppRegistration(CLIENT_ID, **app),) if app else ()  # type: ignore[arg-type]
        sandbox = XeroSandbox(SandboxOptions(port=0, apps=apps)).start()
        started.append(sandbox)
        return sandbox, replace(XeroEndpoints.sandbox(sandbox.url), is_demo=False)

    yield make
    for sandbox in started:
        sandbox.stop()


def sign_in(endpoints: XeroEndpoints, receiver: LoopbackReceiver | None = None,
            timeout: float = 10) -> tuple[AuthorizationRequest, list[BaseException]]:
    """Start a sign-in and let a browser follow it; (request, what the browser hit)."""
    receiver = receiver or LoopbackReceiver(redirect_host="localhost")
    request = start_authorization(endpoints, CLIENT_ID, receiver)
    errors: list[BaseException] = []

    def browse() -> None:
        try:
            urllib.request.urlopen(request.url, timeout=10).read()
        except (urllib.error.URLError, OSError) as exc:
            errors.append(exc)

    thread = threading.Thread(target=browse, daemon=True)
    thread.start()
    try:
        finish_authorization(request, receiver, endpoints, CLIENT_ID, lambda: False, timeout)
    finally:
        thread.join(10)
    return request, errors


def registered_uri() -> tuple[LoopbackReceiver, str]:
    receiver = LoopbackReceiver(redirect_host="localhost")
    return receiver, receiver.redirect_uri


# -- what Xero says, in sentences -----------------------------------------------------------


def test_a_refused_scope_names_the_scopes_and_the_app(make_xero: object) -> None:
    receiver, uri = registered_uri()
    _sandbox, endpoints = make_xero(redirect_uris=(uri,),  # type: ignore[operator]
                                    scopes=("offline_access", "accounting.contacts.read"))
    with pytest.raises(LoginError) as refused:
        sign_in(endpoints, receiver)
    assert refused.value.message == (
        "Xero refused the permissions xerosync asks for (offline_access accounting.contacts), "
        "so the app is not connected. At developer.xero.com/app/manage, check that the app "
        f"with client id {CLIENT_ID} is a Mobile or desktop app that may use these scopes, "
        "then click Connect to Xero again.")


def test_a_custom_connection_is_told_to_be_a_mobile_or_desktop_app(make_xero: object) -> None:
    receiver, uri = registered_uri()
    _sandbox, endpoints = make_xero(redirect_uris=(uri,),  # type: ignore[operator]
                                    app_type="custom")
    with pytest.raises(LoginError) as refused:
        sign_in(endpoints, receiver)
    assert refused.value.message == (
        f"Xero does not let the app with client id {CLIENT_ID} sign in this way "
        "(unauthorized_client), so the app is not connected. At developer.xero.com/app/manage "
        "it must be a Mobile or desktop app, which uses PKCE, not a Web app or a Custom "
        "connection. Create one if needed, enter its client id in Setup, then click Connect "
        "to Xero again.")


def test_a_web_app_gets_invalid_client_and_is_told_to_use_pkce(make_xero: object) -> None:
    receiver, uri = registered_uri()
    sandbox, endpoints = make_xero(redirect_uris=(uri,), app_type="web",  # type: ignore[operator]
                                   client_secret="s3cret")
    with pytest.raises(LoginError) as refused:
        sign_in(endpoints, receiver)
    assert not isinstance(refused.value, AuthorizationError)  # settings, not a lost grant
    assert refused.value.message == (
        f"Xero refused the sign-in: it does not accept the app with client id {CLIENT_ID} "
        "(invalid_client). At developer.xero.com/app/manage the app must be a Mobile or "
        "desktop app, which uses PKCE and has no client secret, with exactly this client id; "
        "a Web app will not work. Create one if needed, enter its client id in Setup, then "
        "click Connect to Xero again.")
    assert sandbox.grants() == []


@pytest.mark.parametrize("mistake", ["redirect URI not registered", "unknown client id"])
def test_xeros_error_page_means_no_callback_and_the_timeout_says_what_to_check(
        make_xero: object, mistake: str) -> None:
    if mistake == "unknown client id":
        sandbox, endpoints = make_xero()  # type: ignore[operator]
        sandbox.register_app(AppRegistration("ANOTHER-APP"))
    else:
        sandbox, endpoints = make_xero(  # type: ignore[operator]
            redirect_uris=("http://localhost:1/callback",))
    receiver = LoopbackReceiver(redirect_host="localhost")
    uri = receiver.redirect_uri
    with pytest.raises(LoginError) as timed_out:
        sign_in(endpoints, receiver, timeout=1)
    assert timed_out.value.message == (
        "Xero sign-in was not completed in time. If Xero showed an error page instead of "
        "asking you to allow access, check your Xero app at developer.xero.com/app/manage: it "
        f"must be a Mobile or desktop app with client id {CLIENT_ID} and the redirect URI "
        f"{uri} exactly. Then click Connect to Xero to try again.")
    assert sandbox.grants() == []


def test_the_browser_sees_xeros_error_page(make_xero: object) -> None:
    _sandbox, endpoints = make_xero(  # type: ignore[operator]
        redirect_uris=("http://localhost:1/callback",))
    receiver = LoopbackReceiver(redirect_host="localhost")
    request = start_authorization(endpoints, CLIENT_ID, receiver)
    try:
        with pytest.raises(urllib.error.HTTPError) as page:
            urllib.request.urlopen(request.url, timeout=10)
        assert page.value.code == 400
        assert "Invalid redirect_uri" in page.value.read().decode()
    finally:
        receiver.close()


def test_a_used_code_is_invalid_grant_with_what_to_do(make_xero: object) -> None:
    _sandbox, endpoints = make_xero()  # type: ignore[operator]
    receiver = LoopbackReceiver(redirect_host="localhost")
    request = start_authorization(endpoints, CLIENT_ID, receiver)
    threading.Thread(target=lambda: urllib.request.urlopen(request.url, timeout=10).read(),
                     daemon=True).start()
    callback = receiver.wait(10, lambda: False)
    exchange_code(endpoints, CLIENT_ID, callback.code, request.redirect_uri, request.verifier)
    with pytest.raises(AuthorizationError) as again:
        exchange_code(endpoints, CLIENT_ID, callback.code, request.redirect_uri,
                      request.verifier)
    assert again.value.message == (
        "Xero refused the sign-in: its one-time code was not accepted (invalid_grant). A code "
        "works once, for 5 minutes, and only with the same redirect URI. Click Connect to "
        "Xero to sign in again.")


@pytest.mark.parametrize(("error", "description", "expected"), [
    ("server_error", "", "Xero could not finish the sign-in just now (server_error). Wait a "
                         "few minutes, then click Connect to Xero again."),
    ("temporarily_unavailable", "busy", "Xero could not finish the sign-in just now "
                                        "(temporarily_unavailable). Wait a few minutes, then "
                                        "click Connect to Xero again."),
    ("invalid_request", "Invalid\r\ncode_challenge\x00", "Xero did not complete the sign-in "
     "(invalid_request: Invalid code_challenge). Check the app with client id "
     f"{CLIENT_ID} at developer.xero.com/app/manage, then click Connect to Xero again."),
    ("", "", "Xero did not complete the sign-in. Click Connect to Xero to try again."),
])
def test_any_other_callback_error_is_a_sentence(make_xero: object, error: str,
                                                description: str, expected: str) -> None:
    _sandbox, endpoints = make_xero()  # type: ignore[operator]
    receiver = LoopbackReceiver(redirect_host="localhost")
    request = start_authorization(endpoints, CLIENT_ID, receiver)
    query = urlencode({"state": request.state, "error": error,
                       "error_description": description})
    url = request.redirect_uri.replace("localhost", "127.0.0.1", 1)
    threading.Thread(target=lambda: _get(url + "?" + query, host=_host(request)),
                     daemon=True).start()
    with pytest.raises(LoginError) as refused:
        finish_authorization(request, receiver, endpoints, CLIENT_ID, lambda: False, 10)
    assert refused.value.message == expected


def test_a_revocation_xero_refuses_says_what_it_answered(make_xero: object) -> None:
    _sandbox, endpoints = make_xero(app_type="web", client_secret="s")  # type: ignore[operator]
    with pytest.raises(XeroError) as refused:
        revoke_grant(endpoints, CLIENT_ID, "some-refresh-token")
    assert refused.value.message == ("Xero did not confirm that the sign-in was revoked "
                                     "(HTTP 400, invalid_client).")
    assert "some-refresh-token" not in refused.value.message


# -- the receiver ---------------------------------------------------------------------------


def _host(request: AuthorizationRequest) -> str:
    return urlsplit(request.redirect_uri).netloc


def _get(url: str, host: str) -> tuple[int, str]:
    """GET over a fresh connection with this Host header; (status, body)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest("GET", f"{parts.path}?{parts.query}", skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _callback_url(request: AuthorizationRequest) -> str:
    """Where Xero would send the browser: the callback with a code, not followed."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_: object) -> None:
            return None

    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(request.url, timeout=10)
    location = redirect.value.headers["Location"]
    return location.replace("localhost", "127.0.0.1", 1)


def test_idle_and_half_open_connections_do_not_hold_up_the_callback(
        make_xero: object) -> None:
    _sandbox, endpoints = make_xero()  # type: ignore[operator]
    receiver = LoopbackReceiver(redirect_host="localhost")
    request = start_authorization(endpoints, CLIENT_ID, receiver)
    port = urlsplit(request.redirect_uri).port
    idle = socket.create_connection(("127.0.0.1", port))  # a browser's preconnection
    half = socket.create_connection(("127.0.0.1", port))
    half.sendall(b"GET /callback?state=")  # and a request that never ends
    try:
        status, _page = _get(_callback_url(request), host=_host(request))
        assert status == 200
        token = finish_authorization(request, receiver, endpoints, CLIENT_ID,
                                     lambda: False, timeout=10)
        assert token["access_token"]
        for stuck in (idle, half):  # closed with the receiver, not left hanging
            stuck.settimeout(5)
            try:
                assert stuck.recv(1024) == b""
            except ConnectionResetError:
                pass
    finally:
        idle.close()
        half.close()


def test_a_silent_connection_is_closed_after_the_socket_timeout() -> None:
    receiver = LoopbackReceiver(connection_timeout=0.2)
    port = urlsplit(receiver.redirect_uri).port
    try:
        with socket.create_connection(("127.0.0.1", port)) as silent:
            silent.settimeout(5)
            assert silent.recv(1024) == b""  # the receiver gave up on it, still listening
    finally:
        receiver.close()


def test_a_tab_closed_before_the_page_is_written_still_signs_in(
        make_xero: object, capfd: pytest.CaptureFixture[str]) -> None:
    _sandbox, endpoints = make_xero()  # type: ignore[operator]
    receiver = LoopbackReceiver(redirect_host="localhost")
    request = start_authorization(endpoints, CLIENT_ID, receiver)
    callback = urlsplit(_callback_url(request))
    with socket.create_connection((callback.hostname, callback.port)) as tab:
        tab.sendall(f"GET {callback.path}?{callback.query} HTTP/1.1\r\n"
                    f"Host: {_host(request)}\r\n\r\n".encode())
        tab.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
    token = finish_authorization(request, receiver, endpoints, CLIENT_ID, lambda: False,
                                 timeout=10)
    assert token["access_token"]
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.2:{port}",
                                  "localhost:1", ""])
def test_a_request_for_another_host_is_ignored(make_xero: object, host: str) -> None:
    _sandbox, endpoints = make_xero()  # type: ignore[operator]
    receiver = LoopbackReceiver(redirect_host="localhost")
    request = start_authorization(endpoints, CLIENT_ID, receiver)
    url = _callback_url(request)
    status, _page = _get(url, host=host.format(port=urlsplit(url).port))
    assert status == 400
    status, _page = _get(url, host=_host(request))  # the real browser, same code
    assert status == 200
    token = finish_authorization(request, receiver, endpoints, CLIENT_ID, lambda: False, 10)
    assert token["access_token"]


def test_only_the_first_callback_counts(make_xero: object) -> None:
    _sandbox, endpoints = make_xero()  # type: ignore[operator]
    receiver = LoopbackReceiver(redirect_host="localhost")
    request = start_authorization(endpoints, CLIENT_ID, receiver)
    url = _callback_url(request)
    assert _get(url, host=_host(request))[0] == 200
    forged = url.replace(parse_qs(urlsplit(url).query)["code"][0], "another-code")
    assert _get(forged, host=_host(request))[0] == 404
    assert receiver.wait(10, lambda: False).code != "another-code"
