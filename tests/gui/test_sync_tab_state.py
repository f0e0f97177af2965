"""The Sync tab tells the truth of the organisation shown: its runs, its last run, its preview,
never what an earlier action left behind; and a whole run's log shows without stalling.

Driven as a user does: organisations switched in Setup, Confirm Mappings, Back, Sync, runs
chosen in the list. Asserted on the text the tab shows.
"""

from __future__ import annotations

import gc
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import (
    TIMEOUT,
    US,
    click,
    connect_and_save,
    connect_and_save_picked_file,
    damage_database,
    start_sync,
)
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog

from xerosync_desktop.bootstrap import AppContext
from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.gui.run_list import RunColumn
from xerosync_desktop.gui.sync_tab import STALE_PREVIEW, SyncTab
from xerosync_desktop.sync.events import Level, LogEntry, RunSummary

GLOBAL = "Demo Company (Global)"


def shown_text(sync: SyncTab) -> str:
    """Every line of words the Sync tab shows."""
    labels = [sync.heading_label, sync.preview_panel.counts_label, sync.summary_label,
              sync.history.runs_label, sync.history.log_label]
    texts = [label.text() for label in labels]
    if sync.message_bar.isVisibleTo(sync):
        texts.append(sync.message_bar.text())
    return "\n".join(texts)


def listed_runs(sync: SyncTab) -> list[list[str]]:
    model = sync.runs_table.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def pick_organisation(qtbot: QtBot, window: MainWindow, name: str) -> None:
    window.tabs.setCurrentWidget(window.setup_tab)
    combo = window.setup_tab.organisation_combo
    combo.setCurrentIndex(combo.findText(name))  # emits the organisation's saved settings
    qtbot.waitUntil(lambda: not window.sync_tab.history.reading, timeout=TIMEOUT)


def sync_now(qtbot: QtBot, window: MainWindow) -> RunSummary:
    sync = window.sync_tab
    with qtbot.waitSignal(sync.run_finished, timeout=60_000) as finished:
        window.tabs.setCurrentWidget(sync)
        start_sync(qtbot, sync)
    qtbot.waitUntil(lambda: not sync.history.reading and not sync.busy, timeout=TIMEOUT)
    summary = finished.args[0]
    assert isinstance(summary, RunSummary)
    return summary


