"""The Setup tab's choice of Xero: the demo, or real Xero through the firm's own Xero app.

Public API: XeroAppBox, XERO_APP_HELP.

The redirect URI to register can be selected or copied with Copy; the link to Xero's app
settings opens as browser.py opens addresses, and when no browser can be, the box says so
with the address to type (the help text can be selected too).
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..store import XeroApp
from .browser import open_in_browser

XERO_APP_HELP = (
    "To connect to your own Xero organisation, create a free Xero app once: sign in at "
    "<a href='https://developer.xero.com/app/manage'>developer.xero.com/app/manage</a>, "
    "click <b>New app</b>, choose <b>Mobile or desktop app</b> (it uses PKCE, so there is no "
    "client secret), and enter the redirect URI shown below exactly. Then copy the app's "
    "<b>Client id</b> here and click <b>Use these settings</b>.")
_CLIENT_ID = re.compile(r"[A-Za-z0-9]{16,64}")


class XeroAppBox(QGroupBox):
    """Demo or real Xero, the client id and the redirect port; applied as one choice."""

    apply_requested = Signal(object)  # XeroApp
    edited = Signal()  # the form changed: it may now differ from the Xero in use

    def __init__(self, current: XeroApp, parent: QWidget | None = None) -> None:
        super().__init__("Which Xero", parent)
        self._current = current
        self.demo_radio = QRadioButton("Demo: a local Xero sandbox with sample organisations "
                                       "(no Xero account needed)")
        self.real_radio = QRadioButton("My Xero organisation")
        group = QButtonGroup(self)
        group.addButton(self.demo_radio)
        group.addButton(self.real_radio)
        (self.demo_radio if current.demo else self.real_radio).setChecked(True)

        self.help_label = QLabel(XERO_APP_HELP)
        self.help_label.setWordWrap(True)
        self.help_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.help_label.linkActivated.connect(self._open_link)
        self.client_id_edit = QLineEdit(current.client_id)
        self.client_id_edit.setPlaceholderText("The Client id of your Xero app (32 characters)")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1024, 65535)
        self.port_spin.setValue(current.redirect_port)
        self.port_spin.setMaximumWidth(110)
        self.port_spin.setToolTip("Change it only if another program uses this port, and "
                                  "register the new redirect URI with your Xero app.")
        self.redirect_label = QLabel()
        self.redirect_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.copy_redirect_button = QPushButton("Copy")
        self.copy_redirect_button.setToolTip("Copy the redirect URI, to paste it into your "
                                             "Xero app's settings.")
        self.copy_redirect_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.choice().redirect_uri))
        self.apply_button = QPushButton("Use these settings")
        self.apply_button.clicked.connect(self._on_apply_clicked)
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet("QLabel { color:#842029; }")

        self.real_fields = QWidget()
        form = QFormLayout(self.real_fields)
        form.setContentsMargins(20, 0, 0, 0)
        form.addRow(self.help_label)
        form.addRow("Client id:", self.client_id_edit)
        form.addRow("Redirect port:", self.port_spin)
        redirect_row = QHBoxLayout()
        redirect_row.addWidget(self.redirect_label)
        redirect_row.addWidget(self.copy_redirect_button)
        redirect_row.addStretch(1)
        form.addRow("Redirect URI:", redirect_row)

        apply_row = QHBoxLayout()
        apply_row.addWidget(self.problem_label, 1)
        apply_row.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.demo_radio)
        layout.addWidget(self.real_radio)
        layout.addWidget(self.real_fields)
        layout.addLayout(apply_row)

        for signal in (self.demo_radio.toggled, self.client_id_edit.textChanged,
                       self.port_spin.valueChanged):
            signal.connect(self._refresh)
            signal.connect(self.edited)
        self._locked = False
        self._refresh()

    def choice(self) -> XeroApp:
        """What the form says now."""
        return XeroApp(demo=self.demo_radio.isChecked(),
                       client_id=self.client_id_edit.text().strip(),
                       redirect_port=self.port_spin.value())

    @property
    def pending(self) -> bool:
        """The form differs from the Xero in use: connecting now would use the old one."""
        choice = self.choice()
        return choice != self._current if not choice.demo else not self._current.demo

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        self._refresh()

    def _problem(self, choice: XeroApp) -> str:
        if choice.demo:
            return ""
        if not choice.client_id:
            return "Enter your Xero app's Client id."
        if not _CLIENT_ID.fullmatch(choice.client_id):
            return "A Client id is letters and digits only, as Xero shows it (32 characters)."
        return ""

    def _refresh(self, *_: object) -> None:
        choice = self.choice()
        self.real_fields.setVisible(not choice.demo)
        self.redirect_label.setText(f"<code>{choice.redirect_uri}</code>")
        problem = self._problem(choice)
        self.problem_label.setText(problem)
        self.apply_button.setEnabled(self.pending and not problem and not self._locked)
        for widget in (self.demo_radio, self.real_radio, self.client_id_edit, self.port_spin):
            widget.setEnabled(not self._locked)

    def _open_link(self, url: str) -> None:
        if problem := open_in_browser(url):
            self.problem_label.setText(f"{problem} Go to {url} in a web browser.")

    def _on_apply_clicked(self) -> None:
        choice = self.choice()
        if not self._problem(choice):
            self.apply_requested.emit(choice)

