"""A real Xero connection, played by the sandbox: keyring, refresh, reconnect, sign-out.

The sandbox stands in for Xero at its own address; the context is built as for real Xero
(fixed localhost redirect port, tokens in the keyring, no demo banner).
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from gui_helpers import (
    TIMEOUT,
    US,
    click,
    demo_signed_in,
    save_dialog_returns,
    shown_rows,
    spy_on_secrets,
    start_sync,
)
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QFileDialog, QMessageBox

from xerosync_desktop.bootstrap import AppContext, build_context, build_xero
from xerosync_desktop.gui.app import Shell
from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.logsetup import setup_logging
from xerosync_desktop.paths import AppPaths, resource_path
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox
from xerosync_desktop.store import Store, XeroApp
from xerosync_desktop.xero.endpoints import XeroEndpoints
from xerosync_desktop.xero.keyring_vault import KEYRING_SERVICE, NO_KEYRING_TEXT

CLIENT_ID = "0123456789ABCDEF0123456789ABCDEF"
ENTRY = (KEYRING_SERVICE, f"grant:{CLIENT_ID}")
US_TENANT = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
GLOBAL = "Demo Company (Global)"
GLOBAL_TENANT = "b2e9d6c4-1a7f-4c35-8e20-6f4d3b9a7c22"
SAMPLE = resource_path("sample", "timesolv_clients.csv")


@pytest.fixture
def xero() -> Iterator[XeroSandbox]:
    """The sandbox playing real Xero; short-lived tokens so the SDK refreshes on every call."""
    with XeroSandbox(SandboxOptions(port=0, data="demo", token_lifetime=5)) as running:
        yield running


def real_context(paths: AppPaths, xero: XeroSandbox, port: int) -> AppContext:
    app = XeroApp(demo=False, client_id=CLIENT_ID, redirect_port=port)
    with Store(paths.database) as store:
        store.settings.save_xero_app(app)
    return build_xero(paths, app, endpoints=replace(XeroEndpoints.sandbox(xero.url),
                                                     is_demo=False))


def open_window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def connect(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.setup_tab.connect_finished, timeout=TIMEOUT) as connected:
        click(qtbot, window.setup_tab.connect_button)
    assert connected.args == [True], window.setup_tab.message_bar.text()


def save_setup(qtbot: QtBot, window: MainWindow, organisation: str,
               monkeypatch: pytest.MonkeyPatch) -> None:
    setup = window.setup_tab
    setup.organisation_combo.setCurrentIndex(setup.organisation_combo.findText(organisation))
    if not setup.clients_file_edit.text():
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(SAMPLE), ""))
        click(qtbot, setup.browse_button)
    setup.enable_checkbox.setChecked(True)
    with qtbot.waitSignal(setup.settings_saved, timeout=TIMEOUT):
        click(qtbot, setup.save_button)


def answer_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def question(_parent: object, title: str, *_: object) -> QMessageBox.StandardButton:
        asked.append(title)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def stored_grant(keyring: Any) -> dict[str, Any]:
    secret = keyring.secrets[ENTRY]
    assert len(secret) < 1000
    return dict(json.loads(secret))


def mappings(ctx: AppContext, tenant_id: str) -> dict[str, str]:
    with ctx.open_store() as store:
        return store.mappings.for_tenant(tenant_id)


def test_connect_with_the_registered_localhost_uri_and_stay_connected_after_a_restart(
        qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int, browser: Any,
        memory_keyring: Any) -> None:
    ctx = real_context(paths, xero, port)
    window = open_window(qtbot, ctx)
    setup = window.setup_tab
    assert not window.demo_banner.isVisible() and setup.sign_out_button.isVisible()
    assert f"http://localhost:{port}/callback" in setup.xero_app_box.redirect_label.text()
    connect(qtbot, window)

    query = parse_qs(urlsplit(browser.opened[0]).query)
    assert query["redirect_uri"] == [f"http://localhost:{port}/callback"]
    assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["offline_access accounting.contacts"]
    browser.join()
    assert browser.landed[0].startswith(f"http://localhost:{port}/callback?code=")
    grant = stored_grant(memory_keyring)
    assert set(grant) == {"refresh_token", "expires_at", "scope"}  # no access or id token
    assert xero.refresh_token_status(grant["refresh_token"]) == "current"
    assert [setup.organisation_combo.itemText(i)
            for i in range(setup.organisation_combo.count())] == [US, GLOBAL]
    window.close()

    # a restart: a new context and vault, the same keyring; no browser this time
    again = open_window(qtbot, real_context(paths, xero, port))
    with qtbot.waitSignal(again.setup_tab.connect_finished, timeout=TIMEOUT) as resumed:
        pass
    assert resumed.args == [True]
    assert len(browser.opened) == 1
    assert again.setup_tab.organisation_combo.count() == 2
    assert "Connected to Xero" in again.setup_tab.connection_label.text()


def test_tokens_refresh_during_a_sync_and_the_keyring_keeps_the_newest(
        qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int, browser: Any,
        memory_keyring: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    setup_logging(paths.log_dir, level=logging.DEBUG)  # as the app does, and chattier
    ctx = real_context(paths, xero, port)
    secrets = spy_on_secrets(ctx, monkeypatch)
    window = open_window(qtbot, ctx)
    connect(qtbot, window)
    first = stored_grant(memory_keyring)["refresh_token"]
    save_setup(qtbot, window, US, monkeypatch)
    with qtbot.waitSignal(window.sync_tab.run_finished, timeout=60_000) as finished:
        start_sync(qtbot, window.sync_tab)
    summary = finished.args[0]
    assert (summary.outcome, summary.created, summary.failed) == ("finished", 25, 0)

    newest = stored_grant(memory_keyring)["refresh_token"]
    assert newest != first and xero.refresh_token_status(first) == "superseded"
    assert xero.refresh_token_status(newest) == "current"
    assert len(secrets) > 10  # a refresh per call: many tokens passed through
    save_dialog_returns(monkeypatch, tmp_path / "log.xlsx")
    with qtbot.waitSignal(window.sync_tab.export_finished, timeout=TIMEOUT):
        click(qtbot, window.sync_tab.download_button)
    browser.join()
    secrets += [parse_qs(urlsplit(url).query)["code"][0] for url in browser.landed]
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {".log", ".xlsx", ".sqlite3"} <= {p.suffix for p in written}
    for path in written:
        data = path.read_bytes()
        assert not any(s.encode() in data for s in secrets if s), f"a secret is in {path}"


def test_a_refused_refresh_asks_to_reconnect_and_keeps_mappings(
        qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int, browser: Any,
        memory_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = real_context(paths, xero, port)
    window = open_window(qtbot, ctx)
    connect(qtbot, window)
    save_setup(qtbot, window, US, monkeypatch)
    with qtbot.waitSignal(window.sync_tab.run_finished, timeout=60_000):
        start_sync(qtbot, window.sync_tab)
    kept = mappings(ctx, US_TENANT)
    assert len(kept) == 32

    xero.revoke_all_grants()  # the user removed the app in Xero, or 60 days went by
    with qtbot.waitSignal(window.sync_tab.run_failed, timeout=TIMEOUT):
        start_sync(qtbot, window.sync_tab)
    setup = window.setup_tab
    assert window.tabs.currentWidget() is setup
    assert setup.connect_button.text() == "Reconnect to Xero"
    assert "mappings and settings are kept" in setup.connection_label.text()
    assert not window.tabs.isTabEnabled(window.tabs.indexOf(window.sync_tab))
    assert mappings(ctx, US_TENANT) == kept

    connect(qtbot, window)  # Reconnect
    assert setup.connect_button.text() == "Connect to Xero"
    assert setup.organisation_combo.currentText() == US and setup.enable_checkbox.isChecked()
    assert window.tabs.isTabEnabled(window.tabs.indexOf(window.sync_tab))
    with qtbot.waitSignal(window.sync_tab.run_finished, timeout=60_000) as again:
        start_sync(qtbot, window.sync_tab)
    assert (again.args[0].created, again.args[0].failed) == (0, 0)


def test_without_a_keyring_the_connection_lasts_the_session_and_says_so(
        qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int, browser: Any) -> None:
    ctx = real_context(paths, xero, port)  # the tests' default: keyring.backends.fail
    window = open_window(qtbot, ctx)
    connect(qtbot, window)
    assert window.setup_tab.message_bar.text().startswith(NO_KEYRING_TEXT)  # and stays said
    assert window.setup_tab.organisation_combo.count() == 2  # connected all the same
    window.close()

    again = open_window(qtbot, real_context(paths, xero, port))
    assert again.setup_tab.connect_button.text() == "Connect to Xero"
    assert again.setup_tab.organisation_combo.count() == 0
    assert not [p for p in paths.data_dir.rglob("*") if "token" in p.name.lower()]


def test_switching_organisation_keeps_their_mappings_apart(
        qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int, browser: Any,
        memory_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = real_context(paths, xero, port)
    window = open_window(qtbot, ctx)
    connect(qtbot, window)
    save_setup(qtbot, window, US, monkeypatch)
    mapping = window.mapping_tab
    with qtbot.waitSignal(mapping.review_loaded, timeout=TIMEOUT):
        click(qtbot, window.setup_tab.review_button)
    with qtbot.waitSignal(mapping.confirm_finished, timeout=TIMEOUT):
        click(qtbot, mapping.confirm_button)
    us_links = mappings(ctx, US_TENANT)
    assert len(us_links) == 7

    click(qtbot, mapping.back_button)
    save_setup(qtbot, window, GLOBAL, monkeypatch)
    assert "Demo Company (Global)" in window.organisation_label.text()
    with qtbot.waitSignal(mapping.review_loaded, timeout=TIMEOUT):
        click(qtbot, window.setup_tab.review_button)
    assert "Mapped" not in {row["Status"] for row in shown_rows(window)}
    assert mappings(ctx, GLOBAL_TENANT) == {}

    click(qtbot, mapping.back_button)
    save_setup(qtbot, window, US, monkeypatch)
    with qtbot.waitSignal(mapping.review_loaded, timeout=TIMEOUT):
        click(qtbot, window.setup_tab.review_button)
    assert sum(row["Status"] == "Mapped" for row in shown_rows(window)) == 7
    assert mappings(ctx, US_TENANT) == us_links


def test_remove_organisation_disconnects_it_at_xero_and_keeps_its_mappings(
        qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int, browser: Any,
        memory_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = real_context(paths, xero, port)
    with ctx.open_store() as store:
        store.mappings.save(GLOBAL_TENANT, {"C-1": "c0ffee00-0000-4000-8000-000000000001"},
                            source="confirmed")
    window = open_window(qtbot, ctx)
    connect(qtbot, window)
    setup = window.setup_tab
    setup.organisation_combo.setCurrentIndex(setup.organisation_combo.findText(GLOBAL))
    asked = answer_yes(monkeypatch)
    with qtbot.waitSignal(setup.connect_finished, timeout=TIMEOUT):
        click(qtbot, setup.remove_button)
    assert asked == ["Remove organisation"]
    assert [setup.organisation_combo.itemText(i)
            for i in range(setup.organisation_combo.count())] == [US]
    assert xero.grants() == [{"client_id": CLIENT_ID, "tenant_ids": [US_TENANT]}]
    assert "disconnected from this app" in setup.message_bar.text()
    assert len(mappings(ctx, GLOBAL_TENANT)) == 1


def test_sign_out_revokes_the_grant_and_forgets_the_tokens(
        qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int, browser: Any,
        memory_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = real_context(paths, xero, port)
    window = open_window(qtbot, ctx)
    connect(qtbot, window)
    save_setup(qtbot, window, US, monkeypatch)
    with ctx.open_store() as store:
        store.mappings.save(US_TENANT, {"C-1": "c0ffee00-0000-4000-8000-000000000001"},
                            source="confirmed")
    assert len(xero.grants()) == 1 and ENTRY in memory_keyring.secrets
    answer_yes(monkeypatch)
    setup = window.setup_tab
    with qtbot.waitSignal(setup.connection_changed, timeout=TIMEOUT) as changed:
        click(qtbot, setup.sign_out_button)
    assert changed.args == [False]
    assert xero.grants() == []
    assert memory_keyring.secrets == {}
    assert setup.connection_label.text() == "Not connected to Xero."
    assert "Signed out of Xero" in setup.message_bar.text()
    assert not window.tabs.isTabEnabled(window.tabs.indexOf(window.mapping_tab))
    assert mappings(ctx, US_TENANT) == {"C-1": "c0ffee00-0000-4000-8000-000000000001"}
    assert "No organisation picked" in window.organisation_label.text()


def test_a_busy_redirect_port_is_a_clear_message(qtbot: QtBot, paths: AppPaths,
                                                xero: XeroSandbox, port: int) -> None:
    window = open_window(qtbot, real_context(paths, xero, port))
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with qtbot.waitSignal(window.setup_tab.connect_finished, timeout=TIMEOUT) as done:
            click(qtbot, window.setup_tab.connect_button)
    assert done.args == [False]
    assert f"Port {port} on this computer is already in use" in \
        window.setup_tab.message_bar.text()


def test_choosing_real_xero_in_setup_rebuilds_the_app_on_it(qtbot: QtBot, paths: AppPaths,
                                                            port: int) -> None:
    shell = Shell(paths, build_context(paths))
    try:
        qtbot.addWidget(shell.window)  # deleted on the GUI thread at the end, not by a GC
        shell.window.show()
        assert shell.ctx.is_demo and shell.window.demo_banner.isVisible()
        demo_signed_in(qtbot, shell.window)  # Setup is locked while it signs in
        box = shell.window.setup_tab.xero_app_box
        box.real_radio.setChecked(True)
        assert not box.apply_button.isEnabled()  # no client id yet
        box.client_id_edit.setText("not an id!")
        assert not box.apply_button.isEnabled() and "letters and digits" in \
            box.problem_label.text()
        box.client_id_edit.setText(CLIENT_ID)
        box.port_spin.setValue(port)
        assert f"http://localhost:{port}/callback" in box.redirect_label.text()
        old = shell.window
        click(qtbot, box.apply_button)
        qtbot.addWidget(shell.window)
        assert shell.window is not old and not old.isVisible()
        assert not shell.ctx.is_demo and not shell.window.demo_banner.isVisible()
        assert shell.ctx.redirect_port == port and shell.ctx.client_id == CLIENT_ID
        assert shell.window.setup_tab.connect_button.isEnabled()
        with Store(paths.database) as store:
            assert store.settings.xero_app() == XeroApp(False, CLIENT_ID, port)

        shell.window.setup_tab.xero_app_box.demo_radio.setChecked(True)
        click(qtbot, shell.window.setup_tab.xero_app_box.apply_button)
        qtbot.addWidget(shell.window)
        assert shell.ctx.is_demo and shell.window.demo_banner.isVisible()
        with Store(paths.database) as store:  # the real app's details are kept
            assert store.settings.xero_app() == XeroApp(True, CLIENT_ID, port)
    finally:
        shell.window.close()
        shell.close()


def test_a_grant_revoked_while_the_app_was_closed_asks_to_reconnect_at_start(
        qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int, browser: Any,
        memory_keyring: Any) -> None:
    window = open_window(qtbot, real_context(paths, xero, port))
    connect(qtbot, window)
    window.close()
    xero.revoke_all_grants()

    again = open_window(qtbot, real_context(paths, xero, port))
    with qtbot.waitSignal(again.setup_tab.connect_finished, timeout=TIMEOUT) as resumed:
        pass
    assert resumed.args == [False]
    assert again.setup_tab.connect_button.text() == "Reconnect to Xero"
    assert "no longer accepts" in again.setup_tab.message_bar.text()
    assert again.tabs.currentWidget() is again.setup_tab


def test_an_organisation_disconnected_in_xero_is_not_a_lost_connection(
        qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int, browser: Any,
        memory_keyring: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = real_context(paths, xero, port)
    window = open_window(qtbot, ctx)
    connect(qtbot, window)
    save_setup(qtbot, window, GLOBAL, monkeypatch)
    with ctx.open_xero() as elsewhere:  # removed in Xero's Connected Apps, say
        elsewhere.remove_connection(next(o for o in elsewhere.connections()
                                         if o.name == GLOBAL))
    with qtbot.waitSignal(window.mapping_tab.load_failed, timeout=TIMEOUT) as failed:
        click(qtbot, window.setup_tab.review_button)
    assert "Xero refused access to this organisation" in failed.args[0]
    setup = window.setup_tab
    assert setup.connect_button.text() == "Connect to Xero"  # the grant itself stands
    assert setup.organisation_combo.count() == 2 and setup.connected


def test_walking_away_from_the_sign_in_times_out_and_frees_the_port(
        qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toString()) or True)  # never signs in
    ctx = replace(real_context(paths, xero, port), sign_in_timeout=0.5)
    window = open_window(qtbot, ctx)
    with qtbot.waitSignal(window.setup_tab.connect_finished, timeout=TIMEOUT) as done:
        click(qtbot, window.setup_tab.connect_button)
    assert done.args == [False] and len(opened) == 1
    assert "not completed in time" in window.setup_tab.message_bar.text()
    assert window.setup_tab.connect_button.text() == "Connect to Xero"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # free again


def test_an_answer_with_another_state_is_refused_and_the_real_one_connects(
        qtbot: QtBot, paths: AppPaths, xero: XeroSandbox, port: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import urllib.error
    import urllib.request

    from PySide6.QtGui import QDesktopServices

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_: Any) -> None:
            return None

    forged: list[int] = []

    def browse(url: str) -> None:
        try:
            urllib.request.build_opener(NoRedirect).open(url, timeout=10)
        except urllib.error.HTTPError as redirect:  # 302 to the app, with code and state
            callback = redirect.headers["Location"]
        query = parse_qs(urlsplit(callback).query)
        other = callback.replace(query["state"][0], "someone-elses-state")
        try:
            urllib.request.urlopen(other, timeout=10)
        except urllib.error.HTTPError as refused:
            forged.append(refused.code)
        urllib.request.urlopen(callback, timeout=10).read()

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: threading.Thread(
        target=browse, args=(url.toString(),), daemon=True).start() or True)
    window = open_window(qtbot, real_context(paths, xero, port))
    connect(qtbot, window)
    assert forged == [400]
    assert window.setup_tab.organisation_combo.count() == 2


def test_connect_waits_for_unapplied_xero_settings(qtbot: QtBot, paths: AppPaths,
                                                  xero: XeroSandbox, port: int) -> None:
    window = open_window(qtbot, real_context(paths, xero, port))
    setup = window.setup_tab
    assert setup.connect_button.isEnabled()
    setup.xero_app_box.port_spin.setValue(port + 1)  # edited, not applied
    assert not setup.connect_button.isEnabled()
    assert setup.connect_button.toolTip() == "Click Use these settings first."
    setup.xero_app_box.port_spin.setValue(port)
    assert setup.connect_button.isEnabled()
