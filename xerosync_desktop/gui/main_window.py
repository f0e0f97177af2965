"""Main window: the demo banner, the Setup, Mapping and Sync tabs, and how they hand over.

Public API: MainWindow.
"""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from ..bootstrap import AppContext
from ..store import SyncSettings
from .mapping_tab import MappingTab
from .setup_tab import SetupTab
from .sync_tab import SyncTab

DEMO_BANNER = ("DEMO: connected to a local Xero sandbox with sample organisations and sample "
               "TimeSolv clients. Nothing here touches a real Xero organisation.")


class MainWindow(QMainWindow):
    """Setup gates Mapping and Sync: both open once client sync is saved as enabled."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._store = ctx.open_store()  # the GUI thread's own, for settings
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

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.demo_banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.setup_tab.settings_saved.connect(self._on_settings)
        self.setup_tab.review_requested.connect(self._open_review)
        self.mapping_tab.back_requested.connect(
            lambda: self.tabs.setCurrentWidget(self.setup_tab))
        self.sync_tab.run_finished.connect(self.mapping_tab.mark_stale)
        self.sync_tab.run_failed.connect(self.mapping_tab.mark_stale)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        for tab in self._job_tabs:
            tab.busy_changed.connect(self._on_busy_changed)
        self._on_settings(SyncSettings())

    def _on_settings(self, settings: object) -> None:
        assert isinstance(settings, SyncSettings)
        ready = settings.complete
        for tab in (self.mapping_tab, self.sync_tab):
            index = self.tabs.indexOf(tab)
            self.tabs.setTabEnabled(index, ready)
            self.tabs.setTabToolTip(index, "" if ready else
                                    "Connect to Xero, pick the client file, tick Enable Client "
                                    "Sync and click Save in Setup first.")
        self.mapping_tab.set_settings(settings)
        latest = self._store.runs.latest(settings.tenant_id) if settings.tenant_id else None
        self.sync_tab.set_settings(settings, latest)
        demo = " (demo)" if self._ctx.is_demo else ""
        self.organisation_label.setText(
            f"Organisation: {settings.tenant_name}{demo}" if settings.tenant_name
            else "No organisation picked")

    @property
    def _job_tabs(self) -> tuple[SetupTab, MappingTab, SyncTab]:
        return (self.setup_tab, self.mapping_tab, self.sync_tab)

    def _on_busy_changed(self, _busy: bool) -> None:
        """One job at a time across the tabs: the organisation never changes under a job."""
        for tab in self._job_tabs:
            tab.set_locked(any(other.busy for other in self._job_tabs if other is not tab))

    def _open_review(self) -> None:
        self.tabs.setCurrentWidget(self.mapping_tab)
        self.mapping_tab.load()

    def _on_tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.mapping_tab:
            self.mapping_tab.load_if_stale()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        for tab in self._job_tabs:
            tab.shutdown()
        self._store.close()
        super().closeEvent(event)
