"""A data file the disk has damaged, met by a sync in the window: the message bar names the
file and what to do, as any other error; nothing unexpected, no traceback dialog."""

from __future__ import annotations

from typing import Any

from gui_helpers import TIMEOUT, click, connect_and_save, damage_database, start_sync
from pytestqt.qtbot import QtBot

from xerosync_desktop.bootstrap import AppContext
from xerosync_desktop.gui.main_window import MainWindow


def test_a_damaged_data_file_met_by_a_sync_is_named_in_the_window(
        qtbot: QtBot, window: MainWindow, ctx: AppContext, browser: Any) -> None:
    connect_and_save(qtbot, window)
    with qtbot.waitSignal(window.sync_tab.run_finished, timeout=60_000):
        start_sync(qtbot, window.sync_tab)
    database = ctx.paths.database
    damage_database(database)

    with qtbot.waitSignal(window.sync_tab.run_failed, timeout=TIMEOUT) as failed:
        start_sync(qtbot, window.sync_tab)

    message = failed.args[0]
    assert message.startswith(f"The app's data file {database} is damaged and cannot be read (")
    assert message.endswith("Your Xero data is not affected.")
    assert window.sync_tab.message_bar.text() == message
    assert window.sync_tab.sync_button.isEnabled()  # ready for the next run


def test_a_data_file_that_refuses_writes_on_save_is_named_in_setup(
        qtbot: QtBot, window: MainWindow, ctx: AppContext, browser: Any) -> None:
    connect_and_save(qtbot, window)
    window._store.conn.execute("PRAGMA query_only = ON")  # noqa: SLF001 - writes refused
    setup = window.setup_tab
    setup.sync_box.set_keep_xero_names(True)
    click(qtbot, setup.save_button)  # reads the client file in a job, then saves
    qtbot.waitUntil(lambda: setup.message_bar.kind == "error", timeout=TIMEOUT)
    assert setup.message_bar.text().startswith(f"The app's data file {ctx.paths.database} "
                                               "cannot be written")
    assert setup.saved_settings.keep_xero_names is False  # nothing was saved
