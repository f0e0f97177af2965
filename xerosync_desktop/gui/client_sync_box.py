"""Setup's third box: Enable Client Sync, whose name wins, Save, and the review link.

Public API: ClientSyncBox, RENAME_TEXT, KEEP_TEXT.

Whose name wins is a per-organisation choice for a client linked to a Xero contact named
otherwise: rename the contact to the TimeSolv name (the default, as the help article's sync
does) or keep the name already in Xero. The review's Name in Xero column and the sync
follow it (SyncSettings.keep_xero_names).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

RENAME_TEXT = "Rename the Xero contact to the TimeSolv name"
KEEP_TEXT = "Keep the name already in Xero"


class ClientSyncBox(QGroupBox):
    """The widgets of '3. Client sync'; the Setup tab wires and enables them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("3. Client sync", parent)
        self.enable_checkbox = QCheckBox("&Enable Client Sync")
        self.enable_checkbox.setToolTip("Sync TimeSolv clients to Xero as contacts. Contacts "
                                        "are synced before anything else.")
        self.names_combo = QComboBox()
        self.names_combo.addItem(RENAME_TEXT, False)
        self.names_combo.addItem(KEEP_TEXT, True)
        self.names_combo.setToolTip("For a client linked to a Xero contact whose name "
                                    "differs: which name the contact has after a sync.")
        names_label = QLabel("When a linked Xero contact's &name differs:")
        names_label.setBuddy(self.names_combo)
        self.save_button = QPushButton("&Save")
        self.review_button = QPushButton(
            "Review the mapping of TimeSolv Clients to existing Xero Contacts")
        self.review_button.setFlat(True)
        self.review_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.review_button.setStyleSheet(
            "QPushButton { color:#0b63c5; text-decoration: underline; text-align:left; }"
            "QPushButton:disabled { color:#8a8a8a; }")

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Sync TimeSolv clients to Xero as contacts before anything "
                                "else. Prospect clients are never synced."))
        names_row = QHBoxLayout()
        names_row.addWidget(names_label)
        names_row.addWidget(self.names_combo)
        names_row.addStretch(1)
        layout.addLayout(names_row)
        save_row = QHBoxLayout()
        save_row.addWidget(self.enable_checkbox)
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        layout.addLayout(save_row)
        layout.addWidget(self.review_button)

    @property
    def keep_xero_names(self) -> bool:
        return bool(self.names_combo.currentData())

    def set_keep_xero_names(self, keep: bool) -> None:
        self.names_combo.setCurrentIndex(1 if keep else 0)