def test_each_message_is_of_the_organisation_shown_after_switching_confirming_and_syncing(
        qtbot: QtBot, window: MainWindow, browser: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    connect_and_save(qtbot, window)
    sync = window.sync_tab
    us_run = sync_now(qtbot, window)
    text = shown_text(sync)
    assert sync.preview_panel.counts_label.text() == ("The preview is made again before the "
                                                      "next sync.")
    assert "will be" not in text  # nothing promises what was just done
    us_started = listed_runs(sync)[0][RunColumn.STARTED]
    assert sync.summary_label.text() == f"Last sync, started {us_started}: <b>{us_run.text}</b>"
    assert f"Runs of <b>{US}</b>" in text

    # another organisation: none of the first one's words are left
    pick_organisation(qtbot, window, GLOBAL)
    text = shown_text(sync)
    assert US not in text and "Sync finished" not in text and "Last sync" not in text
    assert listed_runs(sync) == [] and sync.log_view.model().rowCount() == 0
    assert f"No sync to <b>{GLOBAL}</b> yet" in sync.history.runs_label.text()
    assert sync.heading_label.text().startswith(f"Client sync is not enabled for {GLOBAL}")
    assert not sync.download_button.isEnabled()

    # enable it, confirm its matches, back, sync
    setup = window.setup_tab
    setup.enable_checkbox.setChecked(True)
    with qtbot.waitSignal(setup.settings_saved, timeout=TIMEOUT):
        click(qtbot, setup.save_button)
    with qtbot.waitSignal(window.sync_tab.preview_shown, timeout=TIMEOUT):
        window.tabs.setCurrentWidget(sync)
    assert f"Before syncing to {GLOBAL}:" in sync.preview_panel.counts_label.text()
    mapping = window.mapping_tab
    with qtbot.waitSignal(mapping.review_loaded, timeout=TIMEOUT):
        window.tabs.setCurrentWidget(mapping)
    if mapping.confirm_button.isEnabled():
        with qtbot.waitSignal(mapping.confirm_finished, timeout=TIMEOUT):
            click(qtbot, mapping.confirm_button)
    assert sync.preview_panel.counts_label.text() == STALE_PREVIEW  # not the old counts
    click(qtbot, mapping.back_button)
    with qtbot.waitSignal(sync.preview_shown, timeout=TIMEOUT):
        window.tabs.setCurrentWidget(sync)  # made again for what Mapping now says
    global_run = sync_now(qtbot, window)
    assert [row[RunColumn.CREATED] for row in listed_runs(sync)] == [str(global_run.created)]
    assert global_run.text in sync.summary_label.text()

    # a preview that fails: its error is of this organisation, and goes with it
    clients = tmp_path / "global clients.csv"
    clients.write_text("Client ID,Client Name\n1,Gone Client\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(clients), ""))
    window.tabs.setCurrentWidget(setup)
    click(qtbot, setup.browse_button)
    with qtbot.waitSignal(setup.settings_saved, timeout=TIMEOUT):
        click(qtbot, setup.save_button)
    clients.unlink()
    window.tabs.setCurrentWidget(sync)
    qtbot.waitUntil(lambda: sync.message_bar.kind == "error", timeout=TIMEOUT)
    assert sync.preview_panel.counts_label.text().startswith("No preview: ")

    pick_organisation(qtbot, window, US)
    text = shown_text(sync)
    assert GLOBAL not in text and "No preview" not in text
    assert not sync.message_bar.isVisibleTo(sync)
    assert sync.summary_label.text() == f"Last sync, started {us_started}: <b>{us_run.text}</b>"
    assert [row[RunColumn.CREATED] for row in listed_runs(sync)] == [str(us_run.created)]


def test_a_preview_made_stale_under_another_tabs_job_is_made_again_when_it_ends(
        qtbot: QtBot, window: MainWindow, browser: Any) -> None:
    connect_and_save(qtbot, window)
    sync = window.sync_tab
    with qtbot.waitSignal(sync.preview_shown, timeout=TIMEOUT):
        window.tabs.setCurrentWidget(sync)
    with qtbot.waitSignal(sync.preview_shown, timeout=TIMEOUT):
        window.mapping_tab.load()  # a review read starts (as Reload would) ...
        window.tabs.setCurrentWidget(sync)  # ... and the Sync tab is looked at meanwhile
        assert not sync.preview_button.isEnabled()
        qtbot.waitUntil(lambda: sync.preview_panel.counts_label.text() == STALE_PREVIEW,
                        timeout=TIMEOUT)
    assert sync.preview_panel.counts_label.text().startswith(f"<b>Before syncing to {US}:")


def store_big_run(ctx: AppContext, tenant_id: str, entries: int) -> RunSummary:
    """A finished run of `entries` clients in the app's store, as the runner leaves one."""
    start = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    with ctx.open_store() as store:
        run_id = store.runs.start(tenant_id, US, "big.csv", start)
        rows = [LogEntry(start, Level.WARNING if i % 100 == 0 else Level.INFO,
                         "Skipped" if i % 100 == 0 else "Created", f"entry {i}", f"B{i:05}",
                         f"Big Client {i}") for i in range(entries)]
        summary = RunSummary(run_id, US, "big.csv", start, datetime(2026, 11, 24, 9, 41,
                                                                    tzinfo=UTC),
                             "finished", created=entries - entries // 100,
                             skipped=entries // 100)
        with store.transaction():
            store.runs.add_entries(run_id, rows)
            store.runs.finish(summary)
    return summary


class BusyMeter:
    """The longest stretch of CPU the GUI thread spent between two turns of its event loop
    (ticks of a 5 ms timer), in ms: how long the window could not paint or take a click.
    CPU time, not wall time, so that other processes busy on the machine do not count."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._last = time.thread_time()
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)

    def __enter__(self) -> BusyMeter:
        self._last = time.thread_time()
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._tick()
        self._timer.stop()

    def _tick(self) -> None:
        now = time.thread_time()
        self.longest = max(self.longest, (now - self._last) * 1000)
        self._last = now


def test_a_run_of_twelve_thousand_entries_is_shown_whole_and_filtered_without_stalling(
        qtbot: QtBot, ctx: AppContext, window: MainWindow, browser: Any) -> None:
    connect_and_save(qtbot, window)
    us = window.setup_tab.current_organisation()
    assert us is not None
    store_big_run(ctx, us.tenant_id, 10)
    big = store_big_run(ctx, us.tenant_id, 12_000)
    sync = window.sync_tab
    pick_organisation(qtbot, window, GLOBAL)  # and back: the list is read again
    pick_organisation(qtbot, window, US)
    window.tabs.setCurrentWidget(sync)
    sync.pages.setCurrentWidget(sync.history)
    qtbot.waitUntil(lambda: not sync.busy and not sync.history.reading, timeout=TIMEOUT)
    assert [row[RunColumn.DURATION] for row in listed_runs(sync)] == ["41 min 00 s"] * 2
    with qtbot.waitSignal(sync.history.log_shown, timeout=TIMEOUT):
        sync.runs_table.selectRow(1)  # the small run, as a click chooses it
    assert sync.log_view.model().rowCount() == 10

    gc.collect()
    gc.freeze()  # as the app does with what it holds from start-up (responsiveness.py)
    try:
        with BusyMeter() as busy:
            with qtbot.waitSignal(sync.history.log_shown, timeout=TIMEOUT):
                sync.runs_table.selectRow(0)  # read in a job, then shown
            shown = sync.log_view.model()
            assert shown.rowCount() == 12_000
            assert sync.history.log_label.text().endswith(": all 12000 entries.")
            qtbot.wait(20)
            sync.history.only_problems_box.setChecked(True)
            qtbot.wait(20)
            assert shown.rowCount() == big.skipped + big.failed == 120
            assert all("Skipped" in shown.index(r, 0).data() for r in range(shown.rowCount()))
            assert sync.history.log_label.text().endswith(
                ": the 120 skipped and failed of its 12000 entries.")
            sync.history.only_problems_box.setChecked(False)
            qtbot.wait(20)
            sync.log_view.scrollToBottom()
            qtbot.wait(20)
    finally:
        gc.unfreeze()
    assert "entry 11999" in shown.index(11_999, 0).data()
    assert busy.longest < 50, f"the GUI thread was busy {busy.longest:.0f} ms at a stretch"


def test_a_log_the_damaged_data_file_cannot_give_is_said_where_it_would_show(
        qtbot: QtBot, window: MainWindow, ctx: AppContext, browser: Any) -> None:
    connect_and_save(qtbot, window)
    sync_now(qtbot, window)
    sync_now(qtbot, window)
    sync = window.sync_tab
    database = ctx.paths.database
    damage_database(database)

    sync.runs_table.selectRow(1)

    qtbot.waitUntil(lambda: "could not be read" in sync.history.log_label.text(),
                    timeout=TIMEOUT)
    started = listed_runs(sync)[1][RunColumn.STARTED]
    assert sync.history.log_label.text().startswith(
        f"The log of the run started {started} could not be read: The app's data file "
        f"{database} is damaged")
    assert sync.log_view.model().rowCount() == 0  # not the other run's entries
    assert not sync.history.only_problems_box.isEnabled()


def test_a_run_with_a_row_that_needs_attention_says_so_in_the_singular(
        qtbot: QtBot, window: MainWindow, browser: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    clients = tmp_path / "clients.csv"
    clients.write_text("Client ID,Client Name\nA1,Attention Client\nA2,\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(clients), ""))
    connect_and_save_picked_file(qtbot, window)
    summary = sync_now(qtbot, window)
    assert (summary.created, summary.attention) == (1, 1)
    sync = window.sync_tab
    assert sync.message_bar.text().startswith("1 row of the client file needs attention and "
                                              "was not synced; ")
    assert listed_runs(sync)[0][RunColumn.ATTENTION] == "1"
    sync.history.only_problems_box.setChecked(True)
    shown = sync.log_view.model()
    assert shown.rowCount() == 1 and "Row 3 of the client file" in shown.index(0, 0).data()
