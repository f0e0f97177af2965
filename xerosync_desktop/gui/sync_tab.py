"""Sync tab: the preview, Sync to Xero in the background, its runs and their logs.

Public API: SyncTab, CANCEL_TEXT, STOPPING_TEXT.

Nothing is sent before the user has seen the preview (the run's own plan) and answered the
one question naming the organisation and the counts; the run is handed the preview's
digest and says in its log what, if anything, it now sends otherwise. *Cancel* stops after
the call to Xero in flight and says so at once. What the tab says (the heading, the last
run, the preview) is made from the current organisation's state whenever that changes.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..bootstrap import AppContext
from ..errors import CancelledError
from ..store import SyncSettings
from ..sync.events import LogEntry, Progress, RunStarted, RunSummary, Waiting
from ..sync.preview import Preview, preview_sync
from ..sync.review import countdown, load_review
from ..sync.runner import sync_clients
from .dialogs import (
    GO_TO_MAPPING,
    SYNC,
    MessageBar,
    ask_to_sync,
)
from .job_tab import JobTab
from .log_model import LiveLogModel
from .preview_panel import PreviewPanel
from .run_history import RunHistory
from .run_list import run_sentence, started_text
from .wording import clients, rows

CANCEL_TEXT = "Cancel"
STOPPING_TEXT = "Stopping after the call in flight…"
STALE_PREVIEW = ("The mapping or Xero changed since the last preview: it is made again when "
                 "this tab is shown, or click Refresh preview.")


PREVIEW_RETRY_MS = 50  # while the run history reads a log


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
        self._running = False  # a sync (not the preview) is running
        self._stopping = False  # Cancel was clicked: the job ends after the call in flight
        self._progress_text = ""
        self._preview: Preview | None = None
        self._preview_stale = True

        self.heading_label = QLabel()
        self.heading_label.setWordWrap(True)
        self.sync_button = QPushButton("S&ync to Xero")
        self.sync_button.setDefault(True)
        self.sync_button.clicked.connect(self._on_sync_clicked)
        self.cancel_button = QPushButton(CANCEL_TEXT)
        self.cancel_button.setToolTip("Stop after the call to Xero in flight; everything done "
                                      "so far is kept. Sync again to carry on.")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress_bar = QProgressBar()
        self.progress_bar.setValue(0)
        self.log_model = LiveLogModel(self)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.message_bar = MessageBar()
        self.history = RunHistory(ctx, self.log_model, self.message_bar)
        self.history.runs_changed.connect(self._describe_last_run)
        self.history.export_finished.connect(self.export_finished)
        self.log_view = self.history.log_view
        self.runs_table = self.history.runs_table
        self.download_button = self.history.download_button
        self.preview_panel = PreviewPanel()
        self.preview_button = QPushButton("&Refresh preview")
        self.preview_button.setToolTip("Read the client file and Xero again and show what a "
                                       "sync would send. Sends nothing.")
        self.preview_button.clicked.connect(lambda: self.preview())
        self.pages = QTabWidget()
        self.pages.addTab(self.preview_panel, "Preview")
        self.pages.addTab(self.history, "Runs and logs")

        top = QHBoxLayout()
        top.addWidget(self.heading_label, 1)
        top.addWidget(self.preview_button)
        top.addWidget(self.cancel_button)
        top.addWidget(self.sync_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.summary_label)
        self._refresh()

    # -- state ----------------------------------------------------------------------------

    @property
    def syncing(self) -> bool:
        """A sync is running: it writes to Xero (the preview only reads)."""
        return self._running

    def set_settings(self, settings: SyncSettings) -> None:
        """The organisation to sync: what the tab shows is made again from its state."""
        if settings.tenant_id != self._settings.tenant_id:
            self.log_model.clear()
            self.message_bar.clear_message()
            self.progress_bar.reset()
        if settings != self._settings:
            self._preview = None
            self._preview_stale = True
            self.preview_panel.show_preview(None)
            self.pages.setCurrentWidget(self.preview_panel)
        self._settings = settings
        self.history.set_settings(settings)  # another organisation's runs are read afresh
        self._refresh()

    def mark_preview_stale(self, *_: object) -> None:
        """The mapping or Xero changed: a preview shown is out of date, and is made again
        before the next sync (at once if the tab is in view and free)."""
        self._preview_stale = True
        if self._preview is not None:
            self._preview = None
            self.preview_panel.show_preview(None, STALE_PREVIEW)
        if self.isVisible():  # once the job that changed it has had its say
            QTimer.singleShot(0, self.preview_if_stale)

    def preview_if_stale(self) -> None:
        """Shown: bring the preview up to date, unless a job is running. While the run
        history reads a log (a run that has just ended), the preview waits for it: two jobs
        at once share the GIL with the window three ways, and its repaints stalled for
        100 ms at 10,000 clients."""
        if self._preview_stale and self._settings.complete and not self._jobs.busy \
                and not self._locked:
            if self.history.reading:
                QTimer.singleShot(PREVIEW_RETRY_MS, self.preview_if_stale)
                return
            self.preview()

    def bring_up_to_date(self) -> None:
        """A preview made out of date meanwhile (Confirm Mappings, say) is made again."""
        self.preview_if_stale()

    def cancel(self) -> None:
        """Stop the job after the call to Xero in flight; the button says so at once."""
        if self._jobs.busy and not self._stopping:
            self._stopping = True
            self._jobs.cancel()
            if self._running:
                self.message_bar.show_message("Stopping after the call to Xero in flight; "
                                              "everything done so far is kept.", "info")
            self._refresh()

    def _refresh(self, *_: object) -> None:
        busy = self._jobs.busy
        if not busy:
            self._stopping = False
        free = not busy and not self._locked
        self.sync_button.setEnabled(free and self._settings.complete)
        self.preview_button.setEnabled(free and self._settings.complete)
        # a sync, or the preview's read of Xero; once asked, it stops after the call in flight
        self.cancel_button.setEnabled(busy and not self._stopping)
        self.cancel_button.setText(STOPPING_TEXT if self._stopping else CANCEL_TEXT)
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

    def _describe_last_run(self) -> None:
        """The organisation's newest run in one line, as the run list holds it now."""
        run = self.history.newest()
        if run is None:
            self.summary_label.clear()
        elif run.outcome == "running" and self._running:
            self.summary_label.setText(f"Sync to {html.escape(run.tenant_name)} running since "
                                       f"{run.started_at.astimezone():%H:%M:%S}.")
        else:
            self.summary_label.setText(f"Last sync, started {started_text(run)}: "
                                       f"<b>{html.escape(run_sentence(run))}</b>")

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
                preview = preview_sync(review, store)
                if stop():  # cancelled while it was planned: no question follows
                    raise CancelledError
                return preview

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

        self.history.set_syncing(True)  # the live log in the pane, the list held still
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
                self.history.run_started(event)

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
        self.history.set_syncing(False)
        self.history.run_ended(summary)  # the list and the summary line say how it ended
        if summary.outcome == "finished" and not summary.failed and not summary.attention:
            self.message_bar.clear_message()
        elif summary.outcome == "finished" and not summary.failed:
            one = summary.attention == 1
            self.message_bar.show_message(
                f"{rows(summary.attention)} of the client file {'needs' if one else 'need'} "
                f"attention and {'was' if one else 'were'} not synced; the log and the Mapping "
                "tab say why. Correct them in TimeSolv, export the client list again, then "
                "sync again.", "info")
        elif summary.outcome == "finished":
            self.message_bar.show_error(f"{clients(summary.failed, 'could', 'could')} not be "
                                        "synced; the log says why. Correct them, then sync "
                                        "again.")
        elif summary.outcome == "cancelled":
            self.message_bar.show_message(
                f"Sync stopped as asked, after the call to Xero in flight: "
                f"{summary.counts_text}. Everything it did is kept; sync again to carry on.",
                "info")
        else:
            self.message_bar.show_error(summary.text)
        self._refresh()
        if summary.stopped_by == "authorization":
            self.authorization_lost.emit()
        self.run_finished.emit(summary)

    def _on_failed(self, message: str) -> None:
        self._running = False
        self._end_wait()
        self.history.set_syncing(False)
        self.history.run_failed()  # a run that had started: as stored
        self.progress_bar.setRange(0, 1)
        self.progress_bar.reset()
        self.message_bar.show_error(message)
        self._refresh()
        self.run_failed.emit(message)

    def shutdown(self) -> None:
        """Cancel the sync or preview and any read of the logs, and wait for them."""
        super().shutdown()
        self.history.shutdown()
