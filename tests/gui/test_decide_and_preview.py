"""Deciding possible matches in the Mapping tab, and the preview and question before a sync.

Driven as a user does: rows selected in the table, the decision buttons clicked, the contact
picker searched and answered, the Sync tab's question read and answered. What reaches Xero
is checked in the sandbox.
"""

from __future__ import annotations

from typing import Any

from gui_helpers import (
    TIMEOUT,
    US,
    Answerer,
    click,
    connect_and_save,
    demo_signed_in,
    shown_rows,
    start_sync,
)
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from xerosync_desktop.bootstrap import AppContext
from xerosync_desktop.core.model import Status
from xerosync_desktop.gui.client_sync_box import KEEP_TEXT
from xerosync_desktop.gui.contact_picker import ContactPicker
from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.gui.review_model import ReviewColumn, RowRole
from xerosync_desktop.sandbox import XeroSandbox

US_TENANT = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"


class PickerUser(QObject):
    """Answers the contact picker: types `search`, and links the first row it shows."""

    def __init__(self, search: str) -> None:
        super().__init__()
        self.search = search
        self.offered: list[list[str]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Show and isinstance(watched, ContactPicker):
            QTimer.singleShot(0, lambda: self._pick(watched))
        return False

    def _pick(self, picker: ContactPicker) -> None:
        picker.search_edit.setText(self.search)
        model = picker.model
        self.offered.append([model.index(r, 0).data() for r in range(model.rowCount())])
        picker.buttons.buttons()[0].click()  # Link (the first row is selected by the search)


def open_mapping(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.mapping_tab.review_loaded, timeout=TIMEOUT):
        window.tabs.setCurrentWidget(window.mapping_tab)


def select(qtbot: QtBot, window: MainWindow, client_name: str) -> None:
    table, proxy = window.mapping_tab.table, window.mapping_tab.model
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data(RowRole).client_name == client_name:
            table.selectRow(row)
            return
    raise AssertionError(f"{client_name} is not shown")


def decide(qtbot: QtBot, window: MainWindow, button_text: str) -> str:
    tab = window.mapping_tab
    button = next(b for b in tab.decision_buttons if b.text() == button_text)
    with qtbot.waitSignal(tab.review_loaded, timeout=TIMEOUT):
        click(qtbot, button)
    return tab.message_bar.text()


def status_of(window: MainWindow, client_name: str) -> dict[str, str]:
    return next(r for r in shown_rows(window) if r["TimeSolv Client"] == client_name)


def near_misses(sandbox: XeroSandbox) -> None:
    """Contacts typed otherwise in Xero than the sample clients' names."""
    sandbox.add_contact(US_TENANT, Name="Northgate Logistics")  # client: Northgate Logistics Inc.
    sandbox.add_contact(US_TENANT, Name="Patel, Jasmine")  # client: Jasmine Patel
    sandbox.add_contact(US_TENANT, Name="Quintero Family Dental")  # 85% alike: no suggestion


def test_decisions_in_the_mapping_tab_survive_a_restart_and_reach_xero_once(
        qtbot: QtBot, window: MainWindow, ctx: AppContext, sandbox: XeroSandbox,
        browser: Any) -> None:
    near_misses(sandbox)
    connect_and_save(qtbot, window)
    open_mapping(qtbot, window)
    tab = window.mapping_tab
    # sorted otherwise than the file: each decision below acts on the row selected on screen
    tab.table.sortByColumn(ReviewColumn.CLIENT, Qt.SortOrder.DescendingOrder)
    assert "2 clients are possibly an existing Xero contact" in tab.message_bar.text()
    row = status_of(window, "Northgate Logistics Inc.")
    assert row["Status"] == "Possible match"
    assert row["Suggested Xero contact"] == "Northgate Logistics"

    select(qtbot, window, "Northgate Logistics Inc.")
    assert "Client 00180 is now Mapped to 'Northgate Logistics'" in decide(
        qtbot, window, "&Accept suggestion")
    select(qtbot, window, "Jasmine Patel")
    assert decide(qtbot, window, "Add as &new contact").startswith(
        "1 client will be added to Xero as a new contact")
    picker = PickerUser("quintero dental")
    QApplication.instance().installEventFilter(picker)
    try:
        select(qtbot, window, "Quintero Family Dentistry")
        decide(qtbot, window, "&Link to Xero contact…")
    finally:
        QApplication.instance().removeEventFilter(picker)
    assert picker.offered == [["Quintero Family Dental"]]
    select(qtbot, window, "Jasmine Patel")
    assert decide(qtbot, window, "&Unlink") == ("1 client unlinked: matching decides again "
                                               "(now Possible match).")
    select(qtbot, window, "Jasmine Patel")
    decide(qtbot, window, "Add as &new contact")

    restarted = MainWindow(ctx)
    qtbot.addWidget(restarted)
    restarted.show()
    demo_signed_in(qtbot, restarted)  # no click: the demo signs itself in at start
    open_mapping(qtbot, restarted)
    assert {name: status_of(restarted, name)["Status"] for name in (
        "Northgate Logistics Inc.", "Jasmine Patel", "Quintero Family Dentistry")} == {
        "Northgate Logistics Inc.": "Mapped", "Jasmine Patel": "New",
        "Quintero Family Dentistry": "Mapped"}

    with qtbot.waitSignal(restarted.sync_tab.run_finished, timeout=60_000) as finished:
        restarted.tabs.setCurrentWidget(restarted.sync_tab)
        start_sync(qtbot, restarted.sync_tab)
    assert finished.args[0].failed == 0
    names = [c["Name"] for c in sandbox.contacts(US_TENANT)]
    assert names.count("Northgate Logistics Inc.") == 1 and "Northgate Logistics" not in names
    assert names.count("Jasmine Patel") == 1 and names.count("Patel, Jasmine") == 1
    assert names.count("Quintero Family Dentistry") == 1
    assert "Quintero Family Dental" not in names


def test_sync_previews_then_asks_naming_the_organisation_and_offers_mapping_first(
        qtbot: QtBot, window: MainWindow, sandbox: XeroSandbox, browser: Any,
        answerer: Answerer) -> None:
    near_misses(sandbox)
    connect_and_save(qtbot, window)
    sync = window.sync_tab
    with qtbot.waitSignal(sync.preview_shown, timeout=TIMEOUT) as shown:
        window.tabs.setCurrentWidget(sync)
    preview = shown.args[0]
    text = sync.preview_panel.counts_label.text()
    assert f"Before syncing to {US}:" in text and "2 waiting for a decision" in text
    model = sync.preview_panel.model
    rows = [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]
    assert len(rows) == len(preview.sent) == preview.counts["add"] + preview.counts["update"]
    acme = next(r for r in rows if r[2] == "Acme Holdings LLC")
    assert acme[0] == "Update"
    assert "Email: billing@acmeholdings.example -> accounts@acmeholdings.example" in acme[4]
    assert sandbox.writes(US_TENANT) == 0  # nothing sent to show the preview

    answerer.answer = "Go to Mapping"
    with qtbot.waitSignal(window.mapping_tab.review_loaded, timeout=TIMEOUT):
        click(qtbot, sync.sync_button)
    question, detail = answerer.asked[-1]
    assert question == (f"Add {preview.counts['add']} and update {preview.counts['update']} "
                        f"contacts in {US}?")
    assert "2 possible matches are waiting for a decision" in detail
    assert window.tabs.currentWidget() is window.mapping_tab
    assert {r["Status"] for r in shown_rows(window)} == {Status.POSSIBLE_MATCH.label}
    assert sandbox.writes(US_TENANT) == 0

    answerer.answer = "Sync"
    with qtbot.waitSignal(sync.run_finished, timeout=60_000) as finished:
        window.tabs.setCurrentWidget(sync)
        start_sync(qtbot, sync)
    summary = finished.args[0]
    assert (summary.created, summary.updated) == (preview.counts["add"],
                                                  preview.counts["update"])
    held = {c["Name"]: c for c in sandbox.contacts(US_TENANT)}
    assert held["Acme Holdings LLC"]["EmailAddress"] == "accounts@acmeholdings.example"
    assert held["Acme Holdings LLC"]["ContactNumber"] == "00010"
    assert "Northgate Logistics Inc." not in held  # waiting: never created


def test_keeping_the_name_in_xero_shows_in_the_review_and_never_renames(
        qtbot: QtBot, window: MainWindow, sandbox: XeroSandbox, browser: Any) -> None:
    sandbox.add_contact(US_TENANT, Name="Northgate Logistics")
    connect_and_save(qtbot, window)
    setup = window.setup_tab
    setup.sync_box.names_combo.setCurrentText(KEEP_TEXT)
    with qtbot.waitSignal(setup.settings_saved, timeout=TIMEOUT):
        click(qtbot, setup.save_button)
    open_mapping(qtbot, window)
    select(qtbot, window, "Northgate Logistics Inc.")
    decide(qtbot, window, "&Accept suggestion")
    row = status_of(window, "Northgate Logistics Inc.")
    assert (row["Status"], row["Name in Xero"]) == ("Mapped", "Northgate Logistics")

    with qtbot.waitSignal(window.sync_tab.run_finished, timeout=60_000):
        window.tabs.setCurrentWidget(window.sync_tab)
        start_sync(qtbot, window.sync_tab)
    names = [c["Name"] for c in sandbox.contacts(US_TENANT)]
    assert "Northgate Logistics" in names and "Northgate Logistics Inc." not in names


def test_a_selection_follows_its_row_through_a_sort_and_a_filter_clears_it(
        qtbot: QtBot, window: MainWindow, sandbox: XeroSandbox, browser: Any) -> None:
    near_misses(sandbox)
    connect_and_save(qtbot, window)
    open_mapping(qtbot, window)
    tab = window.mapping_tab
    select(qtbot, window, "Jasmine Patel")
    tab.table.sortByColumn(ReviewColumn.CLIENT, Qt.SortOrder.DescendingOrder)  # rows move
    selected = tab.table.selectionModel().selectedRows()
    assert [i.data(RowRole).client_name for i in selected] == ["Jasmine Patel"]
    assert "Jasmine Patel" in tab.detail_label.text()
    assert decide(qtbot, window, "Add as &new contact").startswith("1 client will be added")
    assert status_of(window, "Jasmine Patel")["Status"] == "New"
    assert status_of(window, "Northgate Logistics Inc.")["Status"] == "Possible match"

    select(qtbot, window, "Northgate Logistics Inc.")
    accept = next(b for b in tab.decision_buttons if b.text() == "&Accept suggestion")
    assert accept.isEnabled()
    tab.search_edit.setText("northgate")  # a filter clears the selection: nothing to act on
    assert not tab.table.selectionModel().hasSelection()
    assert not accept.isEnabled()
