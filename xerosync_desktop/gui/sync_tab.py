"""Sync tab: the preview, Sync to Xero in the background, the live log, progress, the log.

Public API: SyncTab.

Nothing is sent before the user has seen the preview (the run's own plan) and answered the
one question naming the organisation and the counts; the run is handed the preview's
digest and says in its log what, if anything, it now sends otherwise.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..bootstrap import AppContext
from ..errors import CancelledError
from ..excel.export import write_log
from ..store import RunRecord, SyncSettings
from ..sync.events import LogEntry, Progress, RunStarted, RunSummary, Waiting
from ..sync.preview import Preview, preview_sync
from ..sync.review import countdown, load_review
from ..sync.runner import sync_clients
from .dialogs import (
    GO_TO_MAPPING,
    SYNC,
    MessageBar,
    ask_save_path,
    ask_to_sync,
    default_export_dir,
)
from .job_tab import JobTab
from .log_model import LIVE_LOG_SIZE, LiveLogModel
from .preview_panel import PreviewPanel


class SyncTab(JobTab):
    """Sync Clients: the seed's last screen."""

    run_finished = Signal(object)  # RunSummary
    run_failed = Signal(str)
    export_finished = Signal(str)  # the workbook's path
    preview_shown = Signal(object)  # Preview
    mapping_requested = Signal()  # possible matches to decide first

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(str(ctx.paths.log_dir), parent)
        self._ctx = ctx
        self._settings = SyncSettings()
        self._running = False
        self._progress_text = ""
        self._preview: Preview | None = None
        self._preview_stale = True

        self.heading_label = QLabel()
        self.heading_label.setWordWrap(True)
        self.sync_button = QPushButton("Sync to Xero")
        self.sync_button.setDefault(True)
        self.sync_button.clicked.connect(self._on_sync_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the call to Xero in flight; sync again to "
                                      "carry on.")
        self.cancel_button.clicked.connect(self._jobs.cancel)
        self.progress_bar = QProgressBar()
        self.progress_bar.setValue(0)
        self.log_model = LiveLogModel(self)
        self.log_view = QListView()
        self.log_view.setModel(self.log_model)
        self.log_view.setUniformItemSizes(True)
        self.log_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log_model.rowsInserted.connect(
            lambda *_: QTimer.singleShot(0, self.log_view.scrollToBottom))
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.runs_box = QComboBox()
        self.runs_box.setToolTip("Any stored run's full log can be downloaded.")
        self.runs_box.setMinimumContentsLength(30)
        self.download_button = QPushButton("Download log…")
        self.download_button.setToolTip("Save every entry of the chosen run as an Excel "
                                         "workbook.")
        self.download_button.clicked.connect(self._on_download_clicked)
        self.message_bar = MessageBar()
        self.preview_panel = PreviewPanel()
        self.preview_button = QPushButton("Refresh preview")
        self.preview_button.setToolTip("Read the client file and Xero again and show what a "
                                       "sync would send. Sends nothing.")
        self.preview_button.clicked.connect(lambda: self.preview())
        log_page = QWidget()
        log_layout = QVBoxLayout(log_page)
        log_layout.setContentsMargins(0, 0, 0, 0)
        log_layout.addWidget(QLabel(f"Live sync log (the {LIVE_LOG_SIZE} most recent entries; "
                                    "download the log for all of them)"))
        log_layout.addWidget(self.log_view, 1)
        self.pages = QTabWidget()
        self.pages.addTab(self.preview_panel, "Preview")
        self.pages.addTab(log_page, "Log")

        top = QHBoxLayout()
        top.addWidget(self.heading_label, 1)
        top.addWidget(self.preview_button)
        top.addWidget(self.cancel_button)
        top.addWidget(self.sync_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary_label, 1)
        bottom.addWidget(self.runs_box)
        bottom.addWidget(self.download_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message_bar)
        layout.addLayout(bottom)
        self._refresh()

    # -- state ----------------------------------------------------------------------------

    def set_settings(self, settings: SyncSettings, runs: Sequence[RunRecord] = ()) -> None:
        """The organisation to sync, and its stored runs, newest first (logs to download)."""
        if settings.tenant_id != self._settings.tenant_id:
            self.log_model.clear()
            self.summary_label.clear()
            self.message_bar.clear_message()
            self.progress_bar.reset()
            self.runs_box.clear()
            for run in runs:
                self.runs_box.addItem(run_label(run), run.run_id)
            if runs:
                self.summary_label.setText("The log of any earlier sync can be downloaded.")
        if settings != self._settings:
            self._preview = None
            self._preview_stale = True
            self.preview_panel.show_preview(None)
            self.pages.setCurrentWidget(self.preview_panel)
        self._settings = settings
        self._refresh()

    def mark_preview_stale(self, *_: object) -> None:
        """The mapping or Xero changed: preview again before the next sync."""
        self._preview_stale = True

    def preview_if_stale(self) -> None:
        """Shown: bring the preview up to date, unless a job is running."""
        if self._preview_stale and self._settings.complete and not self._jobs.busy \
                and not self._locked:
            self.preview()

    def _refresh(self, *_: object) -> None:
        busy = self._jobs.busy
        free = not busy and not self._locked
        self.sync_button.setEnabled(free and self._settings.complete)
        self.preview_button.setEnabled(free and self._settings.complete)
        self.cancel_button.setEnabled(busy)  # a sync, or the preview's read of Xero
        self.download_button.setEnabled(free and self.runs_box.count() > 0)
        self.runs_box.setEnabled(free)
        if not self._settings.tenant_id:
            self.heading_label.setText("Finish Setup first.")
        elif not self._settings.client_sync_enabled:
            self.heading_label.setText(
                f"Client sync is not enabled for {html.escape(self._settings.tenant_name)}: "
                "tick Enable Client Sync in Setup and click Save.")
        else:
            source = html.escape(Path(self._settings.clients_file).name)
            target = html.escape(self._settings.tenant_name)
            self.heading_label.setText(
                f"Sync TimeSolv clients from <b>{source}</b> to <b>{target}</b> as contacts.")

    # -- sync -----------------------------------------------------------------------------

    def preview(self, then_ask: bool = False) -> None:
        """Plan a sync in the background and show it; with `then_ask`, ask to run it."""
        if self._jobs.busy:
            return
        settings = self._settings
        ctx = self._ctx

        def job(report: Callable[[object], None], stop: Callable[[], bool]) -> Preview:
            with ctx.open_xero() as xero, ctx.open_store() as store:
                xero.on_wait = countdown(report, stop)
                review = load_review(settings, xero, store, report, stop)
                if stop():  # cancelled while the client file or the review was built
                    raise CancelledError
                return preview_sync(review, store)

        def shown(result: object) -> None:
            assert isinstance(result, Preview)
            if result.review.settings != self._settings:
                return
            self._preview, self._preview_stale = result, False
            self.preview_panel.show_preview(result)
            self.pages.setCurrentWidget(self.preview_panel)
            self.message_bar.clear_message()
            self._refresh()
            self.preview_shown.emit(result)
            if then_ask:
                self._ask(result)

        def failed(message: str) -> None:
            self.preview_panel.show_preview(None, "No preview: " + message)
            self.message_bar.show_error(message)
            self._refresh()
            if then_ask:  # Sync to Xero was clicked: it failed before sending anything
                self.run_failed.emit(message)

        self.message_bar.show_message("Working out what a sync would send…")
        self._jobs.start(job, shown, failed, self._on_preview_report)

    def _on_preview_report(self, events: Sequence[object]) -> None:
        for event in reversed(events):
            if isinstance(event, Progress) and event.text:
                self.message_bar.show_message(event.text)
                return

    def _on_sync_clicked(self) -> None:
        if self._preview is None or self._preview_stale:
            self.preview(then_ask=True)
        else:
            self._ask(self._preview)

    def _ask(self, preview: Preview) -> None:
        """The one question before anything is sent; then the run, or Mapping."""
        counts = preview.counts
        detail = f"In all: {preview.summary}."
        if counts["waiting"]:
            detail += (f" {counts['waiting']} possible matches are waiting for a decision and "
                       "will be skipped: decide them in Mapping first, or sync the rest now.")
        answer = ask_to_sync(self, preview.question, detail, counts["waiting"])
        if answer == GO_TO_MAPPING:
            self.mapping_requested.emit()
        elif answer == SYNC:
            self._run(preview)

    def _run(self, preview: Preview) -> None:
        settings = self._settings
        ctx = self._ctx

        def job(report: Callable[[object], None], should_stop: Callable[[], bool]) -> RunSummary:
            digest = preview.digest  # here, not on the GUI thread: 10,000 fingerprints
            with ctx.open_xero() as xero, ctx.open_store() as store:
                return sync_clients(settings, xero, store, report, should_stop,
                                    previewed=digest)

        # the preview is spent: the next sync previews again (and its memory is freed)
        self._preview, self._preview_stale = None, True
        self.preview_panel.show_preview(None, "The preview is made again before the next "
                                              "sync.")
        self.pages.setCurrentIndex(1)

        self.log_model.clear()
        self.summary_label.clear()
        self.message_bar.clear_message()
        self._progress_text = ""
        self.progress_bar.setRange(0, 0)  # busy until the plan's size is known
        self._running = True
        self._jobs.start(job, self._on_finished, self._on_failed, self._on_report)
        self._refresh()

    def _on_report(self, events: Sequence[object]) -> None:
        self.log_model.extend(e for e in events if isinstance(e, LogEntry))
        for event in events:
            if isinstance(event, Progress):
                self._progress_text = event.text.replace("%", "%%") or "%p%"
                self.progress_bar.setRange(0, event.total)
                self.progress_bar.setValue(event.done)
                self.progress_bar.setFormat(self._progress_text)
            elif isinstance(event, Waiting):
                self._show_wait(event)
            elif isinstance(event, RunStarted):
                label = f"{event.started_at.astimezone():%Y-%m-%d %H:%M}, running"
                self.runs_box.insertItem(0, label, event.run_id)
                self.runs_box.setCurrentIndex(0)

    def _show_wait(self, waiting: Waiting) -> None:
        """The countdown, in the progress bar and below the live log, while Xero is waited."""
        if waiting.seconds:
            text = f"{waiting.reason}: {waiting.seconds} s"
            self.progress_bar.setFormat(text.replace("%", "%%"))
            self.log_model.set_countdown(f"Waiting {waiting.seconds} s  {waiting.reason}")
        else:
            self._end_wait()

    def _end_wait(self) -> None:
        """No countdown: the progress bar shows the progress again."""
        self.progress_bar.setFormat(self._progress_text or "%p%")
        self.log_model.set_countdown("")

    def _on_finished(self, summary: object) -> None:
        assert isinstance(summary, RunSummary)
        self._running = False
        self._end_wait()
        index = self.runs_box.findData(summary.run_id)
        if index >= 0:
            self.runs_box.setItemText(index, run_label(summary))
        self.summary_label.setText(f"<b>{html.escape(summary.text)}</b> Download the log to "
                                   "keep every entry.")
        if summary.outcome == "finished" and not summary.failed and not summary.attention:
            self.message_bar.clear_message()
        elif summary.outcome == "finished" and not summary.failed:
            self.message_bar.show_message(
                f"{summary.attention} rows of the client file need attention and were not "
                "synced; the log and the Mapping tab say why. Correct them in TimeSolv, "
                "export the client list again, then sync again.", "info")
        elif summary.outcome == "finished":
            self.message_bar.show_error(f"{summary.failed} clients could not be synced; "
                                        "the log says why. Correct them, then sync again.")
        elif summary.outcome == "cancelled":
            self.message_bar.show_message(summary.text, "info")
        else:
            self.message_bar.show_error(summary.text)
        self._refresh()
        if summary.stopped_by == "authorization":
            self.authorization_lost.emit()
        self.run_finished.emit(summary)

    def _on_failed(self, message: str) -> None:
        self._running = False
        self._end_wait()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.reset()
        self.message_bar.show_error(message)
        self._refresh()
        self.run_failed.emit(message)

    # -- download -------------------------------------------------------------------------

    def _on_download_clicked(self) -> None:
        run_id = self.runs_box.currentData()
        if run_id is None:
            return
        ctx = self._ctx
        stamp = self.runs_box.currentText()[:16].replace(":", "")
        suggested = default_export_dir() / f"Xero sync log - {stamp}.xlsx"
        path = ask_save_path(self, "Download the sync log", suggested,
                             self._settings.clients_file, ctx.paths.database)
        if path is None:
            return

        def job(_report: Callable[[object], None], _stop: Callable[[], bool]) -> str:
            with ctx.open_store() as store:
                run = store.runs.get(run_id)
                assert run is not None
                write_log(path, store.runs.entries(run_id), run)
            return str(path)

        self.message_bar.show_message("Saving the log…")
        self._jobs.start(job, self._on_exported, self.message_bar.show_error)

    def _on_exported(self, path: object) -> None:
        self.message_bar.show_message(f"Log saved to {path}.", "success")
        self.export_finished.emit(str(path))



def run_label(run: RunRecord | RunSummary) -> str:
    """A run as the run list shows it: when, and how it ended."""
    return (f"{run.started_at.astimezone():%Y-%m-%d %H:%M}, {run.outcome}: "
            f"{run.created} created, {run.updated} updated, {run.failed} failed")
