"""About xerosync-desktop: the version, what it runs on, where its data and logs are.

Public API: AboutDialog, about_details(), licence_text().

What support asks for first, selectable and copied in one click. The version is the
package's (`xerosync_desktop.__version__`, the one in pyproject.toml); the summary and
licence come from the installed package's metadata, so they are said once, in pyproject.
"""

from __future__ import annotations

import platform
from html import escape
from importlib import metadata

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..paths import APP_NAME, AppPaths

QT_LICENCE = "Qt and Qt for Python (PySide6) are used under the GNU LGPL version 3."


def _package_metadata(field: str) -> str:
    """A field of the installed package's metadata; "" where there is none (a bare tree)."""
    try:
        values = metadata.metadata(APP_NAME).get_all(field)
    except metadata.PackageNotFoundError:
        return ""
    return str(values[0]) if values else ""


def licence_text() -> str:
    """The product's licence, from pyproject's `license`, then Qt's."""
    expression = _package_metadata("License-Expression")
    name = expression.removeprefix("LicenseRef-")
    own = f"{APP_NAME} is {name.lower()} software. " if name != expression else (
        f"{APP_NAME} is licensed under {expression}. " if expression else "")
    return own + QT_LICENCE


def about_details(paths: AppPaths) -> list[tuple[str, str]]:
    """(label, value) lines: what it runs on, its folders (the version heads the box)."""
    return [
        ("Python", platform.python_version()),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Window system", QGuiApplication.platformName() or "none"),
        ("System", platform.platform()),
        ("Data folder", str(paths.data_dir)),
        ("Log folder", str(paths.log_dir)),
    ]


class AboutDialog(QDialog):
    """The details as selectable text, a licence line, Copy details and Close."""

    def __init__(self, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        self.details = about_details(paths)
        summary = _package_metadata("Summary")
        rows = "".join(f"<tr><td style='padding-right:12px'>{label}:</td><td>{escape(value)}"
                       "</td></tr>" for label, value in self.details)
        self.text_label = QLabel(
            f"<h2>{APP_NAME} {__version__}</h2>"
            + (f"<p>{escape(summary)}</p>" if summary else "")
            + f"<table>{rows}</table><p>{escape(licence_text())}</p>")
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.copy_button = QPushButton("&Copy details")
        self.copy_button.setToolTip("Copy the version and folders, to paste into a message "
                                    "to support.")
        self.copy_button.clicked.connect(self.copy_details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def plain_text(self) -> str:
        lines = [f"{APP_NAME} {__version__}"]
        lines += [f"{label}: {value}" for label, value in self.details]
        return "\n".join(lines)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.plain_text())
        self.copy_button.setText("Copied")
