"""Signing in with no browser, with the one BROWSER names, and the demo signing itself in.

Headless Qt opens no browser (QDesktopServices says so), which is the computer with no
default browser; BROWSER is set to a real command, or to one that does not exist. The user
who copies the address is played by a thread following it over HTTP, as a browser would.
What is asserted is what Setup shows, the clipboard, and what the sandbox holds.
"""

from __future__ import annotations

import shlex
import sys
import threading
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from gui_helpers import TIMEOUT, US, click, connect_and_save, demo_signed_in
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from xerosync_desktop.bootstrap import AppContext, build_demo, build_xero
from xerosync_desktop.gui.browser import NO_BROWSER_TEXT
from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.gui.message_bar import COPIED_TEXT, COPY_ADDRESS_TEXT
from xerosync_desktop.gui.setup_tab import DEMO_SIGNING_IN_TEXT
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox
from xerosync_desktop.store import Store, XeroApp
from xerosync_desktop.xero.endpoints import XeroEndpoints

CLIENT_ID = "0123456789ABCDEF0123456789ABCDEF"
COPY_INTO_A_BROWSER = "copy this address into a web browser on this computer"


def open_window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def follow(url: str) -> None:
    """The user pastes the address into a browser elsewhere on this computer."""
    threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=10).read(),
                     daemon=True).start()


