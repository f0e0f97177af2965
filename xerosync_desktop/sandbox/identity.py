"""Xero's identity endpoints: authorize (demo consent), token, revocation, connections.

Public API: authorize(), token(), revoke(), list_connections(), delete_connection(),
unauthorized(), TokenSigner.

PKCE public client: no client secret is needed (a sent `client_secret` or `scope` is ignored).
With apps registered (apps.py), each sign-in is checked against its client id's registration
as Xero does: unknown client or unregistered redirect URI -> an error page and no redirect;
refused scope -> back with `invalid_scope`; a Custom connection -> `unauthorized_client`; a Web
app without its secret -> `invalid_client` at the token and revocation endpoints. Codes are
single use, live 5 minutes and are bound to client_id, redirect_uri and the S256
challenge. Refresh rotates: every refresh issues a new refresh token and the previous one stays
usable for `refresh_grace` seconds. The sandbox checks tokens by lookup, never by their claims.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode, urlsplit

from .apps import AppRegistration
from .exchange import NOT_FOUND_TEXT, Request, Response, html_response, json_response, text_response
from .shapes import problem

if TYPE_CHECKING:  # state imports the fault injector, which answers 401 as this module does
    from .state import SandboxState

CODE_LIFETIME = 300
_PKCE_VALUE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # verifier (RFC 7636) and challenge
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class TokenSigner:
    """Mints JWT-shaped tokens (HS256) with a secret that lives as long as the sandbox."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def mint(self, claims: dict[str, Any]) -> str:
        """A signed compact JWT carrying `claims`."""
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        signature = hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256)
        return f"{header}.{payload}.{_b64url(signature.digest())}"


def xero_timestamp(seconds: float) -> str:
    """Xero's connection timestamps: UTC, no offset, seven fractional digits."""
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0"


def _oauth_error(error: str) -> Response:
    return Response(400, f'{{"error":"{error}"}}'.encode(), headers=dict(_NO_STORE))


def unauthorized() -> Response:
    """Xero's 401 for a missing, unknown or expired bearer token."""
    return json_response(401, problem(401, "Unauthorized", "AuthenticationUnsuccessful"),
                         {"WWW-Authenticate": "Bearer"})


def _loopback_redirect(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
            and not parts.fragment)


def _app(state: SandboxState, client_id: str) -> AppRegistration | None:
    """The registration of `client_id`; with none registered, any client id is a PKCE app."""
    if not state.apps:
        return AppRegistration(client_id)
    return state.apps.get(client_id)


def _error_page(error: str, description: str) -> Response:
    """Xero's own page for a sign-in it cannot send back to the app (it never redirects)."""
    return html_response(400, "Sorry, something went wrong",
                         f"Error: {error}. {description}")


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """(client_id, client_secret) from HTTP Basic, else from the form."""
    scheme, _, value = (request.header("authorization") or "").strip().partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id).strip(), unquote(secret)
    return form.get("client_id", "").strip(), form.get("client_secret", "")


def _client_error(state: SandboxState, client_id: str, secret: str) -> Response | None:
    """invalid_client for an unknown client id or a Web app without its secret, else None."""
    app = _app(state, client_id)
    if app is None or not app.secret_matches(secret):
        return _oauth_error("invalid_client")
    return None


def _redirect(uri: str, params: dict[str, str]) -> Response:
    joiner = "&" if urlsplit(uri).query else "?"
    location = uri + joiner + urlencode({k: v for k, v in params.items() if v})
    return Response(302, b"", "text/html; charset=utf-8", {"Location": location})


