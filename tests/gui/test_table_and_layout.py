"""The Mapping table as a bookkeeper reads it, and the window as they left it.

Columns in reading order with the tracing ones hidden until asked from the header's menu,
a line saying why the table is empty, and the window's size, tab and columns kept between
starts (per data folder).
"""

from __future__ import annotations

from gui_helpers import TIMEOUT, connect_and_save, demo_signed_in
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from xerosync_desktop.bootstrap import AppContext
from xerosync_desktop.gui.column_menu import column_menu
from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.gui.review_model import ReviewColumn
from xerosync_desktop.store import Store


def open_mapping(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.mapping_tab.review_loaded, timeout=TIMEOUT):
        window.tabs.setCurrentWidget(window.mapping_tab)


def visible_headers(window: MainWindow) -> list[str]:
    header = window.mapping_tab.table.horizontalHeader()
    model = window.mapping_tab.table.model()
    return [model.headerData(header.logicalIndex(v), Qt.Orientation.Horizontal)
            for v in range(header.count()) if not header.isSectionHidden(header.logicalIndex(v))]


def test_columns_read_status_first_and_the_header_menu_shows_the_hidden_ones(
        qtbot: QtBot, window: MainWindow) -> None:
    connect_and_save(qtbot, window)
    open_mapping(qtbot, window)
    assert visible_headers(window)[:6] == ["Status", "TimeSolv Client", "Client ID",
                                           "Xero Contact", "Name in Xero", "Note"]
    assert "Xero ContactID" not in visible_headers(window)
    assert "Source Row" not in visible_headers(window)

    menu = column_menu(window.mapping_tab.table)
    offered = {a.text(): a.isChecked() for a in menu.actions()}
    assert offered["Show Status"] and not offered["Show Xero ContactID"]
    next(a for a in menu.actions() if a.text() == "Show Xero ContactID").trigger()
    assert "Xero ContactID" in visible_headers(window)
    assert window.mapping_tab.table.columnWidth(ReviewColumn.CONTACT_ID) >= 40


def test_an_empty_table_says_why_and_what_to_do(qtbot: QtBot, window: MainWindow) -> None:
    tab = window.mapping_tab
    assert tab.empty_state.label.isVisible() is False or "Finish Setup" in \
        tab.empty_state.label.text()
    connect_and_save(qtbot, window)
    open_mapping(qtbot, window)
    assert not tab.empty_state.label.isVisible()

    tab.search_edit.setText("no such client zzz")
    assert tab.model.rowCount() == 0
    assert tab.empty_state.label.isVisible()
    assert tab.empty_state.label.text() == ("No row matches “no such client zzz”. Clear the "
                                            "search to see every row.")
    tab.status_combo.setCurrentIndex(tab.status_combo.findText("Needs attention"))
    assert tab.empty_state.label.text().startswith("No row with Status Needs attention "
                                                   "matches “no such client zzz”.")
    tab.search_edit.clear()
    assert tab.empty_state.label.text() == ("No row has Status Needs attention. Pick All "
                                            "statuses to see every row.")
    tab.status_combo.setCurrentIndex(0)
    assert tab.model.rowCount() > 0 and not tab.empty_state.label.isVisible()


def test_the_window_reopens_as_it_was_left(qtbot: QtBot, window: MainWindow,
                                           ctx: AppContext) -> None:
    connect_and_save(qtbot, window)
    open_mapping(qtbot, window)
    window.resize(790, 750)  # within the offscreen screen: a restore keeps a window on it
    table = window.mapping_tab.table
    next(a for a in column_menu(table).actions() if a.text() == "Show Source Row").trigger()
    table.setColumnWidth(ReviewColumn.CLIENT, 333)
    window.close()

    again = MainWindow(ctx)
    qtbot.addWidget(again)
    again.show()
    assert (again.width(), again.height()) == (790, 750)
    assert again.mapping_tab.table.columnWidth(ReviewColumn.CLIENT) == 333
    assert "Source Row" in visible_headers(again)
    assert "Xero ContactID" not in visible_headers(again)
    with qtbot.waitSignal(again.mapping_tab.review_loaded, timeout=TIMEOUT):
        demo_signed_in(qtbot, again)  # Mapping opens once signed in, and reads the review
    assert again.tabs.currentWidget() is again.mapping_tab


def test_keyboard_reaches_the_tabs_the_search_and_reload(qtbot: QtBot,
                                                         window: MainWindow) -> None:
    connect_and_save(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(window.mapping_tab.review_loaded, timeout=TIMEOUT):
        qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.mapping_tab
    qtbot.keyClick(window.mapping_tab.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.mapping_tab.search_edit.hasFocus()
    with qtbot.waitSignal(window.mapping_tab.review_loaded, timeout=TIMEOUT):
        qtbot.keyClick(window.mapping_tab.table, Qt.Key.Key_F5)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.setup_tab


def test_a_layout_kept_damaged_or_for_other_columns_is_left_unused(
        qtbot: QtBot, ctx: AppContext) -> None:
    with Store(ctx.paths.database) as store, store.transaction():
        store.settings.put({
            "geometry": "not base64 at all \u2603", "tab": "two",
            "columns.mapping": '{"headers": ["Source Row", "Client ID"], "state": "AAAA"}',
            "columns.preview": "{not json", "columns.runs": '"a string"'}, scope="window")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.tabs.currentWidget() is window.setup_tab
    assert "Xero ContactID" not in visible_headers(window)  # the defaults, not the old state
    assert visible_headers(window)[0] == "Status"
    demo_signed_in(qtbot, window)