def test_with_no_browser_the_address_can_be_selected_and_copied_and_goes_once_signed_in(
        qtbot: QtBot, window: MainWindow, sandbox: XeroSandbox) -> None:
    demo_signed_in(qtbot, window)
    setup, bar = window.setup_tab, window.setup_tab.message_bar
    window.resize(760, window.height())  # narrow: the address must not widen it
    qtbot.waitUntil(lambda: window.width() == 760)
    minimum = window.minimumSizeHint().width()

    click(qtbot, setup.connect_button)
    assert setup.connect_button.text() == "Cancel sign-in"
    assert bar.text() == (f"{NO_BROWSER_TEXT} To sign in, {COPY_INTO_A_BROWSER}; Setup "
                          "carries on by itself once you allow access:")
    address = bar.address_edit.text()
    assert address.startswith(f"{sandbox.url}/identity/connect/authorize?")
    assert parse_qs(urlsplit(address).query)["code_challenge_method"] == ["S256"]
    assert bar.address_edit.isVisible() and bar.address_edit.isReadOnly()
    assert window.width() == 760 and window.minimumSizeHint().width() == minimum

    # selectable with the keyboard, as with the mouse
    flags = bar.label.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    bar.address_edit.setFocus()
    qtbot.keyClick(bar.address_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert bar.address_edit.selectedText() == address

    copy = bar.button(COPY_ADDRESS_TEXT)
    assert copy is not None
    QGuiApplication.clipboard().clear()
    click(qtbot, copy)
    assert QGuiApplication.clipboard().text() == address
    assert copy.text() == COPIED_TEXT
    qtbot.screenshot(window, "sign_in_address")  # looked at: under Client sync, one line

    with qtbot.waitSignal(setup.connect_finished, timeout=TIMEOUT) as connected:
        follow(QGuiApplication.clipboard().text())
    assert connected.args == [True]
    assert not bar.address_edit.isVisible() and bar.button(COPY_ADDRESS_TEXT) is None
    assert COPY_INTO_A_BROWSER not in bar.text()
    assert bar.text().startswith(f"Client sync is not enabled for {US}.")
    assert setup.connection_label.text() == "Connected to the demo Xero: 2 organisations granted."


def test_the_browser_named_in_browser_is_started_with_the_address(
        qtbot: QtBot, window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    opened = tmp_path / "opened.txt"
    script = tmp_path / "browser.py"
    script.write_text("import sys, urllib.request\n"
                      f"open({str(opened)!r}, 'w').write(sys.argv[1])\n"
                      "urllib.request.urlopen(sys.argv[1], timeout=10).read()\n")
    monkeypatch.setenv("BROWSER", f"no-such-browser:{shlex.quote(sys.executable)} "
                                  f"{shlex.quote(str(script))} %s")
    demo_signed_in(qtbot, window)
    setup = window.setup_tab
    with qtbot.waitSignal(setup.connect_finished, timeout=TIMEOUT) as connected:
        click(qtbot, setup.connect_button)
        assert setup.message_bar.text() == (
            "Your web browser should now show the demo Xero's sign-in page. If it does not, "
            f"{COPY_INTO_A_BROWSER}:")
        address = setup.message_bar.address_edit.text()
    assert connected.args == [True]
    assert opened.read_text() == address  # the second command: the first is not installed
    assert not setup.message_bar.address_edit.isVisible()


def test_a_browser_that_cannot_be_started_is_named_and_cancel_replaces_the_address(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER", "no-such-browser --new-window")
    demo_signed_in(qtbot, window)
    setup = window.setup_tab
    click(qtbot, setup.connect_button)
    assert setup.message_bar.text().startswith(
        "No program named in BROWSER (no-such-browser --new-window) could be started. To "
        "sign in, copy this address")
    assert setup.message_bar.address_edit.isVisible()
    with qtbot.waitSignal(setup.connect_finished, timeout=TIMEOUT) as cancelled:
        click(qtbot, setup.connect_button)  # Cancel sign-in
    assert cancelled.args == [False]
    assert setup.message_bar.text() == "Connecting to Xero was cancelled."
    assert setup.message_bar.kind == "error"
    assert not setup.message_bar.address_edit.isVisible()
    assert setup.message_bar.buttons() == []


def test_a_real_xero_sign_in_that_fails_replaces_the_address_with_why(
        qtbot: QtBot, paths: AppPaths, port: int) -> None:
    with XeroSandbox(SandboxOptions(port=0, data="demo")) as xero:
        app = XeroApp(demo=False, client_id=CLIENT_ID, redirect_port=port)
        with Store(paths.database) as store:
            store.settings.save_xero_app(app)
        ctx = build_xero(paths, app, endpoints=replace(XeroEndpoints.sandbox(xero.url),
                                                       is_demo=False))
        window = open_window(qtbot, replace(ctx, sign_in_timeout=0.5))
        setup = window.setup_tab
        assert not setup.busy and xero.grants() == []  # real Xero never signs itself in
        with qtbot.waitSignal(setup.connect_finished, timeout=TIMEOUT) as finished:
            click(qtbot, setup.connect_button)
            assert setup.message_bar.text().startswith(NO_BROWSER_TEXT)
            assert setup.message_bar.address_edit.text().startswith(
                f"{xero.url}/identity/connect/authorize?")
        assert finished.args == [False]
        assert setup.message_bar.text().startswith("Xero sign-in was not completed in time.")
        assert not setup.message_bar.address_edit.isVisible()
        window.close()


def test_a_restart_on_the_demo_signs_itself_in_and_setup_is_usable(
        qtbot: QtBot, paths: AppPaths, sandbox: XeroSandbox, browser: Any) -> None:
    first = open_window(qtbot, build_demo(paths, sandbox_url=sandbox.url))
    connect_and_save(qtbot, first)
    first.close()

    ctx = build_demo(paths, sandbox_url=sandbox.url)  # a new session: nothing signed in
    assert not ctx.vault.has_token()
    second = open_window(qtbot, ctx)
    setup = second.setup_tab
    assert setup.connection_label.text() == DEMO_SIGNING_IN_TEXT
    assert not setup.organisation_combo.isEnabled() and not setup.save_button.isEnabled()
    with qtbot.waitSignal(setup.connect_finished, timeout=TIMEOUT) as connected:
        pass  # no click
    assert connected.args == [True]
    assert browser.opened == []  # no browser: the demo's login approves at once
    combo = setup.organisation_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [US, "Demo Company (Global)"]
    assert combo.currentText() == US and combo.isEnabled()
    for usable in (setup.browse_button, setup.enable_checkbox, setup.save_button,
                   setup.review_button, setup.connect_button):
        assert usable.isEnabled(), usable.text()
    assert setup.enable_checkbox.isChecked()
    assert second.tabs.isTabEnabled(second.tabs.indexOf(second.mapping_tab))
    assert setup.message_bar.text() == (f"Client sync is enabled for {US}. Next, review the "
                                        "mapping of TimeSolv clients to Xero contacts.")
    ctx.close()


def test_the_xero_app_help_works_without_a_browser(qtbot: QtBot, window: MainWindow,
                                                   port: int) -> None:
    demo_signed_in(qtbot, window)
    box = window.setup_tab.xero_app_box
    box.real_radio.setChecked(True)
    box.port_spin.setValue(port)
    QGuiApplication.clipboard().clear()
    click(qtbot, box.copy_redirect_button)
    assert QGuiApplication.clipboard().text() == f"http://localhost:{port}/callback"
    assert box.redirect_label.textInteractionFlags() & \
        Qt.TextInteractionFlag.TextSelectableByKeyboard
    box.help_label.linkActivated.emit("https://developer.xero.com/app/manage")  # a click on it
    assert box.problem_label.text() == (f"{NO_BROWSER_TEXT} Go to "
                                        "https://developer.xero.com/app/manage in a web browser.")
