"""Stopping a sync safely: Cancel, closing the window, SIGTERM. Each stops after the call to
Xero in flight; what Xero holds is exactly what the run's log says was created.

A slow sandbox (every call takes a while) lets each test act in the middle of a run.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import TIMEOUT, Answerer, click, connect_and_save_picked_file, start_sync
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from xerosync_desktop.bootstrap import AppContext, build_demo
from xerosync_desktop.gui import app as gui_app
from xerosync_desktop.gui.dialogs import KEEP_SYNCING, STOP_AND_QUIT
from xerosync_desktop.gui.main_window import QUITTING_TEXT, MainWindow
from xerosync_desktop.gui.run_list import RunColumn
from xerosync_desktop.gui.sync_tab import CANCEL_TEXT, STOPPING_TEXT
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox

US_TENANT = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
CLIENTS = 200  # four batches of 50
QUESTION = ("A sync to Demo Company (US) is running. Stop it after the call to Xero in flight "
            "and quit?")


class BoxWatcher(QObject):
    """Every message box shown, answered or not: (title, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[tuple[str, str]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Show and isinstance(watched, QMessageBox):
            self.shown.append((watched.windowTitle(), watched.text()))
        return False

    def on_quitting(self) -> list[str]:
        """The questions asked on closing the window."""
        return [text for title, text in self.shown if title == "Quit xerosync"]


@pytest.fixture
def boxes(qapp: QApplication) -> Iterator[BoxWatcher]:
    watcher = BoxWatcher()
    qapp.installEventFilter(watcher)
    yield watcher
    qapp.removeEventFilter(watcher)


@pytest.fixture
def slow() -> Iterator[XeroSandbox]:
    with XeroSandbox(SandboxOptions(port=0, latency=0.4)) as running:  # each call 0.4 s
        yield running


@pytest.fixture
def slow_ctx(paths: AppPaths, slow: XeroSandbox) -> Iterator[AppContext]:
    context = build_demo(paths, sandbox_url=slow.url)
    yield context
    context.close()


@pytest.fixture
def slow_window(qtbot: QtBot, slow_ctx: AppContext, browser: Any, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    """Connected to the slow sandbox, with a file of 200 new clients saved for Demo (US)."""
    clients = tmp_path / "clients.csv"
    clients.write_text("Client ID,Client Name\n" + "".join(
        f"S{i:04},Stop Client {i}\n" for i in range(1, CLIENTS + 1)), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(clients), ""))
    window = MainWindow(slow_ctx)
    qtbot.addWidget(window)
    window.show()
    connect_and_save_picked_file(qtbot, window)
    window.tabs.setCurrentWidget(window.sync_tab)
    return window


def sync_until_the_first_batch_is_in(qtbot: QtBot, window: MainWindow) -> None:
    sync = window.sync_tab
    start_sync(qtbot, sync)
    qtbot.waitUntil(lambda: sync.progress_bar.value() >= 50, timeout=60_000)
    assert sync.syncing


def created_in_xero(sandbox: XeroSandbox) -> set[str]:
    return {c["ContactNumber"] for c in sandbox.contacts(US_TENANT)
            if str(c.get("ContactNumber", "")).startswith("S")}


def created_in_the_log(ctx: AppContext) -> tuple[str, set[str]]:
    """The newest run's outcome and the clients its stored log says were created."""
    with ctx.open_store() as store:
        run = store.runs.latest(US_TENANT)
        assert run is not None
        return run.outcome, {e.client_id for e in store.runs.entries(run.run_id)
                             if e.action == "Created"}


def test_cancel_says_at_once_it_stops_after_the_call_in_flight_and_the_run_says_it_stopped(
        qtbot: QtBot, slow_window: MainWindow, slow_ctx: AppContext,
        slow: XeroSandbox) -> None:
    sync = slow_window.sync_tab
    runs = sync.runs_table.model()
    sync_until_the_first_batch_is_in(qtbot, slow_window)
    # the run is listed at once, running, with the live log in the pane
    assert runs.index(0, RunColumn.OUTCOME).data() == "Running"
    assert runs.index(0, RunColumn.DURATION).data() == ""
    assert sync.log_view.model() is sync.log_model and not sync.runs_table.isEnabled()
    assert sync.summary_label.text().startswith("Sync to Demo Company (US) running since ")

    with qtbot.waitSignal(sync.run_finished, timeout=60_000) as finished:
        click(qtbot, sync.cancel_button)
        assert sync.cancel_button.text() == STOPPING_TEXT  # at once, before the call returns
        assert not sync.cancel_button.isEnabled()
        assert "Stopping after the call to Xero in flight" in sync.message_bar.text()

    summary = finished.args[0]
    assert summary.outcome == "cancelled" and 50 <= summary.created < CLIENTS
    assert sync.cancel_button.text() == CANCEL_TEXT and not sync.cancel_button.isEnabled()
    assert sync.sync_button.isEnabled()
    assert sync.message_bar.text() == (
        f"Sync stopped as asked, after the call to Xero in flight: {summary.counts_text}. "
        "Everything it did is kept; sync again to carry on.")
    assert runs.index(0, RunColumn.OUTCOME).data() == "Cancelled"
    assert runs.index(0, RunColumn.CREATED).data() == str(summary.created)
    assert f"<b>Sync cancelled: {summary.counts_text}." in sync.summary_label.text()
    outcome, logged = created_in_the_log(slow_ctx)
    assert outcome == "cancelled" and len(logged) == summary.created
    assert created_in_xero(slow) == logged

    # the finished run's whole log replaces the live one in the pane
    qtbot.waitUntil(lambda: sync.log_view.model() is not sync.log_model, timeout=TIMEOUT)
    shown = sync.log_view.model()
    lines = [shown.index(r, 0).data() for r in range(shown.rowCount())]
    assert sum("Created " in line for line in lines) == summary.created
    assert "Sync cancelled" in lines[-1]


def test_closing_the_window_during_a_sync_asks_then_stops_after_the_call_in_flight(
        qtbot: QtBot, slow_window: MainWindow, slow_ctx: AppContext, slow: XeroSandbox,
        answerer: Answerer) -> None:
    sync = slow_window.sync_tab
    sync_until_the_first_batch_is_in(qtbot, slow_window)
    slow_window.tabs.setCurrentWidget(slow_window.setup_tab)
    answerer.answer = STOP_AND_QUIT

    assert not slow_window.close()  # the close button: asked, and not closed yet

    question, detail = answerer.asked[-1]
    assert question == QUESTION
    assert detail.startswith("Everything done so far is kept")
    assert slow_window.isVisible() and slow_window.tabs.currentWidget() is sync
    assert slow_window.statusBar().currentMessage() == QUITTING_TEXT
    assert sync.cancel_button.text() == STOPPING_TEXT and not sync.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not slow_window.isVisible(), timeout=60_000)

    outcome, logged = created_in_the_log(slow_ctx)
    assert outcome == "cancelled" and 50 <= len(logged) < CLIENTS
    assert created_in_xero(slow) == logged  # nothing lost, nothing unrecorded
    with slow_ctx.open_store() as store:
        assert set(store.mappings.for_tenant(US_TENANT)) >= logged


def test_keep_syncing_keeps_the_window_and_the_sync(
        qtbot: QtBot, slow_window: MainWindow, slow: XeroSandbox, answerer: Answerer,
        boxes: BoxWatcher) -> None:
    sync = slow_window.sync_tab
    with qtbot.waitSignal(sync.run_finished, timeout=60_000) as finished:
        sync_until_the_first_batch_is_in(qtbot, slow_window)
        answerer.answer = KEEP_SYNCING
        assert not slow_window.close()
        assert answerer.asked[-1][0] == QUESTION
        assert slow_window.isVisible() and sync.cancel_button.text() == CANCEL_TEXT
        assert sync.cancel_button.isEnabled()
    assert finished.args[0].outcome == "finished" and finished.args[0].created == CLIENTS
    assert len(created_in_xero(slow)) == CLIENTS
    assert boxes.on_quitting() == [QUESTION]
    assert slow_window.close()  # no sync now: closes without a question
    assert boxes.on_quitting() == [QUESTION]


def test_closing_during_the_previews_read_quits_without_asking(
        qtbot: QtBot, slow_window: MainWindow, slow: XeroSandbox, boxes: BoxWatcher) -> None:
    sync = slow_window.sync_tab
    qtbot.waitUntil(lambda: sync.busy, timeout=TIMEOUT)  # the preview reads Xero on show
    assert not sync.syncing

    assert slow_window.close()

    assert not slow_window.isVisible() and boxes.shown == []
    assert slow.writes(US_TENANT) == 0


@pytest.fixture
def signals_quit_the_app(qapp: QApplication) -> Iterator[None]:
    """The app's own SIGTERM and Ctrl+C handling, installed in this process for the test."""
    before = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    timer = gui_app._quit_on_signals(qapp)  # noqa: SLF001 - what main() installs
    yield
    timer.stop()
    timer.deleteLater()
    for number, handler in before.items():
        signal.signal(number, handler)


def test_sigterm_during_a_sync_stops_after_the_call_in_flight_and_quits_unasked(
        qtbot: QtBot, slow_window: MainWindow, slow_ctx: AppContext, slow: XeroSandbox,
        boxes: BoxWatcher, signals_quit_the_app: None) -> None:
    sync_until_the_first_batch_is_in(qtbot, slow_window)

    os.kill(os.getpid(), signal.SIGTERM)

    qtbot.waitUntil(lambda: slow_window.sync_tab.cancel_button.text() == STOPPING_TEXT,
                    timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not slow_window.isVisible(), timeout=60_000)
    assert boxes.on_quitting() == []  # no one to answer a question
    outcome, logged = created_in_the_log(slow_ctx)
    assert outcome == "cancelled" and 50 <= len(logged) < CLIENTS
    assert created_in_xero(slow) == logged


def test_sigterm_while_the_close_question_waits_dismisses_it_and_quits(
        qtbot: QtBot, slow_window: MainWindow, slow_ctx: AppContext, slow: XeroSandbox,
        answerer: Answerer, boxes: BoxWatcher, signals_quit_the_app: None) -> None:
    sync_until_the_first_batch_is_in(qtbot, slow_window)
    answerer.answer = "no one answers"
    QTimer.singleShot(300, lambda: os.kill(os.getpid(), signal.SIGTERM))

    assert not slow_window.close()  # returns once SIGTERM has dismissed the question

    assert boxes.on_quitting() == [QUESTION]
    qtbot.waitUntil(lambda: not slow_window.isVisible(), timeout=60_000)
    outcome, logged = created_in_the_log(slow_ctx)
    assert outcome == "cancelled" and created_in_xero(slow) == logged
