"""OAuth2 authorization code + PKCE, refresh rotation, revocation and /connections."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any

import pytest
from xero_python.exceptions import AccountingBadRequestException, OAuth2InvalidGrantError

if TYPE_CHECKING:
    from conftest import FakeClock, MakeSandbox, Reply, Session, Xero

    from xerosync_desktop.sandbox import XeroSandbox

US = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
GLOBAL = "b2e9d6c4-1a7f-4c35-8e20-6f4d3b9a7c22"
INVALID_GRANT = b'{"error":"invalid_grant"}'


def _claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _exchange(xero: Xero, code: str, verifier: str, **overrides: str) -> Reply:
    form = {"grant_type": "authorization_code", "client_id": xero.client_id, "code": code,
            "redirect_uri": xero.redirect_uri, "code_verifier": verifier, **overrides}
    return xero.token_request(form)


def _refresh(xero: Xero, refresh_token: str) -> Reply:
    return xero.token_request({"grant_type": "refresh_token", "client_id": xero.client_id,
                               "refresh_token": refresh_token})


def test_pkce_sign_in_redirects_with_code_and_issues_standard_tokens(xero: Xero) -> None:
    verifier, challenge = xero.pkce_pair()
    reply = xero.authorize(verifier_challenge=challenge, state="abc123")
    assert reply.headers["location"].startswith(xero.redirect_uri + "?")
    params = xero.redirect_params(reply)
    assert params["state"] == "abc123"
    assert params["scope"] == xero.scopes
    assert params["session_state"]

    token_reply = _exchange(xero, params["code"], verifier)
    assert token_reply.status == 200
    assert token_reply.headers["content-type"] == "application/json; charset=utf-8"
    body = token_reply.json()
    assert set(body) == {"id_token", "access_token", "expires_in", "token_type",
                         "refresh_token", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 1800
    assert body["scope"] == xero.scopes
    claims = _claims(body["access_token"])
    assert claims["client_id"] == xero.client_id
    assert {"exp", "authentication_event_id", "xero_userid"} <= set(claims)


def test_wrong_verifier_reused_code_and_wrong_redirect_get_invalid_grant(xero: Xero) -> None:
    code, verifier = xero.code()
    wrong = _exchange(xero, code, verifier[:-1] + ("A" if verifier[-1] != "A" else "B"))
    assert (wrong.status, wrong.body) == (400, INVALID_GRANT)

    code, verifier = xero.code()
    assert _exchange(xero, code, verifier).status == 200
    reused = _exchange(xero, code, verifier)
    assert (reused.status, reused.body) == (400, INVALID_GRANT)

    code, verifier = xero.code()
    moved = _exchange(xero, code, verifier, redirect_uri="http://127.0.0.1:9999/callback")
    assert (moved.status, moved.body) == (400, INVALID_GRANT)

    code, verifier = xero.code()
    other_client = _exchange(xero, code, verifier, client_id="SOMEONE-ELSE")
    assert (other_client.status, other_client.body) == (400, INVALID_GRANT)


def test_verifier_outside_rfc_7636_is_refused(xero: Xero) -> None:
    verifier = "too-short"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    params = xero.redirect_params(xero.authorize(
        verifier_challenge=challenge.rstrip(b"=").decode()))
    assert _exchange(xero, params["code"], verifier).body == INVALID_GRANT


def test_code_expires_after_five_minutes(
        make_sandbox: MakeSandbox, xero_for: type[Xero], clock: FakeClock) -> None:
    xero = xero_for(make_sandbox(clock=clock))
    code, verifier = xero.code()
    clock.advance(301)
    assert _exchange(xero, code, verifier).body == INVALID_GRANT


def test_token_endpoint_other_errors(xero: Xero) -> None:
    assert xero.token_request({"client_id": xero.client_id}).body == b'{"error":"invalid_request"}'
    assert xero.token_request({"grant_type": "password", "client_id": "x"}).body == \
        b'{"error":"unsupported_grant_type"}'
    code, verifier = xero.code()
    no_client = xero.token_request({"grant_type": "authorization_code", "code": code,
                                    "redirect_uri": xero.redirect_uri,
                                    "code_verifier": verifier})
    assert (no_client.status, no_client.body) == (400, b'{"error":"invalid_client"}')


def test_declined_consent_redirects_with_access_denied(sandbox: XeroSandbox, xero: Xero) -> None:
    sandbox.set_consent(False)
    _verifier, challenge = xero.pkce_pair()
    params = xero.redirect_params(xero.authorize(verifier_challenge=challenge, state="s1"))
    assert params == {"error": "access_denied", "state": "s1"}


@pytest.mark.parametrize("change", [
    {"redirect_uri": "https://evil.example/callback"},
    {"redirect_uri": "http://192.168.1.5:8765/callback"},
    {"client_id": ""},
    {"response_type": "token"},
    {"code_challenge_method": "plain"},
    {"verifier_challenge": ""},
])
def test_invalid_authorize_requests_get_an_html_page_and_no_redirect(
        xero: Xero, change: dict[str, str]) -> None:
    _verifier, challenge = xero.pkce_pair()
    kwargs = {"verifier_challenge": challenge, **change}
    reply = xero.authorize(**kwargs)
    assert reply.status == 400
    assert "location" not in reply.headers
    assert reply.headers["content-type"].startswith("text/html")


def test_localhost_redirect_and_no_refresh_token_without_offline_access(xero: Xero) -> None:
    verifier, challenge = xero.pkce_pair()
    reply = xero.authorize(verifier_challenge=challenge, redirect_uri="http://localhost:5000/cb",
                           scope="accounting.contacts")
    code = xero.redirect_params(reply)["code"]
    body = _exchange(xero, code, verifier, redirect_uri="http://localhost:5000/cb").json()
    assert "refresh_token" not in body
    assert body["scope"] == "accounting.contacts"


def test_refresh_rotates_and_the_old_token_has_a_grace_period(
        make_sandbox: MakeSandbox, xero_for: type[Xero], clock: FakeClock) -> None:
    xero = xero_for(make_sandbox(clock=clock))
    first = xero.login()["refresh_token"]
    second_reply = _refresh(xero, first)
    assert second_reply.status == 200
    second = second_reply.json()["refresh_token"]
    assert second != first
    clock.advance(1700)
    assert _refresh(xero, first).status == 200  # within the 30-minute grace
    clock.advance(200)
    late = _refresh(xero, first)
    assert (late.status, late.body) == (400, INVALID_GRANT)
    assert _refresh(xero, second).status == 200
    assert _refresh(xero, "not-a-token").body == INVALID_GRANT


def test_sdk_refreshes_without_client_secret_and_saves_the_new_token(
        sandbox: XeroSandbox, session: Session) -> None:
    old_refresh = session.token["refresh_token"]
    session.token["expires_at"] = 0  # the SDK refreshes on time only
    contacts = session.accounting.get_contacts(US)
    assert contacts.contacts
    assert session.saved and session.saved[-1]["refresh_token"] != old_refresh
    assert isinstance(session.token["scope"], list)


def test_expired_access_token_gets_401_until_refreshed(
        sandbox: XeroSandbox, session: Session, xero: Xero) -> None:
    sandbox.expire_access_tokens()
    reply = xero.api("GET", "/Contacts", session.token)
    assert reply.status == 401
    assert reply.headers["www-authenticate"] == "Bearer"
    body = reply.json()
    assert body["Title"] == "Unauthorized" and body["Detail"] == "AuthenticationUnsuccessful"
    assert body["Type"] is None and body["Status"] == 401
    session.client.refresh_oauth2_token()
    assert xero.api("GET", "/Contacts", session.token).status == 200


def test_access_token_expires_after_its_lifetime(
        make_sandbox: MakeSandbox, xero_for: type[Xero], clock: FakeClock) -> None:
    xero = xero_for(make_sandbox(clock=clock, token_lifetime=60))
    token = xero.login()
    assert token["expires_in"] == 60
    assert xero.api("GET", "/Contacts", token).status == 200
    clock.advance(61)
    assert xero.api("GET", "/Contacts", token).status == 401


def test_revoked_grant_refuses_refresh_and_access(
        sandbox: XeroSandbox, session: Session, xero: Xero) -> None:
    sandbox.revoke_all_grants()
    assert xero.api("GET", "/Contacts", session.token).status == 401
    session.token["expires_at"] = 0  # the SDK refreshes before the call, and fails
    with pytest.raises(OAuth2InvalidGrantError):
        session.identity.get_connections()
    with pytest.raises(AccountingBadRequestException) as caught:
        session.accounting.get_contacts(US)
    assert caught.value.error_data == {"error": "invalid_grant"}


def test_revocation_endpoint_revokes_the_grant_and_ignores_unknown_tokens(
        sandbox: XeroSandbox, xero: Xero) -> None:
    token = xero.login()
    form = "token={}&client_id={}".format(token["refresh_token"], xero.client_id)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert xero.http("POST", "/connect/revocation", body=form, headers=headers).status == 200
    assert _refresh(xero, token["refresh_token"]).body == INVALID_GRANT
    assert xero.api("GET", "/Contacts", token).status == 401
    unknown = xero.http("POST", "/connect/revocation", body="token=nope&client_id=x",
                        headers=headers)
    assert unknown.status == 200


def test_connections_list_filter_and_delete(session: Session, xero: Xero) -> None:
    connections = session.identity.get_connections()
    assert {(c.tenant_id, c.tenant_name, c.tenant_type) for c in connections} == {
        (US, "Demo Company (US)", "ORGANISATION"),
        (GLOBAL, "Demo Company (Global)", "ORGANISATION")}
    auth_event = connections[0].auth_event_id
    assert str(auth_event) == _claims(session.token["access_token"])["authentication_event_id"]
    assert len(session.identity.get_connections(auth_event_id=auth_event)) == 2
    assert session.identity.get_connections(
        auth_event_id="00000000-0000-0000-0000-000000000001") == []

    raw = xero.http("GET", "/connections",
                    headers={"Authorization": "Bearer " + session.token["access_token"]})
    first = raw.json()[0]
    assert set(first) == {"id", "authEventId", "tenantId", "tenantType", "tenantName",
                          "createdDateUtc", "updatedDateUtc"}
    assert len(first["createdDateUtc"].rsplit(".", 1)[1]) == 7

    global_connection = next(c for c in connections if c.tenant_id == GLOBAL)
    session.identity.delete_connection(global_connection.id)
    assert [c.tenant_id for c in session.identity.get_connections()] == [US]
    assert xero.api("GET", "/Contacts", session.token, tenant=GLOBAL).status == 403
    assert xero.api("GET", "/Contacts", session.token, tenant=US).status == 200


def test_connections_need_a_valid_bearer(xero: Xero) -> None:
    reply = xero.http("GET", "/Connections", headers={"Authorization": "Bearer nope"})
    assert reply.status == 401
    assert reply.json()["Detail"] == "AuthenticationUnsuccessful"


def test_empty_sandbox_still_has_one_connection(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    xero = xero_for(make_sandbox(data="empty"))
    session = xero.session()
    (connection,) = session.identity.get_connections()
    assert connection.tenant_name == "Empty Company"
    assert session.accounting.get_contacts(connection.tenant_id).contacts == []
