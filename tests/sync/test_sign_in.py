"""Signing in with PKCE through the loopback receiver, against the sandbox over real HTTP."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from xerosync_desktop.bootstrap import AppContext, build_demo
from xerosync_desktop.errors import AuthorizationError, LoginError, XeroUnavailableError
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox
from xerosync_desktop.xero.auth import (
    LoopbackReceiver,
    exchange_code,
    finish_authorization,
    sign_in_without_browser,
    start_authorization,
)
from xerosync_desktop.xero.endpoints import XeroEndpoints


@pytest.fixture
def ctx(paths: AppPaths) -> AppContext:
    with XeroSandbox(SandboxOptions(port=0)) as sandbox:
        context = build_demo(paths, sandbox_url=sandbox.url)
        context.sandbox = sandbox  # for the tests' eyes only; build_demo did not start it
        yield context


def follow(url: str) -> threading.Thread:
    def visit() -> None:
        try:
            urllib.request.urlopen(url, timeout=10).read()
        except urllib.error.URLError:
            pass

    thread = threading.Thread(target=visit, daemon=True)
    thread.start()
    return thread


def test_sign_in_lists_the_demo_organisations(ctx: AppContext) -> None:
    receiver = LoopbackReceiver()
    request = start_authorization(ctx.endpoints, ctx.client_id, receiver)
    query = parse_qs(urlsplit(request.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["offline_access accounting.contacts"]
    assert request.verifier not in request.url  # only its challenge travels
    follow(request.url)
    token = finish_authorization(request, receiver, ctx.endpoints, ctx.client_id,
                                 should_stop=lambda: False, timeout=10)
    ctx.vault.save(token)
    with ctx.open_xero() as xero:
        organisations = xero.connections()
    assert [o.name for o in organisations] == ["Demo Company (US)", "Demo Company (Global)"]
    assert "id_token" not in ctx.vault.load()
    assert isinstance(ctx.vault.load()["scope"], list)


def test_access_denied_is_a_plain_sentence(ctx: AppContext) -> None:
    assert ctx.sandbox is not None
    ctx.sandbox.set_consent(False)
    receiver = LoopbackReceiver()
    request = start_authorization(ctx.endpoints, ctx.client_id, receiver)
    follow(request.url)
    with pytest.raises(LoginError, match="Access to Xero was not allowed"):
        finish_authorization(request, receiver, ctx.endpoints, ctx.client_id,
                             should_stop=lambda: False, timeout=10)


def test_an_answer_for_another_sign_in_is_refused_and_the_wait_goes_on(
        ctx: AppContext) -> None:
    receiver = LoopbackReceiver()
    request = start_authorization(ctx.endpoints, ctx.client_id, receiver)
    forged = f"{request.redirect_uri}?code=stolen&state=forged"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert refused.value.code == 400
    follow(request.url)  # the real sign-in still completes
    token = finish_authorization(request, receiver, ctx.endpoints, ctx.client_id,
                                 should_stop=lambda: False, timeout=10)
    assert token["access_token"]


def test_a_wrong_verifier_is_refused(ctx: AppContext) -> None:
    receiver = LoopbackReceiver()
    request = start_authorization(ctx.endpoints, ctx.client_id, receiver)
    follow(request.url)
    callback = receiver.wait(10, lambda: False)
    with pytest.raises(AuthorizationError, match="Xero refused the sign-in"):
        exchange_code(ctx.endpoints, ctx.client_id, callback.code, request.redirect_uri,
                      "a" * 64)


def test_walking_away_times_out_and_frees_the_port(ctx: AppContext) -> None:
    receiver = LoopbackReceiver()
    request = start_authorization(ctx.endpoints, ctx.client_id, receiver)
    port = int(urlsplit(request.redirect_uri).port or 0)
    with pytest.raises(LoginError, match="not completed in time"):
        finish_authorization(request, receiver, ctx.endpoints, ctx.client_id,
                             should_stop=lambda: False, timeout=0.3)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # free again


def test_cancel_stops_waiting(ctx: AppContext) -> None:
    receiver = LoopbackReceiver()
    request = start_authorization(ctx.endpoints, ctx.client_id, receiver)
    with pytest.raises(LoginError, match="cancelled"):
        finish_authorization(request, receiver, ctx.endpoints, ctx.client_id,
                             should_stop=lambda: True, timeout=10)


def test_a_busy_port_is_a_clear_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(LoginError, match=f"Port {port} .* already in use"):
            LoopbackReceiver(port=port)


def test_demo_organisations_are_kept_between_sessions(paths: AppPaths, tmp_path: Path) -> None:
    first = build_demo(paths)
    assert first.sandbox is not None
    tenant = first.sandbox.organisations()[0]["tenantId"]
    added = first.sandbox.add_contact(tenant, Name="Kept Between Sessions")
    first.close()
    second = build_demo(paths)
    assert second.sandbox is not None
    try:
        names = {c["Name"]: c["ContactID"] for c in second.sandbox.contacts(tenant)}
        assert names["Kept Between Sessions"] == added["ContactID"]
        assert paths.demo_state.exists()
    finally:
        second.close()


def test_a_sandbox_sign_in_needs_no_browser(ctx: AppContext) -> None:
    ctx.vault.save(sign_in_without_browser(ctx.endpoints, ctx.client_id, timeout=10))
    with ctx.open_xero() as xero:
        assert len(xero.connections()) == 2


def test_a_sandbox_sign_in_that_is_denied_or_unreachable_says_so(ctx: AppContext) -> None:
    assert ctx.sandbox is not None
    ctx.sandbox.set_consent(False)
    with pytest.raises(LoginError, match="Access to Xero was not allowed"):
        sign_in_without_browser(ctx.endpoints, ctx.client_id, timeout=10)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nowhere = XeroEndpoints.sandbox(f"http://127.0.0.1:{probe.getsockname()[1]}")
    with pytest.raises(XeroUnavailableError, match="could not be reached"):
        sign_in_without_browser(nowhere, ctx.client_id, timeout=10)


def test_real_xero_is_never_signed_in_without_a_person() -> None:
    with pytest.raises(LoginError, match="needs a person at a browser"):
        sign_in_without_browser(XeroEndpoints.xero(), "0123456789ABCDEF")
