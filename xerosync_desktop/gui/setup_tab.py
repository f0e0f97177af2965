"""Setup tab: connect to Xero, pick the organisation and the client file, enable client sync.

Public API: SetupTab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..bootstrap import AppContext
from ..errors import UserError
from ..store import Store, SyncSettings
from ..xero.auth import LoopbackReceiver, finish_authorization, start_authorization
from ..xero.client import Organisation
from .dialogs import MessageBar
from .job_tab import JobTab

CONNECT_TEXT = "Connect to Xero"
CANCEL_CONNECT_TEXT = "Cancel sign-in"


class SetupTab(JobTab):
    """Sync Setup: the seed's first screen."""

    connect_finished = Signal(bool)  # True when the organisations were listed
    settings_saved = Signal(object)  # SyncSettings
    review_requested = Signal()

    def __init__(self, ctx: AppContext, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(str(ctx.paths.log_dir), parent)
        self._ctx = ctx
        self._store = store
        self._organisations: list[Organisation] = []
        self._saved = store.settings.sync_settings()

        self.connection_label = QLabel("Not connected to Xero.")
        self.connection_label.setWordWrap(True)
        self.connect_button = QPushButton(CONNECT_TEXT)
        self.connect_button.clicked.connect(self._on_connect_clicked)
        self.organisation_combo = QComboBox()
        self.organisation_combo.setEnabled(False)
        self.organisation_combo.setMinimumContentsLength(30)
        self.organisation_combo.currentIndexChanged.connect(self._on_organisation_changed)

        self.clients_file_edit = QLineEdit()
        self.clients_file_edit.setReadOnly(True)
        self.clients_file_edit.setPlaceholderText("The client export from TimeSolv (CSV or .xlsx)")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._on_browse_clicked)

        self.enable_checkbox = QCheckBox("Enable Client Sync")
        self.enable_checkbox.setToolTip("Sync TimeSolv clients to Xero as contacts. Contacts "
                                        "are synced before anything else.")
        self.enable_checkbox.toggled.connect(self._refresh)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.review_button = QPushButton(
            "Review the mapping of TimeSolv Clients to existing Xero Contacts")
        self.review_button.setFlat(True)
        self.review_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.review_button.setStyleSheet(
            "QPushButton { color:#0b63c5; text-decoration: underline; text-align:left; }"
            "QPushButton:disabled { color:#8a8a8a; }")
        self.review_button.clicked.connect(self.review_requested)
        self.message_bar = MessageBar()

        self._build_layout()
        self._show_saved_hint()
        self._refresh()

    # -- layout ---------------------------------------------------------------------------

    def _build_layout(self) -> None:
        xero_box = QGroupBox("1. Xero")
        xero_form = QFormLayout(xero_box)
        connect_row = QHBoxLayout()
        connect_row.addWidget(self.connection_label, 1)
        connect_row.addWidget(self.connect_button)
        xero_form.addRow(connect_row)
        xero_form.addRow("Organisation:", self.organisation_combo)

        file_box = QGroupBox("2. TimeSolv clients")
        file_row = QHBoxLayout(file_box)
        file_row.addWidget(QLabel("Client file:"))
        file_row.addWidget(self.clients_file_edit, 1)
        file_row.addWidget(self.browse_button)

        sync_box = QGroupBox("3. Client sync")
        sync_layout = QVBoxLayout(sync_box)
        sync_layout.addWidget(QLabel("Sync TimeSolv clients to Xero as contacts before "
                                     "anything else. Prospect clients are never synced."))
        save_row = QHBoxLayout()
        save_row.addWidget(self.enable_checkbox)
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        sync_layout.addLayout(save_row)
        sync_layout.addWidget(self.review_button)

        layout = QVBoxLayout(self)
        layout.addWidget(xero_box)
        layout.addWidget(file_box)
        layout.addWidget(sync_box)
        layout.addWidget(self.message_bar)
        layout.addStretch(1)

    # -- state ----------------------------------------------------------------------------

    @property
    def saved_settings(self) -> SyncSettings:
        """What was last saved for the organisation shown."""
        return self._saved

    def current_organisation(self) -> Organisation | None:
        index = self.organisation_combo.currentIndex()
        return self._organisations[index] if 0 <= index < len(self._organisations) else None

    def _form_settings(self) -> SyncSettings:
        organisation = self.current_organisation()
        return SyncSettings(
            tenant_id=organisation.tenant_id if organisation else "",
            tenant_name=organisation.name if organisation else "",
            clients_file=self.clients_file_edit.text(),
            client_sync_enabled=self.enable_checkbox.isChecked(),
        )

    def _refresh(self, *_: object) -> None:
        busy = self._jobs.busy
        free = not busy and not self._locked
        connected = bool(self._organisations)
        self.connect_button.setText(CANCEL_CONNECT_TEXT if busy else CONNECT_TEXT)
        self.connect_button.setEnabled(not self._locked)
        self.organisation_combo.setEnabled(connected and free)
        for widget in (self.browse_button, self.enable_checkbox, self.save_button):
            widget.setEnabled(connected and free)
        form = self._form_settings()
        ready = free and connected and form == self._saved and self._saved.complete
        self.review_button.setEnabled(ready)
        if connected and form != self._saved:
            self.review_button.setToolTip("Click Save first.")
        elif connected and not form.client_sync_enabled:
            self.review_button.setToolTip("Tick Enable Client Sync and click Save first.")
        else:
            self.review_button.setToolTip("")

    def _show_saved_hint(self) -> None:
        if self._saved.tenant_name:
            self.connection_label.setText(
                f"Not connected. Last used: {self._saved.tenant_name}. Connect to continue.")

    # -- connect --------------------------------------------------------------------------

    def _on_connect_clicked(self) -> None:
        if self._jobs.busy:
            self._jobs.cancel()
            return
        self.message_bar.clear_message()
        try:
            receiver = LoopbackReceiver()
        except UserError as exc:
            self.message_bar.show_error(exc.message)
            self.connect_finished.emit(False)
            return
        request = start_authorization(self._ctx.endpoints, self._ctx.client_id, receiver)
        ctx = self._ctx

        def connect(_report: Callable[[object], None],
                    should_stop: Callable[[], bool]) -> list[Organisation]:
            token = finish_authorization(request, receiver, ctx.endpoints, ctx.client_id,
                                         should_stop)
            ctx.vault.save(token)
            with ctx.open_xero() as xero:
                return xero.connections()

        self._jobs.start(connect, self._on_connected, self._on_connect_failed)
        self.connection_label.setText("Waiting for you to sign in to Xero in your browser…")
        if not QDesktopServices.openUrl(QUrl(request.url)):
            self.message_bar.show_message(
                "Your web browser could not be opened. Open this address in it to sign in:\n"
                + request.url, "info")

    def _on_connected(self, organisations: object) -> None:
        assert isinstance(organisations, list)
        self._organisations = organisations
        if not organisations:
            self.connection_label.setText("Connected, but Xero granted no organisation.")
            self.message_bar.show_error("Xero granted access to no organisation. Connect "
                                        "again and pick at least one.")
            self.connect_finished.emit(False)
            return
        self._show_connected()
        self.organisation_combo.blockSignals(True)
        self.organisation_combo.clear()
        self.organisation_combo.addItems([o.name for o in organisations])
        ids = [o.tenant_id for o in organisations]
        last = self._store.settings.get("tenant_id")
        self.organisation_combo.setCurrentIndex(ids.index(last) if last in ids else 0)
        self.organisation_combo.blockSignals(False)
        self._on_organisation_changed()
        self.connect_finished.emit(True)

    def _show_connected(self) -> None:
        count = len(self._organisations)
        demo = " (demo)" if self._ctx.is_demo else ""
        self.connection_label.setText(
            f"Connected to Xero{demo}: {count} organisation{'s' if count != 1 else ''} "
            "granted.")

    def _on_connect_failed(self, message: str) -> None:
        if self._organisations:  # the earlier connection still stands
            self._show_connected()
        else:
            self.connection_label.setText("Not connected to Xero.")
        self.message_bar.show_error(message)
        self.connect_finished.emit(False)

    # -- organisation, file, save ---------------------------------------------------------

    def _on_organisation_changed(self) -> None:
        organisation = self.current_organisation()
        if organisation is None:
            return
        # kept by tenant id; the name is Xero's of today (it may have been renamed)
        self._saved = replace(self._store.settings.sync_settings(organisation.tenant_id),
                              tenant_name=organisation.name)
        default_file = str(self._ctx.sample_clients) if self._ctx.sample_clients else ""
        self.clients_file_edit.setText(self._saved.clients_file or default_file)
        self.enable_checkbox.setChecked(self._saved.client_sync_enabled)
        self.settings_saved.emit(self._saved)
        self._refresh()

    def _on_browse_clicked(self) -> None:
        start = self.clients_file_edit.text() or str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(
            self, "TimeSolv client file", start,
            "Client exports (*.csv *.xlsx);;CSV (*.csv);;Excel workbook (*.xlsx)")
        if chosen:
            self.clients_file_edit.setText(chosen)
            self._refresh()

    def _on_save_clicked(self) -> None:
        settings = self._form_settings()
        if not settings.tenant_id:
            self.message_bar.show_error("Connect to Xero and pick an organisation first.")
            return
        if settings.client_sync_enabled and not Path(settings.clients_file).is_file():
            self.message_bar.show_error("Pick the TimeSolv client file before enabling "
                                        "client sync.")
            return
        self._store.settings.save_sync_settings(settings)
        self._saved = settings
        if settings.client_sync_enabled:
            text = (f"Saved. Client sync is enabled for {settings.tenant_name}. Next, review "
                    "the mapping of TimeSolv clients to Xero contacts.")
        else:
            text = f"Saved. Client sync is not enabled for {settings.tenant_name}."
        self.message_bar.show_message(text, "success")
        self.settings_saved.emit(settings)
        self._refresh()