def authorize(state: SandboxState, request: Request) -> Response:
    """GET /identity/connect/authorize: the demo user approves at once (or declines)."""
    params = request.params()
    client_id = params.get("client_id", "").strip()
    redirect_uri = params.get("redirect_uri", "")
    scopes = params.get("scope", "").split()
    problems = []
    if not client_id:
        problems.append("client_id is missing.")
    if not _loopback_redirect(redirect_uri):
        problems.append("redirect_uri must be http://127.0.0.1:<port>/... or "
                        "http://localhost:<port>/... for the sandbox.")
    if params.get("response_type") != "code":
        problems.append("response_type must be code.")
    if not scopes:
        problems.append("scope is missing.")
    if not _PKCE_VALUE.match(params.get("code_challenge", "")):
        problems.append("code_challenge is missing or malformed (PKCE is required).")
    if params.get("code_challenge_method") != "S256":
        problems.append("code_challenge_method must be S256.")
    if problems:
        return html_response(400, "Sorry, something went wrong", " ".join(problems))
    with state.lock:
        app = _app(state, client_id)
        if app is None:
            return _error_page("unauthorized_client", "Unknown client or client not enabled.")
        if not app.allows_redirect(redirect_uri):
            return _error_page("invalid_request", "Invalid redirect_uri.")
        if app.app_type == "custom":
            return _redirect(redirect_uri, {"error": "unauthorized_client",
                                            "state": params.get("state", "")})
        if app.refused_scopes(scopes):
            return _redirect(redirect_uri, {"error": "invalid_scope",
                                            "state": params.get("state", "")})
        if not state.consent:
            return _redirect(redirect_uri, {"error": "access_denied",
                                            "state": params.get("state", "")})
        now = state.now()
        for stale in [c for c, r in state.codes.items() if now - r["created"] > CODE_LIFETIME]:
            del state.codes[stale]
        code = secrets.token_urlsafe(32)
        state.codes[code] = {"client_id": client_id, "redirect_uri": redirect_uri,
                             "challenge": params["code_challenge"], "scopes": scopes,
                             "created": now, "used": False}
    return _redirect(redirect_uri, {"code": code, "scope": " ".join(scopes),
                                    "state": params.get("state", ""),
                                    "session_state": secrets.token_urlsafe(16)})


def _issue(state: SandboxState, signer: TokenSigner, grant: dict[str, Any]) -> Response:
    now = state.now()
    lifetime = state.options.token_lifetime
    common = {"iss": state.issuer, "sub": grant["user_id"], "auth_time": int(grant["created"]),
              "xero_userid": grant["user_id"], "global_session_id": grant["session_id"]}
    access = signer.mint({**common, "nbf": int(now), "exp": int(now + lifetime),
                          "aud": f"{state.issuer}/resources", "client_id": grant["client_id"],
                          "jti": uuid.uuid4().hex,
                          "authentication_event_id": grant["auth_event_id"],
                          "scope": grant["scopes"]})
    id_token = signer.mint({**common, "nbf": int(now), "exp": int(now + 300),
                            "aud": grant["client_id"], "iat": int(now),
                            "preferred_username": "demo.user@example.com",
                            "email": "demo.user@example.com", "given_name": "Demo",
                            "family_name": "User"})
    state.add_access_token(grant, access, now + lifetime)
    body: dict[str, Any] = {"id_token": id_token, "access_token": access,
                            "expires_in": lifetime, "token_type": "Bearer"}
    if "offline_access" in grant["scopes"]:
        refresh = secrets.token_hex(32)
        state.add_refresh_token(grant, refresh)
        body["refresh_token"] = refresh
    body["scope"] = " ".join(grant["scopes"])
    state.save()
    return json_response(200, body, _NO_STORE)


def _new_grant(state: SandboxState, client_id: str, scopes: list[str]) -> dict[str, Any]:
    now = state.now()
    stamp = xero_timestamp(now)
    grant = {"id": str(uuid.uuid4()), "client_id": client_id, "scopes": scopes,
             "user_id": state.user_id, "auth_event_id": str(uuid.uuid4()),
             "session_id": uuid.uuid4().hex, "created": now, "refresh": {}, "access": {},
             "connections": [{"id": str(uuid.uuid4()), "tenantId": tenant_id,
                              "createdDateUtc": stamp, "updatedDateUtc": stamp}
                             for tenant_id in state.orgs]}
    state.add_grant(grant)
    return grant


def _code_grant(state: SandboxState, signer: TokenSigner, form: dict[str, str],
                client_id: str) -> Response:
    code, redirect_uri = form.get("code", ""), form.get("redirect_uri", "")
    if not code or not redirect_uri:
        return _oauth_error("invalid_request")
    record = state.codes.get(code)
    if record is None or record["used"]:
        return _oauth_error("invalid_grant")
    record["used"] = True
    verifier = form.get("code_verifier", "")
    challenge = _b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
    if (state.now() - record["created"] > CODE_LIFETIME or record["client_id"] != client_id
            or record["redirect_uri"] != redirect_uri or not _PKCE_VALUE.match(verifier)
            or not hmac.compare_digest(challenge, record["challenge"])):
        return _oauth_error("invalid_grant")
    return _issue(state, signer, _new_grant(state, client_id, record["scopes"]))


