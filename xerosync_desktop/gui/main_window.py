"""Main window: the demo banner, the Setup, Mapping and Sync tabs, and how they hand over.

Public API: MainWindow.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QTableView, QTabWidget, QVBoxLayout, QWidget

from ..bootstrap import AppContext
from ..core.model import Status
from ..store import SyncSettings
from .dialogs import ask_to_stop_syncing
from .help_menu import add_help_menu
from .job_tab import JobTab
from .mapping_tab import MappingTab
from .setup_tab import SetupTab
from .sync_tab import SyncTab
from .window_state import WindowState

QUITTING_TEXT = "Closing once the call to Xero in flight has ended…"
DEMO_BANNER = ("DEMO: connected to a local Xero sandbox with sample organisations and sample "
               "TimeSolv clients. Nothing here touches a real Xero organisation.")


class MainWindow(QMainWindow):
    """Setup gates Mapping and Sync: both open once connected and client sync is saved."""

    xero_app_requested = Signal(object)  # XeroApp chosen in Setup: the app rebuilds on it

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._store = ctx.open_store()  # the GUI thread's own, for settings
        self._quitting = False  # closes once no job runs (a sync stops after its call)
        self.setWindowTitle("xerosync: TimeSolv clients to Xero")
        self.resize(1100, 720)

        self.demo_banner = QLabel(DEMO_BANNER)
        self.demo_banner.setWordWrap(True)
        self.demo_banner.setStyleSheet("QLabel { background:#ffd24d; color:#3d2e00; "
                                       "font-weight:bold; padding:6px 10px; }")
        self.demo_banner.setVisible(ctx.is_demo)
        self.setup_tab = SetupTab(ctx, self._store)
        self.mapping_tab = MappingTab(ctx)
        self.sync_tab = SyncTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.setup_tab, "Setup")
        self.tabs.addTab(self.mapping_tab, "Mapping")
        self.tabs.addTab(self.sync_tab, "Sync")
        self.organisation_label = QLabel()
        self.statusBar().addPermanentWidget(self.organisation_label)
        self.help_menu = add_help_menu(self, ctx.paths)
        for number, tab in enumerate((self.setup_tab, self.mapping_tab, self.sync_tab), 1):
            QShortcut(QKeySequence(f"Ctrl+{number}"), self,
                      lambda t=tab: self.tabs.setCurrentWidget(t)
                      if self.tabs.isTabEnabled(self.tabs.indexOf(t)) else None)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.demo_banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.setup_tab.settings_saved.connect(self._on_settings)
        self.setup_tab.connection_changed.connect(lambda _c: self._gate())
        self.setup_tab.xero_app_requested.connect(self.xero_app_requested)
        self.setup_tab.review_requested.connect(self._open_review)
        self.mapping_tab.back_requested.connect(
            lambda: self.tabs.setCurrentWidget(self.setup_tab))
        self.sync_tab.run_finished.connect(self.mapping_tab.mark_stale)
        self.sync_tab.run_failed.connect(self.mapping_tab.mark_stale)
        self.mapping_tab.review_loaded.connect(self.sync_tab.mark_preview_stale)
        self.mapping_tab.confirm_finished.connect(self.sync_tab.mark_preview_stale)
        self.sync_tab.mapping_requested.connect(self._decide_first)
        for changed in (self.mapping_tab.review_loaded, self.mapping_tab.confirm_finished,
                        self.sync_tab.run_finished, self.sync_tab.run_failed):
            changed.connect(self.setup_tab.refresh_status)  # links or runs changed
        self.tabs.currentChanged.connect(self._on_tab_changed)
        for tab in self._job_tabs:
            tab.busy_changed.connect(self._on_busy_changed)
            tab.authorization_lost.connect(self._on_authorization_lost)
        self._layout = WindowState(self._store)  # as the user left it, if it was kept
        self._layout.restore_geometry(self)
        for name, table in self._tables.items():
            self._layout.restore_columns(name, table)
        self._wanted_tab = self._layout.last_tab()  # once Mapping and Sync open
        self._shut = False
        self._settings = SyncSettings()
        self._on_settings(self._settings)
        self.setup_tab.resume()

    def _gate(self) -> None:
        """Mapping and Sync open only while connected, with client sync saved as enabled."""
        ready = self._settings.complete and self.setup_tab.connected
        for tab in (self.mapping_tab, self.sync_tab):
            index = self.tabs.indexOf(tab)
            self.tabs.setTabEnabled(index, ready)
            self.tabs.setTabToolTip(index, "" if ready else
                                    "Connect to Xero, pick the client file, tick Enable Client "
                                    "Sync and click Save in Setup first.")
        if ready and self._wanted_tab is not None:  # the tab the window closed on
            wanted, self._wanted_tab = self._wanted_tab, None
            if 0 <= wanted < self.tabs.count():
                self.tabs.setCurrentIndex(wanted)  # it reads its review or preview once free

    def _on_authorization_lost(self) -> None:
        self.setup_tab.show_reconnect()
        if not self.setup_tab.connected:
            self.tabs.setCurrentWidget(self.setup_tab)

    def _on_settings(self, settings: object) -> None:
        assert isinstance(settings, SyncSettings)
        self._settings = settings
        self.mapping_tab.set_settings(settings)
        self.sync_tab.set_settings(settings)  # it reads the organisation's runs itself
        self._gate()  # the tabs know the settings before one of them may be shown
        where = "demo Xero" if self._ctx.is_demo else "Xero"
        self.organisation_label.setText(
            f"Organisation: {settings.tenant_name} ({where})" if settings.tenant_name
            else f"No organisation picked ({where})")
        self.setWindowTitle(f"xerosync: {settings.tenant_name} ({where})" if settings.tenant_name
                            else "xerosync: TimeSolv clients to Xero")

    @property
    def _job_tabs(self) -> tuple[SetupTab, MappingTab, SyncTab]:
        return (self.setup_tab, self.mapping_tab, self.sync_tab)

    def _on_busy_changed(self, _busy: bool) -> None:
        """One job at a time across the tabs: the organisation never changes under a job."""
        for tab in self._job_tabs:
            tab.set_locked(any(other.busy for other in self._job_tabs if other is not tab))
        if self._quitting and not any(tab.busy for tab in self._job_tabs):
            QTimer.singleShot(0, self.close)  # after the job's outcome is shown and stored

    def _open_review(self) -> None:
        self.tabs.setCurrentWidget(self.mapping_tab)
        self.mapping_tab.load()

    def _on_tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.setup_tab:
            self.setup_tab.refresh_status()
        elif isinstance(shown := self.tabs.currentWidget(), JobTab):
            shown.bring_up_to_date()

    def _decide_first(self) -> None:
        """From the Sync tab's question: the possible matches, in Mapping."""
        self.tabs.setCurrentWidget(self.mapping_tab)
        self.mapping_tab.show_status(Status.POSSIBLE_MATCH)

    @property
    def _tables(self) -> dict[str, QTableView]:
        """The tables whose columns are kept between starts, by name."""
        return {"mapping": self.mapping_tab.table, "preview": self.sync_tab.preview_panel.table,
                "runs": self.sync_tab.history.runs_table}

    def shutdown(self) -> None:
        """Keep the layout, cancel every job, wait for it, and close the store; safe to call
        twice."""
        if not self._shut:
            self._shut = True
            self._layout.save(self, self.tabs.currentIndex(), self._tables)
        for tab in self._job_tabs:
            tab.shutdown()
        self._store.close()

    def quit_after_call_in_flight(self) -> None:
        """Stop a sync after the call to Xero in flight and close once it has ended, so
        nothing is lost; with no sync, close now."""
        self._quitting = True
        if self.sync_tab.busy:
            self.tabs.setCurrentWidget(self.sync_tab)
            self.statusBar().showMessage(QUITTING_TEXT)
            self.sync_tab.cancel()
        else:
            QTimer.singleShot(0, self.close)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """During a sync, ask first; any other job (a preview's read) is cancelled."""
        if self.sync_tab.syncing:
            event.ignore()
            if not self._quitting and ask_to_stop_syncing(self, self._settings.tenant_name):
                self.quit_after_call_in_flight()
            return
        self.shutdown()
        super().closeEvent(event)
