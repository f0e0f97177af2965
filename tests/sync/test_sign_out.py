"""Sign out and Remove organisation by Xero's documented path, whatever Xero answers.

DELETE /connections/{id} for each organisation first, then the revocation, then the keyring
entry; the sentence says what was done and how to check it at xero.com. The sandbox plays
real Xero (tokens in a keyring, a registered Mobile or desktop app).
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from instant_pacing import instant_pacing

from xerosync_desktop.bootstrap import AppContext, build_xero
from xerosync_desktop.errors import XeroUnavailableError
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import AppRegistration, SandboxOptions, XeroSandbox
from xerosync_desktop.store import XeroApp
from xerosync_desktop.xero.auth import finish_authorization, start_authorization
from xerosync_desktop.xero.client import Organisation
from xerosync_desktop.xero.endpoints import XeroEndpoints
from xerosync_desktop.xero.keyring_vault import KEYRING_SERVICE

CLIENT_ID = "0123456789ABCDEF0123456789ABCDEF"
ENTRY = (KEYRING_SERVICE, f"grant:{CLIENT_ID}")
US, GLOBAL = "Demo Company (US)", "Demo Company (Global)"
US_TENANT = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
GLOBAL_TENANT = "b2e9d6c4-1a7f-4c35-8e20-6f4d3b9a7c22"
CHECK = ("To check, sign in at xero.com and open Settings, Connected apps in {}: your "
         "xerosync app is no longer listed.")


@pytest.fixture
def xero(port: int) -> Iterator[XeroSandbox]:
    app = AppRegistration(CLIENT_ID, (f"http://localhost:{port}/callback",),
                          ("offline_access", "accounting.contacts"))
    with XeroSandbox(SandboxOptions(port=0, apps=(app,))) as running:
        yield running


@pytest.fixture
def ctx(paths: AppPaths, xero: XeroSandbox, port: int, memory_keyring: Any) -> AppContext:
    """Signed in to the sandbox as to real Xero, tokens in the (test's) keyring."""
    context = replace(build_xero(paths, XeroApp(demo=False, client_id=CLIENT_ID,
                                                redirect_port=port),
                                 endpoints=replace(XeroEndpoints.sandbox(xero.url),
                                                   is_demo=False)),
                      pacing=instant_pacing())
    receiver = context.loopback()
    request = start_authorization(context.endpoints, CLIENT_ID, receiver)
    threading.Thread(target=lambda: urllib.request.urlopen(request.url, timeout=10).read(),
                     daemon=True).start()
    context.vault.save(finish_authorization(request, receiver, context.endpoints, CLIENT_ID,
                                            lambda: False, timeout=10))
    assert ENTRY in memory_keyring.secrets
    return context


def organisation(ctx: AppContext, name: str) -> Organisation:
    with ctx.open_xero() as client:
        return next(o for o in client.connections() if o.name == name)


def test_sign_out_disconnects_each_organisation_revokes_and_forgets(
        ctx: AppContext, xero: XeroSandbox, memory_keyring: Any) -> None:
    refresh_token = ctx.vault.newest_refresh_token()
    done = ctx.sign_out()
    assert xero.grants() == []  # every connection gone, and the grant revoked
    assert xero.refresh_token_status(refresh_token) == "unknown"
    assert ENTRY not in memory_keyring.secrets
    assert done.complete and done.signed_out
    assert done.message == (
        f"Signed out of Xero. {US} and {GLOBAL} were disconnected from this app. Xero "
        "confirmed that the sign-in was revoked. The sign-in was removed from this computer. "
        "Your mappings and settings are kept. " + CHECK.format("each organisation"))


def test_connections_go_first_so_a_refused_revocation_leaves_nothing_connected(
        ctx: AppContext, xero: XeroSandbox, memory_keyring: Any) -> None:
    xero.register_app(AppRegistration(CLIENT_ID, app_type="web", client_secret="s3cret"))
    done = ctx.sign_out()  # Xero wants a secret to revoke: what it documents
    assert xero.grants() == [{"client_id": CLIENT_ID, "tenant_ids": []}]
    assert ENTRY not in memory_keyring.secrets
    assert done.complete
    assert done.message == (
        f"Signed out of Xero. {US} and {GLOBAL} were disconnected from this app. Xero did not "
        "confirm that the sign-in was revoked (HTTP 400, invalid_client). This matters only "
        "if an organisation is still connected. The sign-in was removed from this computer. "
        "Your mappings and settings are kept. " + CHECK.format("each organisation"))


def test_sign_out_after_xero_ended_the_access_says_so(
        ctx: AppContext, xero: XeroSandbox, memory_keyring: Any) -> None:
    xero.revoke_all_grants()  # removed at xero.com, say
    xero.expire_access_tokens()
    done = ctx.sign_out()
    assert ENTRY not in memory_keyring.secrets
    assert done.complete
    assert done.message == (
        "Signed out of Xero. Xero had already ended this app's access, so there was no "
        "organisation left to disconnect. The sign-in was removed from this computer. Your "
        "mappings and settings are kept. " + CHECK.format("each organisation"))


def test_sign_out_with_xero_out_of_reach_says_how_to_finish_at_xero(
        ctx: AppContext, xero: XeroSandbox, memory_keyring: Any) -> None:
    refresh_token = ctx.vault.newest_refresh_token()
    xero.stop()
    done = ctx.sign_out()
    assert ENTRY not in memory_keyring.secrets  # forgotten here all the same
    assert not done.complete
    assert done.message == (
        "Signed out of Xero. Xero could not be reached to list the organisations to "
        "disconnect. Could not reach Xero to sign out. This matters only if an organisation "
        "is still connected. The sign-in was removed from this computer. Your mappings and "
        "settings are kept. To finish, sign in at xero.com, open Settings, Connected apps in "
        "each organisation and disconnect your xerosync app there.")
    assert refresh_token not in done.message


def test_sign_out_without_a_sign_in_sends_nothing(ctx: AppContext, xero: XeroSandbox) -> None:
    ctx.vault.clear()
    done = ctx.sign_out()
    assert len(xero.grants()) == 1  # nothing was sent
    assert done.message == ("Signed out of Xero. This computer held no Xero sign-in, so "
                            "nothing was sent to Xero. Your mappings and settings are kept.")


def test_remove_organisation_disconnects_that_one_only(
        ctx: AppContext, xero: XeroSandbox, memory_keyring: Any) -> None:
    done = ctx.remove_organisation(organisation(ctx, GLOBAL), [])
    assert xero.grants() == [{"client_id": CLIENT_ID, "tenant_ids": [US_TENANT]}]
    assert [o.name for o in done.remaining] == [US] and not done.signed_out
    assert ENTRY in memory_keyring.secrets
    assert done.message == (f"{GLOBAL} was disconnected from this app; Xero keeps all its "
                            "data, and its mappings are kept here. " + CHECK.format(GLOBAL))


def test_removing_the_last_organisation_signs_out(
        ctx: AppContext, xero: XeroSandbox, memory_keyring: Any) -> None:
    ctx.remove_organisation(organisation(ctx, GLOBAL), [])
    done = ctx.remove_organisation(organisation(ctx, US), [])
    assert xero.grants() == []
    assert ENTRY not in memory_keyring.secrets
    assert done.signed_out and done.remaining == ()
    assert done.message == (
        f"{US} was disconnected from this app; Xero keeps all its data, and its mappings are "
        "kept here. It was the last organisation connected, so xerosync also signed out. Xero "
        "confirmed that the sign-in was revoked. The sign-in was removed from this computer; "
        "click Connect to Xero to connect again. " + CHECK.format(US))


def test_an_organisation_already_disconnected_at_xero_is_removed_all_the_same(
        ctx: AppContext, xero: XeroSandbox) -> None:
    global_org = organisation(ctx, GLOBAL)
    with ctx.open_xero() as elsewhere:
        elsewhere.remove_connection(global_org)
    done = ctx.remove_organisation(global_org, [])
    assert [o.name for o in done.remaining] == [US]
    assert done.message.startswith(f"{GLOBAL} was disconnected from this app")


def test_remove_organisation_with_xero_out_of_reach_changes_nothing(
        ctx: AppContext, xero: XeroSandbox, memory_keyring: Any) -> None:
    global_org = organisation(ctx, GLOBAL)
    xero.stop()
    with pytest.raises(XeroUnavailableError) as failed:
        ctx.remove_organisation(global_org, [global_org])
    assert ENTRY in memory_keyring.secrets
    assert failed.value.message == (
        f"{GLOBAL} was not disconnected: Could not reach Xero while disconnecting {GLOBAL} "
        "(the connection failed or timed out, 6 tries). Nothing changed in this app. Try "
        "again, or disconnect it yourself: sign in at xero.com, open Settings, Connected apps "
        f"in {GLOBAL} and disconnect your xerosync app there.")