def _refresh_grant(state: SandboxState, signer: TokenSigner, form: dict[str, str],
                   client_id: str) -> Response:
    token_value = form.get("refresh_token", "")
    if not token_value:
        return _oauth_error("invalid_request")
    found = state.refresh_record(token_value)
    if found is None:
        return _oauth_error("invalid_grant")
    grant, record = found
    now, options = state.now(), state.options
    superseded = record["superseded"]
    if (grant["client_id"] != client_id or now - record["issued"] > options.refresh_lifetime
            or (superseded is not None and now - superseded > options.refresh_grace)):
        return _oauth_error("invalid_grant")
    if superseded is None:
        record["superseded"] = now
    for digest, other in list(grant["refresh"].items()):
        if other["superseded"] is not None and now - other["superseded"] > options.refresh_grace:
            del grant["refresh"][digest]
    return _issue(state, signer, grant)


def token(state: SandboxState, signer: TokenSigner, request: Request) -> Response:
    """POST /connect/token: authorization_code (with PKCE) or refresh_token."""
    form = request.form()
    grant_type = form.get("grant_type", "")
    client_id, secret = _client_credentials(request, form)
    if not grant_type:
        return _oauth_error("invalid_request")
    if grant_type not in ("authorization_code", "refresh_token"):
        return _oauth_error("unsupported_grant_type")
    if not client_id:
        return _oauth_error("invalid_client")
    with state.lock:
        refused = _client_error(state, client_id, secret)
        if refused is not None:
            return refused
        if grant_type == "authorization_code":
            return _code_grant(state, signer, form, client_id)
        return _refresh_grant(state, signer, form, client_id)


def revoke(state: SandboxState, request: Request) -> Response:
    """POST /connect/revocation: revoke the whole grant behind a token (200 even if unknown).

    With apps registered, the client must be one of them (a Web app with its secret).
    """
    form = request.form()
    token_value = form.get("token", "")
    if not token_value:
        return _oauth_error("invalid_request")
    client_id, secret = _client_credentials(request, form)
    with state.lock:
        if state.apps:
            refused = _client_error(state, client_id, secret)
            if refused is not None:
                return refused
        found = state.refresh_record(token_value)
        grant = found[0] if found else state.grant_for_access_token(token_value)
        if grant is not None and (not client_id or grant["client_id"] == client_id):
            state.remove_grant(grant["id"])
            state.save()
    return Response(200, b"", headers=dict(_NO_STORE))


def _connection_json(state: SandboxState, grant: dict[str, Any],
                     connection: dict[str, str]) -> dict[str, str]:
    return {"id": connection["id"], "authEventId": grant["auth_event_id"],
            "tenantId": connection["tenantId"], "tenantType": "ORGANISATION",
            "tenantName": state.orgs[connection["tenantId"]]["tenantName"],
            "createdDateUtc": connection["createdDateUtc"],
            "updatedDateUtc": connection["updatedDateUtc"]}


def list_connections(state: SandboxState, request: Request) -> Response:
    """GET /connections: the organisations this grant may reach."""
    wanted = request.params().get("autheventid", "").strip().lower()
    with state.lock:
        grant = state.grant_for_access_token(request.bearer())
        if grant is None:
            return unauthorized()
        if wanted and wanted != grant["auth_event_id"]:
            return json_response(200, [])
        return json_response(200, [_connection_json(state, grant, c)
                                   for c in grant["connections"]
                                   if c["tenantId"] in state.orgs])


def delete_connection(state: SandboxState, request: Request, connection_id: str) -> Response:
    """DELETE /connections/{id}: disconnect one organisation from this grant."""
    with state.lock:
        grant = state.grant_for_access_token(request.bearer())
        if grant is None:
            return unauthorized()
        kept = [c for c in grant["connections"] if c["id"] != connection_id.lower()]
        if len(kept) == len(grant["connections"]):
            return text_response(404, NOT_FOUND_TEXT)
        grant["connections"] = kept
        state.save()
    return Response(204, b"", "")
