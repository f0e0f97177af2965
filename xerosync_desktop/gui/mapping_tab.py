"""Mapping tab: the review of TimeSolv clients beside Xero contacts, with its actions.

Public API: MappingTab.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..bootstrap import AppContext
from ..core.model import ReviewRow, Status
from ..excel.export import write_review
from ..excel.output_path import REVIEW_TITLE, default_name
from ..review_columns import HIDDEN_AT_FIRST
from ..store import SyncSettings
from ..sync.events import Progress, Waiting
from ..sync.review import Review, confirm_mappings, countdown, load_review
from .column_menu import add_column_menu
from .dialogs import MessageBar, ask_save_path, confirm, default_export_dir
from .empty_state import EmptyState
from .job_tab import JobTab
from .mapping_decisions import DecisionActions
from .review_hint import STALE_TEXT, review_hint
from .review_model import ReviewColumn, ReviewTableModel, RowRole, Shown, shown
from .tables import setup_row_table
from .wording import clients

ALL_STATUSES = "All statuses"


class MappingTab(JobTab):
    """Map Clients: review, download, fix and reload, confirm, back."""

    review_loaded = Signal(object)  # Review
    load_failed = Signal(str)
    export_finished = Signal(str)  # the workbook's path
    confirm_finished = Signal(int)  # how many rows became Mapped
    back_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(str(ctx.paths.log_dir), parent)
        self._ctx = ctx
        self._settings = SyncSettings()
        self._shown: Shown | None = None
        self._stale = True

        self.heading_label = QLabel()
        self.heading_label.setWordWrap(True)
        self.reload_button = QPushButton("&Reload")
        self.reload_button.setToolTip("Read the TimeSolv client file and Xero's contacts again, "
                                      "after correcting names in either.")
        self.reload_button.clicked.connect(self.load)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.reload_button.animateClick)

        self.status_combo = QComboBox()
        self.status_combo.addItem(ALL_STATUSES, None)
        for status in Status:
            self.status_combo.addItem(status.label, status)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search client, contact or ID")
        self.search_edit.setClearButtonEnabled(True)
        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_search)
        self.counts_label = QLabel()

        self.model = ReviewTableModel(self)
        self.status_combo.currentIndexChanged.connect(
            lambda: self.model.set_status(self.status_combo.currentData()))
        self.search_edit.textChanged.connect(self.model.set_search)
        self.model.modelReset.connect(self._update_counts)
        self.table = QTableView()
        setup_row_table(self.table, self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # file order until asked
        self.table.setAlternatingRowColors(True)
        self.detail_label = QLabel()  # the selected row's whole note: a reason is a sentence
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.hide()
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        for changed in (self.model.modelReset, self.model.layoutChanged):
            changed.connect(self._show_detail)  # a filter clears the selection; a sort moves it
            changed.connect(self._refresh)
        for column, width in ((ReviewColumn.STATUS, 205), (ReviewColumn.CLIENT, 190),
                              (ReviewColumn.CLIENT_ID, 75), (ReviewColumn.CONTACT, 190),
                              (ReviewColumn.XERO_NAME, 190), (ReviewColumn.NOTE, 320),
                              (ReviewColumn.SUGGESTED_CONTACT, 190),
                              (ReviewColumn.SUGGESTION_REASON, 260),
                              (ReviewColumn.CONTACT_ID, 95), (ReviewColumn.SOURCE_ROW, 85)):
            self.table.setColumnWidth(column, width)
        add_column_menu(self.table, HIDDEN_AT_FIRST)
        self.empty_state = EmptyState(self.table, self._empty_text)

        self.back_button = QPushButton("&Back")
        self.back_button.clicked.connect(self.back_requested)
        self.download_button = QPushButton("&Download…")
        self.download_button.setToolTip("Save the whole review as an Excel workbook.")
        self.download_button.clicked.connect(self._on_download_clicked)
        self.confirm_button = QPushButton("&Confirm Mappings")
        self.confirm_button.setToolTip("Link every Matched client to its Xero contact by "
                                       "ContactID: Matched becomes Mapped.")
        self.confirm_button.clicked.connect(self._on_confirm_clicked)
        self.message_bar = MessageBar()
        self.decisions = DecisionActions(
            ctx, self, self._selected_rows, lambda: self._shown, self._jobs.start,
            self._on_decided, self.message_bar.show_error)
        self.decision_buttons = []
        for action in self.decisions.all:
            button = QPushButton(action.text())
            button.setToolTip(action.toolTip())
            button.clicked.connect(action.trigger)
            action.changed.connect(lambda b=button, a=action: b.setEnabled(a.isEnabled()))
            self.decision_buttons.append(button)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addActions(list(self.decisions.all))
        self.table.selectionModel().selectionChanged.connect(self._refresh)

        self._build_layout()
        self._refresh()

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.heading_label, 1)
        top.addWidget(self.reload_button)
        filters = QHBoxLayout()
        filters.addWidget(_buddy("S&tatus:", self.status_combo))
        filters.addWidget(self.status_combo)
        filters.addWidget(_buddy("Searc&h:", self.search_edit))
        filters.addWidget(self.search_edit, 1)
        counts = QHBoxLayout()
        counts.addWidget(self.counts_label, 1)
        decide = QHBoxLayout()
        decide.addWidget(QLabel("Selected rows:"))
        for button in self.decision_buttons:
            decide.addWidget(button)
        decide.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail_label)
        layout.addLayout(decide)
        layout.addLayout(counts)
        layout.addWidget(self.message_bar)
        layout.addLayout(buttons)

    # -- state ----------------------------------------------------------------------------

    @property
    def review(self) -> Review | None:
        return self._shown.review if self._shown is not None else None

    @property
    def shown(self) -> Shown | None:
        """The review shown, with what the job that loaded it made for the GUI thread."""
        return self._shown

    @property
    def _status_counts(self) -> Counter[Status]:
        return self._shown.counts if self._shown is not None else Counter()

    def set_settings(self, settings: SyncSettings) -> None:
        """The organisation and file to review; a change makes the review shown stale."""
        if settings != self._settings:
            self._settings = settings
            self._shown = None
            self.model.set_rows(())
            self._stale = True
            self.message_bar.clear_message()
        self._refresh()

    def mark_stale(self, *_: object) -> None:
        """Xero or the links changed (a sync ran): reload when next shown, and until then say
        that the review shown is out of date."""
        self._stale = True
        if self._shown is not None:
            self.message_bar.show_message(STALE_TEXT, "info")

    def bring_up_to_date(self) -> None:
        """A review made out of date meanwhile (a sync ran, say) is read again."""
        self.load_if_stale()

    def load_if_stale(self) -> None:
        if self._stale and self._settings.complete and not self._jobs.busy and not self._locked:
            self.load()

    def _refresh(self, *_: object) -> None:
        busy = self._jobs.busy or self._locked
        has_rows = self._shown is not None
        matched = has_rows and self._status_counts[Status.MATCHED] > 0
        self.reload_button.setEnabled(not busy and self._settings.complete)
        self.download_button.setEnabled(not busy and has_rows)
        self.confirm_button.setEnabled(not busy and bool(matched))
        self.decisions.refresh(busy or not has_rows)
        settings = self._settings
        if settings.tenant_name:
            name = html.escape(settings.tenant_name)
            source = html.escape(Path(settings.clients_file).name)
            self.heading_label.setText(f"<b>{name}</b> &nbsp;·&nbsp; {source}")
        else:
            self.heading_label.setText("Finish Setup first.")

    def _focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def show_status(self, status: Status | None) -> None:
        """Filter the table to one status, or all (the Sync tab sends the user to decide)."""
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(status)))

    def _selected_rows(self) -> list[ReviewRow]:
        """The rows selected, read from the selection's ranges: selecting all 13,000 rows
        asks Qt for no index and Python for no cell."""
        selection = self.table.selectionModel().selection()
        spans = [(span.top(), span.bottom()) for span in selection.toList()]
        return self.model.rows_between(spans)

    def _show_detail(self, *_: object) -> None:
        """Under the table: the current row's note in full (the Note column is cut short)."""
        row = self.table.currentIndex().data(RowRole) if self.table.currentIndex().isValid() \
            else None
        if not isinstance(row, ReviewRow) or not row.note:
            self.detail_label.clear()
            self.detail_label.hide()
            return
        who = " ".join(part for part in (row.client_id, row.client_name or row.contact_name)
                       if part)
        where = f"Row {row.source_row} · " if row.source_row is not None else ""
        self.detail_label.setText(f"<b>{html.escape(where + who)}</b>: {html.escape(row.note)}")
        self.detail_label.show()

    def _empty_text(self) -> str:
        """Why the table is empty, and what to do."""
        if self._shown is None:
            return ("The review appears here once it is read." if self._settings.complete
                    else "Finish Setup first: connect to Xero, pick the client file, tick "
                         "Enable Client Sync and click Save.")
        if not self.model.rows():
            return "The client file has no clients and Xero has no contacts."
        status, words = self.status_combo.currentData(), self.search_edit.text().strip()
        if isinstance(status, Status) and words:
            return (f"No row with Status {status.label} matches “{words}”. Clear the search "
                    f"or pick {ALL_STATUSES} to see more.")
        if isinstance(status, Status):
            return f"No row has Status {status.label}. Pick {ALL_STATUSES} to see every row."
        return f"No row matches “{words}”. Clear the search to see every row."

    def _update_counts(self, *_: object) -> None:
        counts = self._status_counts
        parts = [f"{counts[s]} {s.label}" for s in Status if counts[s]]
        shown, total = self.model.rowCount(), len(self.model.rows())
        prefix = f"{shown} of {total} rows" if shown != total else f"{total} rows"
        self.counts_label.setText(prefix + (" · " + " · ".join(parts) if parts else ""))

    # -- load -----------------------------------------------------------------------------

    def load(self) -> None:
        """Read the client file and Xero's contacts in the background, then show the rows."""
        if self._jobs.busy:
            return
        settings = self._settings
        ctx = self._ctx

        def job(report: Callable[[object], None], stop: Callable[[], bool]) -> Shown:
            with ctx.open_xero() as xero, ctx.open_store() as store:
                xero.on_wait = countdown(report, stop)
                return shown(load_review(settings, xero, store, report, stop))

        self.message_bar.show_message("Loading the review…")
        self._jobs.start(job, self._on_loaded, self._on_load_failed, self._on_report)

    def _on_report(self, events: Sequence[object]) -> None:
        for event in reversed(events):  # only the newest line matters
            if isinstance(event, Waiting) and event.seconds:
                self.message_bar.show_message(f"{event.reason}: {event.seconds} s…")
                return
            if isinstance(event, Progress) and event.text:
                self.message_bar.show_message(event.text)
                return

    def _on_loaded(self, result: object) -> None:
        assert isinstance(result, Shown)
        review = result.review
        if review.settings != self._settings:  # the setup changed meanwhile: not this review
            return
        self._show(result)
        self._stale = False
        self.message_bar.show_message(review_hint(self._status_counts, review.file_summary))
        self.review_loaded.emit(review)

    def _on_load_failed(self, message: str) -> None:
        self.message_bar.show_error(message)
        self.load_failed.emit(message)

    def _show(self, result: Shown) -> None:
        self._shown = result
        self.model.set_rows(result.review.rows, result.texts)
        self._refresh()

    def _on_decided(self, result: Shown, message: str) -> None:
        review = result.review
        if review.settings != self._settings:
            return
        self._show(result)
        self.message_bar.show_message(message, "success")
        self.review_loaded.emit(review)

    # -- download -------------------------------------------------------------------------

    def _on_download_clicked(self) -> None:
        review = self.review
        if review is None:
            return
        name = default_name(REVIEW_TITLE, review.settings.tenant_name, datetime.now())
        path = ask_save_path(self, "Download the mapping review", default_export_dir() / name,
                             review.settings.clients_file, self._ctx.paths.database)
        if path is None:
            return
        rows = review.rows

        def job(_report: Callable[[object], None], _stop: Callable[[], bool]) -> str:
            write_review(path, rows)
            return str(path)

        self.message_bar.show_message("Saving the review…")
        self._jobs.start(job, self._on_exported, self.message_bar.show_error)

    def _on_exported(self, path: object) -> None:
        self.message_bar.show_saved(f"Review saved to {path}.", str(path))
        self.export_finished.emit(str(path))

    # -- confirm --------------------------------------------------------------------------

    def _on_confirm_clicked(self) -> None:
        review = self.review
        if review is None:
            return
        matched = self._status_counts[Status.MATCHED]
        if matched > 1 and not confirm(
                self, "Confirm Mappings",
                f"Link {matched} Matched clients to their Xero contacts by ContactID? They "
                "become Mapped, and matching no longer changes them."):
            return
        ctx = self._ctx

        def job(_report: Callable[[object], None], _stop: Callable[[], bool]) -> Shown:
            with ctx.open_store() as store:
                return shown(confirm_mappings(review, store))

        self._jobs.start(job, self._on_confirmed, self.message_bar.show_error)

    def _on_confirmed(self, result: object) -> None:
        assert isinstance(result, Shown)
        review = result.review
        if self._shown is None or review.settings != self._settings:
            return
        before, after = self._status_counts[Status.MAPPED], result.counts[Status.MAPPED]
        self._show(result)
        self.message_bar.show_message(
            f"{clients(after - before, 'is', 'are')} now Mapped to their Xero contacts. "
            "Click Back to return to Setup, or go to the Sync tab.", "success")
        self.confirm_finished.emit(after - before)


def _buddy(text: str, widget: QWidget) -> QLabel:
    """A label whose mnemonic (Alt + the underlined letter) moves the focus to `widget`."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label
