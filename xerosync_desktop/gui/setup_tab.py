"""Setup tab: which Xero, connect, pick the organisation and the client file, enable sync.

Public API: SetupTab, CONNECT_TEXT, RECONNECT_TEXT, DEMO_SIGNING_IN_TEXT.

Sign out and Remove organisation run xero/disconnect.py in a job and show its sentence; a
browser sign-in shows its address to copy (sign_in_hint.py), and after a while what to
check. The demo signs itself in at start (its login approves at once); real Xero never
does. The message under the form is made each time from the organisation shown
(setup_status.py): an action's own news lasts until the organisation changes, another tab
changes its state, or Setup is left; a sign-in's address, until the sign-in ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..bootstrap import AppContext
from ..core.intake import ClientList
from ..errors import UserError
from ..store import Store, SyncSettings, XeroApp
from ..timesolv.loader import load_clients
from ..xero.auth import finish_authorization, sign_in_without_browser, start_authorization
from ..xero.client import Organisation
from ..xero.disconnect import Disconnection
from .browser import open_in_browser
from .client_sync_box import ClientSyncBox
from .dialogs import MessageBar, confirm
from .job_tab import JobTab
from .setup_status import SetupState, saved_text, setup_status
from .sign_in_hint import SignInHint, sign_in_address_text
from .xero_app_box import XeroAppBox

CONNECT_TEXT = "Connect to Xero"
RECONNECT_TEXT = "Reconnect to Xero"
CANCEL_CONNECT_TEXT = "Cancel sign-in"
DEMO_SIGNING_IN_TEXT = "Signing in to the demo Xero…"
RECONNECT_NOTE = ("Xero no longer accepts this app's connection (it was revoked, or not used "
                  "for 60 days). Click Reconnect to Xero; your mappings and settings are kept.")


class SetupTab(JobTab):
    """Sync Setup: the seed's first screen, plus the connection to the firm's Xero."""

    connect_finished = Signal(bool)  # True when the organisations were listed
    disconnect_finished = Signal(bool)  # Sign out or Remove organisation: False if refused
    connection_changed = Signal(bool)  # True while organisations are listed
    settings_saved = Signal(object)  # SyncSettings
    review_requested = Signal()
    xero_app_requested = Signal(object)  # XeroApp: rebuild the app on this choice

    def __init__(self, ctx: AppContext, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(str(ctx.paths.log_dir), parent)
        self._ctx = ctx
        self._store = store
        self._organisations: list[Organisation] = []
        self._signing_in = False
        self._sign_in_address = ""  # while a browser sign-in waits: its address
        self._browser_problem = ""  # why no browser was started for it, if none was
        self._news: tuple[str, str] | None = None  # (text, kind): the last action's word
        self._reconnect = False
        self._stored_grant = ctx.vault.has_token()  # read once: a keyring read is slow
        self._saved = store.settings.sync_settings()

        self.xero_app_box = XeroAppBox(XeroApp(demo=ctx.is_demo,
                                               client_id=ctx.xero_app.client_id,
                                               redirect_port=ctx.xero_app.redirect_port))
        self.xero_app_box.apply_requested.connect(self.xero_app_requested)
        self.xero_app_box.edited.connect(self._refresh)
        self.connection_label = QLabel("Not connected to Xero.")
        self.connection_label.setWordWrap(True)
        self.sign_in_hint = SignInHint()
        self.connect_button = QPushButton(CONNECT_TEXT)
        self.connect_button.clicked.connect(self._on_connect_clicked)
        self.sign_out_button = QPushButton("Sign &out")
        self.sign_out_button.setToolTip("End this app's access to Xero for every organisation "
                                        "and forget the sign-in. Mappings are kept.")
        self.sign_out_button.clicked.connect(self._on_sign_out_clicked)
        self.organisation_combo = QComboBox()
        self.organisation_combo.setEnabled(False)
        self.organisation_combo.setMinimumContentsLength(30)
        self.organisation_combo.currentIndexChanged.connect(self._on_organisation_changed)
        self.remove_button = QPushButton("Re&move organisation")
        self.remove_button.setToolTip("Disconnect the organisation shown from this app. Its "
                                      "mappings are kept for a later reconnect.")
        self.remove_button.clicked.connect(self._on_remove_clicked)

        self.clients_file_edit = QLineEdit()
        self.clients_file_edit.setReadOnly(True)
        self.clients_file_edit.setPlaceholderText("The client export from TimeSolv (CSV or .xlsx)")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.clicked.connect(self._on_browse_clicked)

        self.sync_box = ClientSyncBox()
        self.enable_checkbox = self.sync_box.enable_checkbox
        self.enable_checkbox.toggled.connect(self._refresh)
        self.sync_box.names_combo.currentIndexChanged.connect(self._refresh)
        self.save_button = self.sync_box.save_button
        self.save_button.clicked.connect(self._on_save_clicked)
        self.review_button = self.sync_box.review_button
        self.review_button.clicked.connect(self.review_requested)
        self.message_bar = MessageBar()

        self._build_layout()
        self._show_saved_hint()
        self._refresh()

    def resume(self) -> None:
        """Stay connected across sessions: the demo signs itself in; real Xero lists the
        organisations with the stored grant, if there is one."""
        self._show_messages()  # no keyring: said before anything else
        if self._ctx.is_demo:
            self._sign_in_demo()
            return
        if not self._ctx.can_connect or not self._stored_grant:
            return
        ctx = self._ctx

        def list_organisations(_report: Callable[[object], None],
                               _stop: Callable[[], bool]) -> list[Organisation]:
            with ctx.open_xero() as xero:
                return xero.connections()

        self.connection_label.setText("Connecting to Xero with the saved sign-in…")
        self._jobs.start(list_organisations, self._on_connected, self._on_connect_failed)

    def _sign_in_demo(self) -> None:
        """The demo's login approves at once: sign in to it in a job, no browser, no click."""
        ctx = self._ctx

        def sign_in(_report: Callable[[object], None],
                    should_stop: Callable[[], bool]) -> list[Organisation]:
            ctx.vault.save(sign_in_without_browser(ctx.endpoints, ctx.client_id,
                                                   should_stop=should_stop))
            with ctx.open_xero() as xero:
                return xero.connections()

        self._signing_in = True
        self.connection_label.setText(DEMO_SIGNING_IN_TEXT)
        self._jobs.start(sign_in, self._on_connected, self._on_connect_failed)
        self._refresh()

    # -- layout ---------------------------------------------------------------------------

    def _build_layout(self) -> None:
        xero_box = QGroupBox("1. Connect to Xero")
        xero_form = QFormLayout(xero_box)
        connect_row = QHBoxLayout()
        connect_row.addWidget(self.connection_label, 1)
        connect_row.addWidget(self.connect_button)
        connect_row.addWidget(self.sign_out_button)
        xero_form.addRow(connect_row)
        xero_form.addRow(self.sign_in_hint)
        organisation_row = QHBoxLayout()
        organisation_row.addWidget(self.organisation_combo, 1)
        organisation_row.addWidget(self.remove_button)
        xero_form.addRow("Organisation:", organisation_row)

        file_box = QGroupBox("2. TimeSolv clients")
        file_row = QHBoxLayout(file_box)
        file_row.addWidget(QLabel("Client file:"))
        file_row.addWidget(self.clients_file_edit, 1)
        file_row.addWidget(self.browse_button)

        page = QWidget()  # scrolls in a short window, rather than squashing its text
        layout = QVBoxLayout(page)
        layout.addWidget(self.xero_app_box)
        layout.addWidget(xero_box)
        layout.addWidget(file_box)
        layout.addWidget(self.sync_box)
        layout.addWidget(self.message_bar)
        layout.addStretch(1)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidget(page)
        for plain in (self._scroll.viewport(), page):  # the tab's own background shows
            plain.setAutoFillBackground(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._scroll)

    # -- state ----------------------------------------------------------------------------

    @property
    def saved_settings(self) -> SyncSettings:
        """What was last saved for the organisation shown."""
        return self._saved

    @property
    def connected(self) -> bool:
        return bool(self._organisations)

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
            keep_xero_names=self.sync_box.keep_xero_names,
        )

    def _refresh(self, *_: object) -> None:
        busy = self._jobs.busy
        free = not busy and not self._locked
        connected = self.connected
        if self._signing_in:
            self.connect_button.setText(CANCEL_CONNECT_TEXT)
        else:
            self.connect_button.setText(RECONNECT_TEXT if self._reconnect else CONNECT_TEXT)
        pending = self.xero_app_box.pending
        self.connect_button.setEnabled(self._signing_in or (
            free and self._ctx.can_connect and not pending))
        if pending:
            self.connect_button.setToolTip("Click Use these settings first.")
        elif not self._ctx.can_connect:
            self.connect_button.setToolTip("Enter your Xero app's Client id above first.")
        else:
            self.connect_button.setToolTip("")
        self.sign_out_button.setEnabled(free and (connected or self._reconnect or
                                                  self._stored_grant))
        self.sign_out_button.setVisible(not self._ctx.is_demo)
        self.remove_button.setEnabled(free and connected)
        self.xero_app_box.set_locked(busy or self._locked)
        self.organisation_combo.setEnabled(connected and free)
        for widget in (self.browse_button, self.enable_checkbox, self.save_button,
                       self.sync_box.names_combo):
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
        if not self._ctx.can_connect:
            self.connection_label.setText("Not connected. Enter your Xero app's Client id "
                                          "above and click Use these settings.")
        elif self._saved.tenant_name:
            self.connection_label.setText(
                f"Not connected. Last used: {self._saved.tenant_name}. Connect to continue.")

    def _set_organisations(self, organisations: list[Organisation]) -> None:
        """Show the organisations granted (none: not connected) and pick one."""
        was_connected = self.connected
        self._organisations = organisations
        self.organisation_combo.blockSignals(True)
        self.organisation_combo.clear()
        self.organisation_combo.addItems([o.name for o in organisations])
        ids = [o.tenant_id for o in organisations]
        last = self._store.settings.get("tenant_id")
        self.organisation_combo.setCurrentIndex(ids.index(last) if last in ids else 0)
        self.organisation_combo.blockSignals(False)
        if organisations:
            self._on_organisation_changed()
        else:
            self._news = None
            self._show_messages()
            self.settings_saved.emit(SyncSettings())
        if was_connected != self.connected:
            self.connection_changed.emit(self.connected)
        self._refresh()

    def show_reconnect(self) -> None:
        """Xero refused the grant: offer Reconnect; the saved setup stays as it is.

        A sign-in that Xero refuses is not a lost grant: its own message says what to do.
        """
        if self._signing_in:
            return
        self._reconnect = True
        self._set_organisations([])
        self.connection_label.setText(RECONNECT_NOTE)
        self._refresh()

    # -- the message ----------------------------------------------------------------------

    def refresh_status(self, *_: object) -> None:
        """The organisation's state changed elsewhere (Confirm, a decision, a sync), or Setup
        is shown again: say where it stands now; what an earlier action said is dropped."""
        self._news = None
        self._show_messages()

    def _say(self, text: str, kind: str = "info") -> None:
        """An action's news, about the organisation shown (or the connection)."""
        self._news = (text, kind)
        self._show_messages()

    def _state(self) -> SetupState:
        organisation = self.current_organisation()
        notice = self._ctx.vault.notice
        if organisation is None:
            return SetupState("", notice=notice)
        tenant_id = organisation.tenant_id
        last = self._store.runs.latest(tenant_id)
        return SetupState(organisation.name, sync_enabled=self._saved.complete,
                          links=self._store.mappings.count(tenant_id),
                          last_sync_at=last.started_at if last else None,
                          last_sync_outcome=last.outcome if last else "", notice=notice)

    def _show_messages(self) -> None:
        """The sign-in's address while it waits; else the last action's news, then where the
        organisation shown stands; an error alone."""
        if self._signing_in and self._sign_in_address:
            self.message_bar.show_address(
                sign_in_address_text(self._browser_problem, self._ctx.is_demo),
                self._sign_in_address)
        else:
            status = setup_status(self._state())
            text, kind = self._news or ("", "info")
            if kind == "error":
                self.message_bar.show_error(text)
            elif text or status:
                self.message_bar.show_message(" ".join(t for t in (text, status) if t), kind)
            else:
                self.message_bar.clear_message()
        # in a short window, scrolled into view once laid out
        QTimer.singleShot(0, lambda: self._scroll.ensureWidgetVisible(self.message_bar))

    # -- connect --------------------------------------------------------------------------

    def _on_connect_clicked(self) -> None:
        if self._signing_in:
            self._jobs.cancel()
            return
        self._news = None
        try:
            receiver = self._ctx.loopback()
        except UserError as exc:
            self._say(exc.message, "error")
            self.connect_finished.emit(False)
            return
        request = start_authorization(self._ctx.endpoints, self._ctx.client_id, receiver)
        ctx = self._ctx

        def connect(_report: Callable[[object], None],
                    should_stop: Callable[[], bool]) -> list[Organisation]:
            token = finish_authorization(request, receiver, ctx.endpoints, ctx.client_id,
                                         should_stop, timeout=ctx.sign_in_timeout)
            ctx.vault.save(token)
            with ctx.open_xero() as xero:
                return xero.connections()

        self._signing_in = True
        self._jobs.start(connect, self._on_connected, self._on_connect_failed)
        if not ctx.is_demo:
            self.sign_in_hint.start(ctx.client_id, request.redirect_uri, ctx.sign_in_hint_delay)
        self._browser_problem = open_in_browser(request.url)
        self._sign_in_address = request.url
        self.connection_label.setText(
            "Waiting for you to sign in to Xero…" if self._browser_problem
            else "Waiting for you to sign in to Xero in your browser…")
        self._show_messages()

    def _end_sign_in(self) -> None:
        """The sign-in ended (connected, failed or cancelled): its address goes."""
        self._signing_in = False
        self._sign_in_address = self._browser_problem = ""
        self.sign_in_hint.stop()

    def _on_connected(self, organisations: object) -> None:
        assert isinstance(organisations, list)
        self._end_sign_in()
        self._reconnect = False
        self._stored_grant = True
        self._set_organisations(organisations)
        if not organisations:
            self.connection_label.setText("Connected, but Xero granted no organisation.")
            self._say("Xero granted access to no organisation. Connect again and pick at "
                      "least one.", "error")
            self.connect_finished.emit(False)
            return
        self._show_connected()
        self._show_messages()
        self.connect_finished.emit(True)

    def _show_connected(self) -> None:
        count = len(self._organisations)
        where = "the demo Xero" if self._ctx.is_demo else "Xero"
        self.connection_label.setText(
            f"Connected to {where}: {count} organisation{'s' if count != 1 else ''} "
            "granted.")

    def _on_connect_failed(self, message: str) -> None:
        self._end_sign_in()
        self._stored_grant = self._stored_grant or self._ctx.vault.has_token()
        if self._reconnect:
            self.connection_label.setText(RECONNECT_NOTE)
        elif self._organisations:  # the earlier connection still stands
            self._show_connected()
        else:
            self.connection_label.setText("Not connected to Xero.")
        self._say(message, "error")
        self._refresh()
        self.connect_finished.emit(False)

    # -- remove organisation, sign out -----------------------------------------------------

    def _on_remove_clicked(self) -> None:
        organisation = self.current_organisation()
        if organisation is None or not confirm(
                self, "Remove organisation",
                f"Disconnect {organisation.name} from this app? Xero keeps all its data, "
                "and the app keeps its mappings for a later reconnect."):
            return
        ctx, connected = self._ctx, list(self._organisations)

        def remove(_report: Callable[[object], None], _stop: Callable[[], bool]) -> object:
            return ctx.remove_organisation(organisation, connected)

        def removed(result: object) -> None:
            assert isinstance(result, Disconnection)
            if result.signed_out:  # it was the last one
                self._on_signed_out(result)
                return
            self._on_connected(list(result.remaining))
            self._say(result.message, "success")
            self.disconnect_finished.emit(True)

        self._jobs.start(remove, removed, self._on_disconnect_failed)

    def _on_sign_out_clicked(self) -> None:
        if not confirm(self, "Sign out of Xero",
                        "End this app's access to Xero for every organisation and forget the "
                        "sign-in on this computer? Mappings and settings are kept."):
            return
        ctx = self._ctx

        def sign_out(_report: Callable[[object], None], _stop: Callable[[], bool]) -> object:
            return ctx.sign_out()

        self._jobs.start(sign_out, self._on_signed_out, self._on_disconnect_failed)

    def _on_signed_out(self, result: object) -> None:
        assert isinstance(result, Disconnection)
        self._reconnect = False
        self._stored_grant = False
        self._set_organisations([])
        self.connection_label.setText("Not connected to Xero.")
        self._say(result.message, "success" if result.complete else "info")
        self.disconnect_finished.emit(True)

    def _on_disconnect_failed(self, message: str) -> None:
        self._say(message, "error")
        self.disconnect_finished.emit(False)

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
        self.sync_box.set_keep_xero_names(self._saved.keep_xero_names)
        self._news = None  # it was about the organisation shown before
        self._show_messages()
        self.settings_saved.emit(self._saved)
        self._refresh()

    def _on_browse_clicked(self) -> None:
        start = self.clients_file_edit.text() or str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(
            self, "TimeSolv client file", start,
            "Client exports (*.csv *.txt *.xlsx *.xlsm);;CSV or text (*.csv *.txt);;"
            "Excel workbook (*.xlsx *.xlsm);;All files (*)")
        if chosen:
            self.clients_file_edit.setText(chosen)
            self._refresh()

    def _on_save_clicked(self) -> None:
        """Save the setup; with client sync enabled, read the client file first and say
        what it holds, or why it can't be used (then nothing is saved)."""
        settings = self._form_settings()
        if not settings.tenant_id:
            self._say("Connect to Xero and pick an organisation first.", "error")
            return
        if not settings.client_sync_enabled:
            self._save(settings, None)
            return
        if not settings.clients_file:
            self._say("Pick the TimeSolv client file before enabling client sync.", "error")
            return

        def read(_report: Callable[[object], None], _stop: Callable[[], bool]) -> ClientList:
            return load_clients(settings.clients_file)

        self.message_bar.show_message("Reading the client file…")
        self._jobs.start(read, lambda listed: self._save(settings, listed),
                         lambda message: self._say(message, "error"))

    def _save(self, settings: SyncSettings, listed: object) -> None:
        try:
            with self._store.transaction():
                self._store.settings.save_sync_settings(settings)
        except UserError as exc:  # the data file on a full disk, read-only, damaged
            self._say(exc.message, "error")
            return
        self._saved = settings
        self._say(saved_text(settings.clients_file,
                             listed if isinstance(listed, ClientList) else None), "success")
        self.settings_saved.emit(settings)
        self._refresh()

