"""Fixtures for the sandbox suite: sandboxes on port 0, PKCE sign-in, SDK and raw-HTTP clients.

The SDK is wired the way the product wires it (xero-api.md section 1): Configuration() with
attributes assigned, a PKCE token class that refreshes without a client secret, token
getter/saver callbacks, urllib3 retries off.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import urllib3
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.identity import IdentityApi

from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox

CLIENT_ID = "XEROSYNC-DEMO-CLIENT"
REDIRECT_URI = "http://127.0.0.1:8765/callback"
SCOPES = "openid profile email offline_access accounting.contacts"
MakeSandbox = Callable[..., XeroSandbox]
US = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
GLOBAL = "b2e9d6c4-1a7f-4c35-8e20-6f4d3b9a7c22"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class PkceOAuth2Token(OAuth2Token):
    """The product's token class: refreshes with client_id only (no client secret)."""

    def __init__(self, client_id: str, token_url: str) -> None:
        super().__init__(client_id=client_id, client_secret=None)
        self.token_url = token_url

    def can_refresh_access_token(self) -> bool:
        return bool(self.refresh_token and self.client_id)

    def call_refresh_token_api(self, token_api: TokenApi) -> dict[str, Any]:
        response, _status, _headers = token_api.api_client.call_api(
            self.token_url, "POST",
            header_params={"Accept": "application/json",
                           "Content-Type": "application/x-www-form-urlencoded"},
            post_params={"grant_type": "refresh_token", "refresh_token": self.refresh_token,
                         "client_id": self.client_id},
            auth_settings=None, _preload_content=False)
        return token_api.parse_token_response(response)


@dataclass
class Reply:
    """A raw HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Session:
    """An SDK client holding one token dict, as the product's TokenVault would."""

    sandbox: XeroSandbox
    token: dict[str, Any]
    saved: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        config = Configuration()
        config.oauth2_token = PkceOAuth2Token(CLIENT_ID, self.sandbox.url + "/connect/token")
        client = ApiClient(config, pool_threads=1)
        client.oauth2_token_getter(lambda: self.token)
        client.oauth2_token_saver(self._save)
        client.rest_client.pool_manager = urllib3.PoolManager(num_pools=4, maxsize=4,
                                                              retries=False)
        self.client = client
        self.accounting = AccountingApi(client, base_url=self.sandbox.url + "/api.xro/2.0")
        self.identity = IdentityApi(client, base_url=self.sandbox.url)

    def _save(self, token: dict[str, Any]) -> None:
        self.token = dict(token)
        self.saved.append(dict(token))


class Xero:
    """Raw HTTP and sign-in helpers against one sandbox."""

    client_id = CLIENT_ID
    redirect_uri = REDIRECT_URI
    scopes = SCOPES

    @staticmethod
    def pkce_pair() -> tuple[str, str]:
        return pkce_pair()

    def __init__(self, sandbox: XeroSandbox) -> None:
        self.sandbox = sandbox

    def http(self, method: str, path: str, *, body: bytes | str | dict | list | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        parts = urlsplit(self.sandbox.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            data = json.dumps(body).encode() if isinstance(body, dict | list) else body
            if isinstance(data, str):
                data = data.encode()
            conn.request(method, path, body=data, headers=headers or {})
            resp = conn.getresponse()
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        finally:
            conn.close()

    def authorize(self, *, verifier_challenge: str, client_id: str = CLIENT_ID,
                  redirect_uri: str = REDIRECT_URI, scope: str = SCOPES,
                  state: str = "st4te", **extra: str) -> Reply:
        query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                 "scope": scope, "state": state, "code_challenge": verifier_challenge,
                 "code_challenge_method": "S256", **extra}
        return self.http("GET", "/identity/connect/authorize?" + urlencode(query))

    @staticmethod
    def redirect_params(reply: Reply) -> dict[str, str]:
        assert reply.status == 302, reply.body
        return {k: v[0] for k, v in parse_qs(urlsplit(reply.headers["location"]).query).items()}

    def token_request(self, form: dict[str, str]) -> Reply:
        return self.http("POST", "/connect/token", body=urlencode(form),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})

    def code(self, scope: str = SCOPES) -> tuple[str, str]:
        """(authorization code, verifier) from an approved sign-in."""
        verifier, challenge = pkce_pair()
        params = self.redirect_params(self.authorize(verifier_challenge=challenge, scope=scope))
        return params["code"], verifier

    def login(self, scope: str = SCOPES) -> dict[str, Any]:
        """A token dict as the product stores it (scope as a list, expires_at added)."""
        code, verifier = self.code(scope)
        reply = self.token_request({"grant_type": "authorization_code", "client_id": CLIENT_ID,
                                    "code": code, "redirect_uri": REDIRECT_URI,
                                    "code_verifier": verifier})
        assert reply.status == 200, reply.body
        token = reply.json()
        token["scope"] = token["scope"].split()
        token["expires_at"] = time.time() + token["expires_in"]
        return token

    def session(self, scope: str = SCOPES) -> Session:
        return Session(self.sandbox, self.login(scope))

    def api(self, method: str, path: str, token: dict[str, Any], tenant: str | None = US,
            body: Any = None, headers: dict[str, str] | None = None) -> Reply:
        """An Accounting call over raw HTTP, for shapes the SDK would hide."""
        sent = {"Authorization": f"Bearer {token['access_token']}",
                "Accept": "application/json", "Content-Type": "application/json"}
        if tenant is not None:
            sent["xero-tenant-id"] = tenant
        sent.update(headers or {})
        return self.http(method, "/api.xro/2.0" + path, body=body, headers=sent)


@pytest.fixture
def make_sandbox() -> Iterator[Any]:
    """Factory: make_sandbox(**SandboxOptions fields) -> started XeroSandbox (stopped after)."""
    started: list[XeroSandbox] = []

    def make(**options: Any) -> XeroSandbox:
        sandbox = XeroSandbox(SandboxOptions(**options)).start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(make_sandbox: Any) -> XeroSandbox:
    """A demo sandbox with default options."""
    return make_sandbox()


@pytest.fixture
def xero(sandbox: XeroSandbox) -> Xero:
    return Xero(sandbox)


@pytest.fixture
def session(xero: Xero) -> Session:
    """An SDK session signed in to the demo sandbox."""
    return xero.session()


@pytest.fixture
def clock() -> FakeClock:
    """A hand-driven clock; pass it as make_sandbox(clock=clock)."""
    return FakeClock()


@pytest.fixture
def xero_for() -> Any:
    """Factory: xero_for(sandbox) -> Xero helper for another sandbox."""
    return Xero
