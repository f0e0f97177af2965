"""The Sync tab's runs and logs: the organisation's runs, and the chosen one's whole log.

Public API: RunHistory, LIVE_TEXT, RUN_LIST_SIZE.

The list is read from the store in a job whenever the organisation changes; a run started
in this window appears on top at once as running, with the live log (its newest 50
entries) in the pane, and is updated when it ends. Choosing a run reads its whole log in a
job (10,000 entries and more) and shows it; *Only skipped and failed* narrows it, and
*Download log…* saves the chosen run as a workbook. Reads never lock the other tabs: they
run beside any other job, and only the newest asked for is shown.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..bootstrap import AppContext
from ..errors import UserError
from ..excel.export import write_log
from ..excel.output_path import LOG_TITLE, default_name
from ..store import SyncSettings
from ..sync.events import RunStarted, RunSummary
from .dialogs import MessageBar, ask_save_path, default_export_dir
from .latest_job import LatestJobRunner
from .log_model import LIVE_LOG_SIZE, LiveLogModel, RunLog, RunLogModel, read_run_log
from .run_list import RunListModel, as_summary, running, started_text
from .tables import setup_row_table
from .worker import CANCELLED_TEXT, JobRunner

RUN_LIST_SIZE = 200  # the newest runs listed; any older one stays in the store
LIVE_TEXT = (f"Live log of the run in progress: its {LIVE_LOG_SIZE} most recent entries. "
             "Every entry is shown here when it ends.")


class RunHistory(QWidget):
    """The runs table over the log pane, with the pane's filter and Download log…."""

    runs_changed = Signal()  # the list was read or a run in it changed
    log_shown = Signal(object)  # RunLog: a run's whole log is in the pane
    export_finished = Signal(str)  # the workbook's path

    def __init__(self, ctx: AppContext, live_model: LiveLogModel, message_bar: MessageBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._messages = message_bar
        self._settings = SyncSettings()
        self._syncing = False
        self._live_run: int | None = None  # the run in progress in this window
        self._wanted: int | None = None  # the run whose whole log is asked for or shown
        self._quiet = False  # choosing a row in code: no read
        self._more = False  # older runs than those listed are stored
        self._ended: dict[int, RunSummary] = {}  # runs ended in this window: as they said
        self._reader = LatestJobRunner(str(ctx.paths.log_dir), self)
        self._saver = JobRunner(str(ctx.paths.log_dir), self)
        self._saver.busy_changed.connect(self._refresh)

        self.model = RunListModel(self)
        self.live_model = live_model
        self.run_log_model = RunLogModel(self)
        self.runs_label = QLabel()
        self.runs_label.setWordWrap(True)
        self.runs_label.setTextFormat(Qt.TextFormat.RichText)
        self.runs_table = QTableView()
        setup_row_table(self.runs_table, self.model, (150, 80, 90, 70, 70, 80, 70, 60, 110))
        self.runs_table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.runs_table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.log_label = QLabel()
        self.log_label.setWordWrap(True)
        self.log_label.setTextFormat(Qt.TextFormat.RichText)
        self.only_problems_box = QCheckBox("Only skipped and failed")
        self.only_problems_box.setToolTip("Show only the clients the chosen run skipped or "
                                          "could not sync.")
        self.only_problems_box.toggled.connect(self._on_filter_toggled)
        self.download_button = QPushButton("&Download log…")
        self.download_button.setToolTip("Save every entry of the chosen run as an Excel "
                                        "workbook.")
        self.download_button.clicked.connect(self._on_download_clicked)
        # a table of one column, not a list view: a list view lays out every row on a reset
        # (12,000 calls into Python), a table of fixed-height rows only those in sight
        self.log_view = QTableView()
        self.log_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        setup_row_table(self.log_view, self.live_model)
        self.log_view.horizontalHeader().hide()
        self.log_view.verticalHeader().setDefaultSectionSize(
            self.log_view.fontMetrics().height() + 4)  # as dense as a list
        self.log_view.setShowGrid(False)
        self.live_model.rowsInserted.connect(self._follow_live)

        runs = QWidget()
        runs_layout = QVBoxLayout(runs)
        runs_layout.setContentsMargins(0, 0, 0, 0)
        runs_layout.addWidget(self.runs_label)
        runs_layout.addWidget(self.runs_table, 1)
        pane = QWidget()
        pane_layout = QVBoxLayout(pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        controls = QHBoxLayout()
        controls.addWidget(self.log_label, 1)
        controls.addWidget(self.only_problems_box)
        controls.addWidget(self.download_button)
        pane_layout.addLayout(controls)
        pane_layout.addWidget(self.log_view, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(runs)
        self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._show_nothing()
        self._refresh()

    # -- what is listed -------------------------------------------------------------------

    @property
    def reading(self) -> bool:
        """A list or a log is being read."""
        return self._reader.busy

    def newest(self) -> RunSummary | None:
        return self.model.run_at(0) if self.model.rowCount() else None

    def chosen(self) -> RunSummary | None:
        row = self.runs_table.currentIndex().row()
        return self.model.run_at(row) if 0 <= row < self.model.rowCount() else None

    def set_settings(self, settings: SyncSettings) -> None:
        """The organisation shown: another one's runs are read afresh."""
        changed = settings.tenant_id != self._settings.tenant_id
        self._settings = settings
        if changed:
            self._live_run = None
            self._more = False
            self.model.set_runs([])
            self._show_nothing()
            self.runs_changed.emit()
            if settings.tenant_id:
                self.reload()
        self._refresh()

    def reload(self, choose: int | None = None) -> None:
        """Read the organisation's runs again; choose run `choose` (else the newest)."""
        tenant_id = self._settings.tenant_id
        ctx = self._ctx

        def job(_report: Callable[[object], None], stop: Callable[[], bool]) -> object:
            with ctx.open_store() as store:
                return [as_summary(run) for run in store.runs.recent(tenant_id,
                                                                     RUN_LIST_SIZE + 1)]

        def done(runs: object) -> None:
            assert isinstance(runs, list)
            if tenant_id != self._settings.tenant_id or self._syncing:
                return  # another organisation now, or a sync started meanwhile
            # a run ended here keeps its own summary, as it was said when it ended
            listed: list[RunSummary] = runs[:RUN_LIST_SIZE]
            self.model.set_runs([self._ended.get(run.run_id) or run for run in listed])
            self._more = len(runs) > RUN_LIST_SIZE
            self._describe_list()
            self.runs_changed.emit()
            row = self.model.row_of(choose) if choose is not None else 0
            if row is not None and self.model.rowCount():
                self.runs_table.selectRow(row)  # reads its log
            else:
                self._show_nothing()
            self._refresh()

        def failed(message: str) -> None:
            if message != CANCELLED_TEXT and tenant_id == self._settings.tenant_id:
                self.runs_label.setText("The runs could not be read: "
                                        + html.escape(message, quote=False))
            self._refresh()

        self._reader.start(job, done, failed)

    def _describe_list(self) -> None:
        name = html.escape(self._settings.tenant_name, quote=False)
        if not self._settings.tenant_id:
            self.runs_label.setText("Runs are listed here once Setup is done.")
        elif not self.model.rowCount():
            self.runs_label.setText(f"No sync to <b>{name}</b> yet: each run will be listed "
                                    "here, with its whole log.")
        else:
            newest = f"the {RUN_LIST_SIZE} newest" if self._more else "newest first"
            self.runs_label.setText(f"Runs of <b>{name}</b> ({newest}). Choose one to see its "
                                    "whole log below.")

    # -- a run in this window -------------------------------------------------------------

    def run_started(self, event: RunStarted) -> None:
        """On top at once, running, with the live log in the pane."""
        self._live_run = self._wanted = event.run_id
        row = self.model.put(running(event, self._settings.tenant_name,
                                     self._settings.clients_file), live=True)
        self._describe_list()
        self._choose_quietly(row)
        self.log_view.setModel(self.live_model)
        self.log_label.setText(LIVE_TEXT)
        self.runs_changed.emit()
        self._refresh()

    def run_ended(self, summary: RunSummary) -> None:
        """The run, updated at once, stays chosen; the list is read again (as stored) and
        the run's whole log replaces the live one."""
        self._live_run = None
        self._ended[summary.run_id] = summary
        self._choose_quietly(self.model.put(summary))
        self.runs_changed.emit()
        self.reload(choose=summary.run_id)
        self._refresh()

    def run_failed(self) -> None:
        """A sync that ended in an error: the list is read again, as stored, and the run
        (if it had started) or the newest is chosen."""
        run_id, self._live_run = self._live_run, None
        self.reload(choose=run_id)

    def set_syncing(self, syncing: bool) -> None:
        """A sync is running (or about to): the list holds still until it ends."""
        self._syncing = syncing
        if syncing:  # nothing chosen until the run is recorded; the pane is the live log
            self.live_model.clear()
            self._wanted = None
            self._quiet = True
            try:
                self.runs_table.setCurrentIndex(QModelIndex())
                self.runs_table.clearSelection()
            finally:
                self._quiet = False
            self.log_view.setModel(self.live_model)
            self.log_label.setText(LIVE_TEXT)
        self._refresh()

    # -- the pane ---------------------------------------------------------------------------

    def show_run(self, run_id: int) -> None:
        """Read the run's whole log in a job and show it."""
        row = self.model.row_of(run_id)
        if row is None:
            return
        run = self.model.run_at(row)
        after_live = self.log_view.model() is self.live_model and self._wanted == run_id
        self._wanted = run_id
        if not after_live:  # the live tail of this very run may stay until the whole arrives
            self.run_log_model.set_log(None)
            self.log_view.setModel(self.run_log_model)
        self.log_label.setText(f"Reading the log of the run started {started_text(run)}…")
        ctx = self._ctx

        def job(_report: Callable[[object], None], stop: Callable[[], bool]) -> RunLog:
            with ctx.open_store() as store:
                return read_run_log(store, run_id, stop)

        def done(result: object) -> None:
            assert isinstance(result, RunLog)
            if result.run_id != self._wanted or self._syncing:
                return
            self.run_log_model.set_log(result)
            self.log_view.setModel(self.run_log_model)
            self._describe_log()
            if after_live:
                self.log_view.scrollToBottom()  # where the live tail was
            else:
                self.log_view.scrollToTop()
            self._refresh()
            self.log_shown.emit(result)

        def failed(message: str) -> None:
            if message != CANCELLED_TEXT and run_id == self._wanted:
                self.log_label.setText(f"The log of the run started {started_text(run)} could "
                                       f"not be read: {html.escape(message, quote=False)}")
            self._refresh()

        self._reader.start(job, done, failed)
        self._refresh()

    def _describe_log(self) -> None:
        log = self.run_log_model.log
        row = self.model.row_of(log.run_id) if log is not None else None
        if log is None or row is None:
            return
        when = started_text(self.model.run_at(row))
        total = len(log.entries)
        if self.run_log_model.only_problems:
            self.log_label.setText(f"Log of the run started {when}: the {len(log.problems)} "
                                   f"skipped and failed of its {total} entries.")
        else:
            self.log_label.setText(f"Log of the run started {when}: all {total} entries.")

    def _show_nothing(self) -> None:
        self._wanted = None
        self.run_log_model.set_log(None)
        self.log_view.setModel(self.run_log_model)
        self._describe_list()
        self.log_label.setText("No run chosen." if self._settings.tenant_id and
                               self.model.rowCount() else "")

    def _choose_quietly(self, row: int) -> None:
        self._quiet = True
        try:
            self.runs_table.selectRow(row)
        finally:
            self._quiet = False

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet or self._syncing or not current.isValid():
            return
        self.show_run(self.model.run_at(current.row()).run_id)

    def _on_filter_toggled(self, only: bool) -> None:
        self.run_log_model.set_only_problems(only)
        self._describe_log()

    def _follow_live(self, *_: object) -> None:
        if self.log_view.model() is self.live_model:
            QTimer.singleShot(0, self.log_view.scrollToBottom)

    def _refresh(self, *_: object) -> None:
        self.runs_table.setEnabled(not self._syncing)
        self.runs_table.setToolTip("Other runs can be chosen when the sync ends."
                                   if self._syncing else "")
        whole = self.log_view.model() is self.run_log_model and \
            self.run_log_model.log is not None
        self.only_problems_box.setEnabled(whole and not self._syncing)
        chosen = self.chosen()
        # a run another process left running (killed) can be saved: its counts come from
        # its lines; this window's own live run only once it has ended
        self.download_button.setEnabled(
            chosen is not None and not self._syncing and not self._saver.busy
            and chosen.run_id != self._live_run)

    # -- download ---------------------------------------------------------------------------

    def _on_download_clicked(self) -> None:
        run = self.chosen()
        if run is None:
            return
        ctx = self._ctx
        suggested = default_export_dir() / default_name(LOG_TITLE, run.tenant_name, run.started_at)
        path = ask_save_path(self, "Download the sync log", suggested,
                             self._settings.clients_file, ctx.paths.database)
        if path is None:
            return
        run_id = run.run_id

        def job(_report: Callable[[object], None], _stop: Callable[[], bool]) -> str:
            with ctx.open_store() as store:
                record = store.runs.get(run_id)
                if record is None:
                    raise UserError("That run is no longer in the app's data file, so its "
                                    "log cannot be saved. Choose another run.")
                write_log(path, store.runs.entries(run_id), record)
            return str(path)

        self._messages.show_message("Saving the log…")
        self._saver.start(job, self._on_exported, self._messages.show_error)

    def _on_exported(self, path: object) -> None:
        assert isinstance(path, str)
        self._messages.show_saved(f"Log saved to {path}.", path)
        self.export_finished.emit(str(path))

    def shutdown(self) -> None:
        """Cancel the reads and wait for them and for a download: the window is closing."""
        self._reader.shutdown()
        self._saver.shutdown()
