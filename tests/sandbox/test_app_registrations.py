"""Xero apps registered per client id: redirect URIs, scopes and app type, as Xero checks them."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest

from xerosync_desktop.sandbox import AppRegistration, parse_app
from xerosync_desktop.sandbox.__main__ import build_parser, options_from

if TYPE_CHECKING:
    from conftest import MakeSandbox, Reply, Xero

CLIENT_ID = "XEROSYNC-DEMO-CLIENT"  # the Xero helper's client id
REGISTERED = "http://127.0.0.1:8765/callback"  # the Xero helper's redirect URI
SCOPES = ("openid", "profile", "email", "offline_access", "accounting.contacts")  # the helper's
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _registered(make_sandbox: MakeSandbox, xero_for: type[Xero], **app: object) -> Xero:
    registration = AppRegistration(CLIENT_ID, **app)  # type: ignore[arg-type]
    return xero_for(make_sandbox(apps=(registration,)))


def _error_page(reply: Reply) -> str:
    assert reply.status == 400
    assert "location" not in reply.headers  # Xero never goes back to the app
    assert reply.headers["content-type"].startswith("text/html")
    return reply.body.decode()


def _exchange(xero: Xero, headers: dict[str, str] | None = None, **form: str) -> Reply:
    code, verifier = xero.code()
    fields = {"grant_type": "authorization_code", "client_id": CLIENT_ID, "code": code,
              "redirect_uri": REGISTERED, "code_verifier": verifier, **form}
    return xero.http("POST", "/connect/token", body=urlencode(fields),
                     headers={**FORM, **(headers or {})})


def test_without_registrations_every_client_id_signs_in(xero: Xero) -> None:
    _verifier, challenge = xero.pkce_pair()
    for client_id in ("xerosync-desktop-demo", "0123456789ABCDEF0123456789ABCDEF"):
        reply = xero.authorize(verifier_challenge=challenge, client_id=client_id,
                               redirect_uri="http://localhost:5000/anything")
        assert "code" in xero.redirect_params(reply)


def test_a_registered_pkce_app_signs_in_with_its_redirect_uri(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    xero = _registered(make_sandbox, xero_for, redirect_uris=(REGISTERED,),
                       scopes=SCOPES)
    token = xero.login()
    assert token["access_token"] and token["refresh_token"]


def test_an_unknown_client_id_gets_xeros_error_page(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    xero = _registered(make_sandbox, xero_for)
    _verifier, challenge = xero.pkce_pair()
    page = _error_page(xero.authorize(verifier_challenge=challenge, client_id="SOMEONE-ELSE"))
    assert "unauthorized_client" in page and "Unknown client" in page


@pytest.mark.parametrize("redirect_uri", [
    "http://localhost:8765/callback",  # registered with 127.0.0.1, not localhost
    "http://127.0.0.1:8766/callback",
    "http://127.0.0.1:8765/callback/",
    "http://127.0.0.1:8765/Callback",
])
def test_a_redirect_uri_not_registered_exactly_gets_an_error_page(
        make_sandbox: MakeSandbox, xero_for: type[Xero], redirect_uri: str) -> None:
    xero = _registered(make_sandbox, xero_for, redirect_uris=(REGISTERED,))
    _verifier, challenge = xero.pkce_pair()
    page = _error_page(xero.authorize(verifier_challenge=challenge, redirect_uri=redirect_uri))
    assert "invalid_request" in page and "redirect_uri" in page


def test_a_scope_the_app_may_not_use_goes_back_with_invalid_scope(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    xero = _registered(make_sandbox, xero_for, redirect_uris=(REGISTERED,),
                       scopes=("offline_access", "accounting.contacts.read"))
    _verifier, challenge = xero.pkce_pair()
    reply = xero.authorize(verifier_challenge=challenge, state="s1",
                           scope="offline_access accounting.contacts")
    assert xero.redirect_params(reply) == {"error": "invalid_scope", "state": "s1"}
    allowed = xero.authorize(verifier_challenge=challenge,
                             scope="offline_access accounting.contacts.read")
    assert "code" in xero.redirect_params(allowed)


def test_a_custom_connection_goes_back_with_unauthorized_client(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    xero = _registered(make_sandbox, xero_for, redirect_uris=(REGISTERED,), app_type="custom")
    _verifier, challenge = xero.pkce_pair()
    reply = xero.authorize(verifier_challenge=challenge, state="s2")
    assert xero.redirect_params(reply) == {"error": "unauthorized_client", "state": "s2"}


def test_a_web_app_needs_its_client_secret_at_the_token_endpoint(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    xero = _registered(make_sandbox, xero_for, redirect_uris=(REGISTERED,), app_type="web",
                       client_secret="s3cret")
    refused = _exchange(xero)  # what a PKCE app sends: no secret
    assert (refused.status, refused.body) == (400, b'{"error":"invalid_client"}')
    assert _exchange(xero, client_secret="wrong").body == b'{"error":"invalid_client"}'
    assert _exchange(xero, client_secret="s3cret").status == 200
    basic = base64.b64encode(f"{CLIENT_ID}:s3cret".encode()).decode()
    assert _exchange(xero, {"Authorization": f"Basic {basic}"}).status == 200


def test_revocation_checks_the_registered_client(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    sandbox = make_sandbox(apps=(AppRegistration(CLIENT_ID, (REGISTERED,)),
                                 AppRegistration("WEB-APP", (REGISTERED,), app_type="web",
                                                 client_secret="s3cret")))
    xero = xero_for(sandbox)
    token = xero.login()
    unknown = xero.http("POST", "/connect/revocation", headers=FORM,
                        body=f"token={token['refresh_token']}&client_id=SOMEONE-ELSE")
    assert (unknown.status, unknown.body) == (400, b'{"error":"invalid_client"}')
    web = xero.http("POST", "/connect/revocation", headers=FORM,
                    body=f"token={token['refresh_token']}&client_id=WEB-APP")
    assert web.body == b'{"error":"invalid_client"}'
    assert len(sandbox.grants()) == 1
    pkce = xero.http("POST", "/connect/revocation", headers=FORM,
                     body=f"token={token['refresh_token']}&client_id={CLIENT_ID}")
    assert pkce.status == 200 and sandbox.grants() == []


def test_registering_an_app_later_closes_the_door_to_others(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    sandbox = make_sandbox()
    xero = xero_for(sandbox)
    xero.login()
    sandbox.register_app(AppRegistration("ANOTHER-APP"))
    _verifier, challenge = xero.pkce_pair()
    _error_page(xero.authorize(verifier_challenge=challenge))
    sandbox.register_app(AppRegistration(CLIENT_ID, (REGISTERED,)))
    assert xero.login()["access_token"]


def test_an_app_unregistered_after_sign_in_cannot_refresh(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    sandbox = make_sandbox(apps=(AppRegistration(CLIENT_ID, (REGISTERED,)),))
    xero = xero_for(sandbox)
    token = xero.login()
    sandbox.register_app(AppRegistration(CLIENT_ID, (REGISTERED,), app_type="web",
                                         client_secret="new"))  # re-created as a web app
    refresh = xero.token_request({"grant_type": "refresh_token", "client_id": CLIENT_ID,
                                  "refresh_token": token["refresh_token"]})
    assert refresh.body == b'{"error":"invalid_client"}'


def test_the_text_form_and_the_command_line_register_apps() -> None:
    app = parse_app("ABC123:redirect=http://localhost:8765/callback,redirect=http://"
                    "localhost:9000/cb,scopes=offline_access+accounting.contacts,type=web,"
                    "secret=s")
    assert app == AppRegistration("ABC123", ("http://localhost:8765/callback",
                                             "http://localhost:9000/cb"),
                                  ("offline_access", "accounting.contacts"), "web", "s")
    assert parse_app("ABC123") == AppRegistration("ABC123")
    for bad in ("", ":type=pkce", "ABC:type=mobile", "ABC:colour=red", "ABC:redirect"):
        with pytest.raises(ValueError):
            parse_app(bad)
    options = options_from(build_parser().parse_args(
        ["--app", "ONE:redirect=http://localhost:8765/callback", "--app", "TWO:type=custom"]))
    assert [(a.client_id, a.app_type) for a in options.apps] == [("ONE", "pkce"),
                                                                ("TWO", "custom")]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--app", "ONE:type=mobile"])
    with pytest.raises(ValueError, match="registered once"):
        options_from(build_parser().parse_args(["--app", "ONE", "--app", "ONE"]))
