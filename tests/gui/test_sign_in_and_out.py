"""Setup when Xero refuses a sign-in, while a sign-in takes long, and at sign-out and removal.

The sandbox plays real Xero with the firm's Xero app registered one way or another; the
browser follows the sign-in over real HTTP. What is asserted is what Setup shows and what the
sandbox (Xero) and the keyring hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import TIMEOUT, click
from instant_pacing import instant_pacing
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QMessageBox

from xerosync_desktop.bootstrap import AppContext, build_xero
from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import AppRegistration, SandboxOptions, XeroSandbox
from xerosync_desktop.store import Store, XeroApp
from xerosync_desktop.xero.endpoints import XeroEndpoints
from xerosync_desktop.xero.keyring_vault import KEYRING_SERVICE

CLIENT_ID = "0123456789ABCDEF0123456789ABCDEF"
ENTRY = (KEYRING_SERVICE, f"grant:{CLIENT_ID}")
US, GLOBAL = "Demo Company (US)", "Demo Company (Global)"
SCOPES = ("offline_access", "accounting.contacts")


@pytest.fixture
def uri(port: int) -> str:
    return f"http://localhost:{port}/callback"


@pytest.fixture
def make_xero() -> Iterator[Callable[..., XeroSandbox]]:
    """make_xero(**registration of CLIENT_ID) -> a started sandbox playing Xero."""
    started: list[XeroSandbox] = []

    def make(**app: Any) -> XeroSandbox:
        sandbox = XeroSandbox(SandboxOptions(port=0, apps=(AppRegistration(CLIENT_ID, **app),)))
        started.append(sandbox.start())
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


def open_window(qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int,
                **changes: Any) -> MainWindow:
    app = XeroApp(demo=False, client_id=CLIENT_ID, redirect_port=port)
    with Store(paths.database) as store:
        store.settings.save_xero_app(app)
    ctx = build_xero(paths, app, endpoints=replace(XeroEndpoints.sandbox(xero.url),
                                                   is_demo=False))
    ctx = replace(ctx, pacing=instant_pacing(), **changes)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def connect(qtbot: QtBot, window: MainWindow) -> bool:
    with qtbot.waitSignal(window.setup_tab.connect_finished, timeout=TIMEOUT) as finished:
        click(qtbot, window.setup_tab.connect_button)
    return bool(finished.args[0])


def answer_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_: QMessageBox.StandardButton.Yes)


def context(window: MainWindow) -> AppContext:
    return window.setup_tab._ctx


# -- sign-in ----------------------------------------------------------------------------------


def test_while_xero_shows_its_error_page_setup_names_the_redirect_uri_to_register(
        qtbot: QtBot, paths: AppPaths, make_xero: Callable[..., XeroSandbox], port: int,
        uri: str, browser: Any, tmp_path: Path) -> None:
    xero = make_xero(redirect_uris=(f"http://localhost:{port + 1}/callback",), scopes=SCOPES)
    window = open_window(qtbot, paths, xero, port, sign_in_hint_delay=0.2)
    setup = window.setup_tab
    assert not setup.sign_in_hint.isVisible()
    with qtbot.waitSignal(setup.sign_in_hint.shown, timeout=TIMEOUT) as shown:
        click(qtbot, setup.connect_button)
    browser.join()
    assert [getattr(e, "code", None) for e in browser.errors] == [400]  # Xero's error page
    expected = (
        "Still waiting for you to sign in to Xero. If Xero showed an error page instead of "
        "asking you to allow access, check your Xero app at developer.xero.com/app/manage: it "
        f"must be a Mobile or desktop app with client id {CLIENT_ID} and the redirect URI "
        f"{uri} exactly. Fix it there, then click Cancel sign-in and Connect to Xero again.")
    assert shown.args == [expected]
    assert setup.sign_in_hint.isVisible() and setup.sign_in_hint.text() == expected
    qtbot.screenshot(window, "sign_in_hint")  # looked at: under the Connect row

    with qtbot.waitSignal(setup.connect_finished, timeout=TIMEOUT) as cancelled:
        click(qtbot, setup.connect_button)  # Cancel sign-in
    assert cancelled.args == [False]
    assert not setup.sign_in_hint.isVisible()
    assert setup.message_bar.text() == "Connecting to Xero was cancelled."

    xero.register_app(AppRegistration(CLIENT_ID, (uri,), SCOPES))  # fixed at developer.xero.com
    assert connect(qtbot, window)


def test_no_hint_when_the_sign_in_finishes_first(
        qtbot: QtBot, paths: AppPaths, make_xero: Callable[..., XeroSandbox], port: int,
        uri: str, browser: Any) -> None:
    window = open_window(qtbot, paths, make_xero(redirect_uris=(uri,)), port,
                         sign_in_hint_delay=0.5)
    assert connect(qtbot, window)
    with qtbot.assertNotEmitted(window.setup_tab.sign_in_hint.shown, wait=800):
        pass
    assert not window.setup_tab.sign_in_hint.isVisible()


def test_a_sign_in_that_times_out_says_what_to_check(
        qtbot: QtBot, paths: AppPaths, make_xero: Callable[..., XeroSandbox], port: int,
        uri: str, browser: Any) -> None:
    make_xero_ = make_xero(redirect_uris=("http://localhost:1/callback",))
    window = open_window(qtbot, paths, make_xero_, port, sign_in_timeout=0.5)
    assert not connect(qtbot, window)
    assert window.setup_tab.message_bar.text() == (
        "Xero sign-in was not completed in time. If Xero showed an error page instead of "
        "asking you to allow access, check your Xero app at developer.xero.com/app/manage: it "
        f"must be a Mobile or desktop app with client id {CLIENT_ID} and the redirect URI "
        f"{uri} exactly. Then click Connect to Xero to try again.")


def test_a_refused_scope_is_said_in_setup(
        qtbot: QtBot, paths: AppPaths, make_xero: Callable[..., XeroSandbox], port: int,
        uri: str, browser: Any) -> None:
    xero = make_xero(redirect_uris=(uri,), scopes=("offline_access",))
    window = open_window(qtbot, paths, xero, port)
    assert not connect(qtbot, window)
    setup = window.setup_tab
    assert setup.message_bar.kind == "error"
    assert setup.message_bar.text() == (
        "Xero refused the permissions xerosync asks for (offline_access accounting.contacts), "
        "so the app is not connected. At developer.xero.com/app/manage, check that the app "
        f"with client id {CLIENT_ID} is a Mobile or desktop app that may use these scopes, "
        "then click Connect to Xero again.")
    assert setup.connection_label.text() == "Not connected to Xero."
    assert not setup.sign_in_hint.isVisible()


def test_a_web_app_is_told_to_be_a_mobile_or_desktop_app(
        qtbot: QtBot, paths: AppPaths, make_xero: Callable[..., XeroSandbox], port: int,
        uri: str, browser: Any) -> None:
    xero = make_xero(redirect_uris=(uri,), app_type="web", client_secret="s3cret")
    window = open_window(qtbot, paths, xero, port)
    assert not connect(qtbot, window)
    setup = window.setup_tab
    assert setup.message_bar.text().startswith(
        f"Xero refused the sign-in: it does not accept the app with client id {CLIENT_ID} "
        "(invalid_client). At developer.xero.com/app/manage the app must be a Mobile or "
        "desktop app, which uses PKCE and has no client secret")
    assert setup.connect_button.text() == "Connect to Xero"  # not a lost grant: no Reconnect
    assert xero.grants() == []


# -- sign-out and remove ----------------------------------------------------------------------


def signed_in(qtbot: QtBot, paths: AppPaths, make_xero: Callable[..., XeroSandbox], port: int,
              uri: str) -> tuple[XeroSandbox, MainWindow]:
    """A window signed in to a Xero whose app registers this loopback redirect URI."""
    xero = make_xero(redirect_uris=(uri,))
    window = open_window(qtbot, paths, xero, port)
    assert connect(qtbot, window)
    return xero, window


def test_sign_out_removes_the_connections_even_when_xero_refuses_the_revocation(
        qtbot: QtBot, paths: AppPaths, make_xero: Callable[..., XeroSandbox], port: int,
        uri: str, browser: Any, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    xero, window = signed_in(qtbot, paths, make_xero, port, uri)
    xero.register_app(AppRegistration(CLIENT_ID, (uri,), app_type="web", client_secret="s"))
    answer_yes(monkeypatch)
    setup = window.setup_tab
    with qtbot.waitSignal(setup.disconnect_finished, timeout=TIMEOUT) as finished:
        click(qtbot, setup.sign_out_button)
    assert finished.args == [True]
    assert xero.grants() == [{"client_id": CLIENT_ID, "tenant_ids": []}]
    assert ENTRY not in memory_keyring.secrets
    assert setup.message_bar.kind == "success"
    assert setup.message_bar.text() == (
        f"Signed out of Xero. {US} and {GLOBAL} were disconnected from this app. Xero did not "
        "confirm that the sign-in was revoked (HTTP 400, invalid_client). This matters only "
        "if an organisation is still connected. The sign-in was removed from this computer. "
        "Your mappings and settings are kept. To check, sign in at xero.com and open "
        "Settings, Connected apps in each organisation: your xerosync app is no longer listed.")
    assert setup.connection_label.text() == "Not connected to Xero."
    assert setup.organisation_combo.count() == 0


def test_sign_out_with_xero_out_of_reach_says_how_to_finish_at_xero(
        qtbot: QtBot, paths: AppPaths, make_xero: Callable[..., XeroSandbox], port: int,
        uri: str, browser: Any, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    xero, window = signed_in(qtbot, paths, make_xero, port, uri)
    xero.stop()
    answer_yes(monkeypatch)
    setup = window.setup_tab
    with qtbot.waitSignal(setup.disconnect_finished, timeout=TIMEOUT):
        click(qtbot, setup.sign_out_button)
    assert ENTRY not in memory_keyring.secrets
    assert setup.message_bar.kind == "info"
    text = setup.message_bar.text()
    assert text.startswith("Signed out of Xero. Xero could not be reached to list the "
                           "organisations to disconnect.")
    assert text.endswith("To finish, sign in at xero.com, open Settings, Connected apps in "
                         "each organisation and disconnect your xerosync app there.")


def test_removing_the_last_organisation_signs_out(
        qtbot: QtBot, paths: AppPaths, make_xero: Callable[..., XeroSandbox], port: int,
        uri: str, browser: Any, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    xero, window = signed_in(qtbot, paths, make_xero, port, uri)
    answer_yes(monkeypatch)
    setup = window.setup_tab
    for name in (GLOBAL, US):
        setup.organisation_combo.setCurrentIndex(setup.organisation_combo.findText(name))
        with qtbot.waitSignal(setup.disconnect_finished, timeout=TIMEOUT) as finished:
            click(qtbot, setup.remove_button)
        assert finished.args == [True]
    assert xero.grants() == []
    assert ENTRY not in memory_keyring.secrets
    assert setup.organisation_combo.count() == 0
    assert setup.connect_button.text() == "Connect to Xero"
    assert not setup.sign_out_button.isEnabled()
    assert setup.message_bar.text() == (
        f"{US} was disconnected from this app; Xero keeps all its data, and its mappings are "
        "kept here. It was the last organisation connected, so xerosync also signed out. Xero "
        "confirmed that the sign-in was revoked. The sign-in was removed from this computer; "
        "click Connect to Xero to connect again. To check, sign in at xero.com and open "
        f"Settings, Connected apps in {US}: your xerosync app is no longer listed.")


def test_a_removal_xero_cannot_do_changes_nothing_and_says_so(
        qtbot: QtBot, paths: AppPaths, make_xero: Callable[..., XeroSandbox], port: int,
        uri: str, browser: Any, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    xero, window = signed_in(qtbot, paths, make_xero, port, uri)
    xero.stop()
    answer_yes(monkeypatch)
    setup = window.setup_tab
    setup.organisation_combo.setCurrentIndex(setup.organisation_combo.findText(GLOBAL))
    with qtbot.waitSignal(setup.disconnect_finished, timeout=TIMEOUT) as finished:
        click(qtbot, setup.remove_button)
    assert finished.args == [False]
    assert setup.message_bar.kind == "error"
    assert setup.message_bar.text().startswith(
        f"{GLOBAL} was not disconnected: Could not reach Xero while disconnecting {GLOBAL}")
    assert setup.organisation_combo.count() == 2
    assert ENTRY in memory_keyring.secrets
