"""Setup's and Mapping's messages say what is true of the organisation shown, now.

Driven as a user does on the demo: save, switch organisation, review, Confirm Mappings, Back,
sync, download the review. After each step the visible text is asserted whole, and what an
earlier step said is asserted gone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import TIMEOUT, US, click, connect_and_save, save_dialog_returns, start_sync
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.gui.message_bar import OPEN_TEXT, SHOW_IN_FOLDER_TEXT
from xerosync_desktop.gui.review_hint import STALE_TEXT

GLOBAL = "Demo Company (Global)"
REVIEW_NEXT = (f"Client sync is enabled for {US}. Next, review the mapping of TimeSolv clients "
               "to Xero contacts.")


def review(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.mapping_tab.review_loaded, timeout=TIMEOUT):
        click(qtbot, window.setup_tab.review_button)


def test_switching_organisation_drops_what_save_said_about_the_other(
        qtbot: QtBot, window: MainWindow) -> None:
    connect_and_save(qtbot, window)
    setup = window.setup_tab
    assert setup.message_bar.text() == (
        "Saved. timesolv_clients.csv: 36 clients: 33 to sync, 3 prospects. " + REVIEW_NEXT)
    assert setup.message_bar.kind == "success"

    setup.organisation_combo.setCurrentIndex(setup.organisation_combo.findText(GLOBAL))
    assert setup.message_bar.text() == (
        f"Client sync is not enabled for {GLOBAL}. To sync its TimeSolv clients to Xero, pick "
        "the client file, tick Enable Client Sync and click Save.")
    assert setup.message_bar.kind == "info"

    setup.organisation_combo.setCurrentIndex(setup.organisation_combo.findText(US))
    assert setup.message_bar.text() == REVIEW_NEXT  # true still; "Saved." was then


def test_confirm_then_back_says_the_mapping_is_confirmed_and_what_comes_next(
        qtbot: QtBot, window: MainWindow) -> None:
    connect_and_save(qtbot, window)
    review(qtbot, window)
    mapping = window.mapping_tab
    with qtbot.waitSignal(mapping.confirm_finished, timeout=TIMEOUT) as confirmed:
        click(qtbot, mapping.confirm_button)
    assert mapping.message_bar.text() == (
        f"{confirmed.args[0]} clients are now Mapped to their Xero contacts. Click Back to "
        "return to Setup, or go to the Sync tab.")

    click(qtbot, mapping.back_button)
    setup = window.setup_tab
    assert window.tabs.currentWidget() is setup
    assert setup.message_bar.text() == (
        f"Client sync is enabled for {US}; 7 clients are linked to Xero contacts. Next, sync in "
        "the Sync tab, or review the mapping again first.")
    assert "Next, review the mapping" not in setup.message_bar.text()


def test_after_a_sync_setup_and_mapping_say_what_it_did(
        qtbot: QtBot, window: MainWindow) -> None:
    connect_and_save(qtbot, window)
    review(qtbot, window)
    mapping = window.mapping_tab
    before = mapping.message_bar.text()
    assert "25 clients will be added to Xero as new contacts by the next sync." in before

    sync = window.sync_tab
    window.tabs.setCurrentWidget(sync)
    with qtbot.waitSignal(sync.run_finished, timeout=60_000) as finished:
        start_sync(qtbot, sync)
    summary = finished.args[0]
    assert summary.outcome == "finished" and summary.created > 0
    assert mapping.message_bar.text() == STALE_TEXT  # until it is read again

    with qtbot.waitSignal(mapping.review_loaded, timeout=TIMEOUT):
        window.tabs.setCurrentWidget(mapping)  # read again as it is opened
    hint = mapping.message_bar.text()
    assert not re.search(r"\d+ clients? will be added", hint) and "Look for any" not in hint
    assert hint == ("No client will be added to Xero as a new contact; 32 clients are Mapped "
                    "to their Xero contacts. 1 client is blocked because the Xero contact is "
                    "archived: restore it in Xero first.")

    window.tabs.setCurrentWidget(window.setup_tab)
    text = window.setup_tab.message_bar.text()
    assert re.fullmatch(
        f"Client sync is enabled for {re.escape(US)}; 32 clients are linked to Xero contacts. "
        r"The last sync, started \d{4}-\d\d-\d\d \d\d:\d\d, finished\. Sync again after the "
        "client file changes; the review shows what the next sync would do.", text), text


def test_the_review_download_offers_open_and_show_in_folder(
        qtbot: QtBot, window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    connect_and_save(qtbot, window)
    review(qtbot, window)
    mapping = window.mapping_tab
    path = tmp_path / "review.xlsx"
    save_dialog_returns(monkeypatch, path)
    with qtbot.waitSignal(mapping.export_finished, timeout=TIMEOUT):
        click(qtbot, mapping.download_button)
    bar = mapping.message_bar
    assert bar.text() == f"Review saved to {path}." and bar.kind == "success"
    assert [b.text() for b in bar.buttons()] == [OPEN_TEXT, SHOW_IN_FOLDER_TEXT]

    # headless Qt has no program to open a workbook with: said, and the buttons stay
    click(qtbot, bar.buttons()[0])
    assert bar.text() == (f"No program on this computer opened review.xlsx. Open it from "
                          f"{tmp_path} with a spreadsheet program (Excel, Numbers or "
                          "LibreOffice Calc).")
    assert bar.kind == "error" and len(bar.buttons()) == 2

    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    click(qtbot, bar.button(OPEN_TEXT))
    click(qtbot, bar.button(SHOW_IN_FOLDER_TEXT))
    assert opened == [str(path), str(tmp_path)]  # on Linux, the folder itself

    path.unlink()  # moved or deleted since
    click(qtbot, bar.button(OPEN_TEXT))
    assert bar.text() == (f"review.xlsx is no longer in {tmp_path}: it was moved, renamed or "
                          "deleted since it was saved. Download it again.")
    click(qtbot, bar.button(SHOW_IN_FOLDER_TEXT))
    assert bar.kind == "error" and opened == [str(path), str(tmp_path)]


def test_a_save_error_is_about_the_organisation_it_was_made_for(
        qtbot: QtBot, window: MainWindow, browser: Any) -> None:
    connect_and_save(qtbot, window)
    setup = window.setup_tab
    setup.organisation_combo.setCurrentIndex(setup.organisation_combo.findText(GLOBAL))
    setup.clients_file_edit.setText("")
    setup.enable_checkbox.setChecked(True)
    click(qtbot, setup.save_button)
    assert setup.message_bar.text() == ("Pick the TimeSolv client file before enabling client "
                                        "sync.")
    setup.organisation_combo.setCurrentIndex(setup.organisation_combo.findText(US))
    assert setup.message_bar.text() == REVIEW_NEXT and setup.message_bar.kind == "info"
