"""Help: the bookkeeper's steps (Setup, Mapping, Sync) in a window beside the app.

Public API: HelpDialog, HELP_FILE.

The text is `resources/help.md`, rendered by Qt's Markdown support, so it is written and
reviewed as a document, not as strings in code; a test holds every button it names to the
window's own labels.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ..paths import resource_path

HELP_FILE = "help.md"


class HelpDialog(QDialog):
    """Not modal: the steps stay open while the user works in the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("xerosync Help")
        self.resize(640, 620)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        path = resource_path(HELP_FILE)
        try:
            self.browser.setMarkdown(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.browser.setPlainText(
                f"The help file {path} cannot be read ({getattr(exc, 'strerror', None) or exc}"
                "). Reinstall xerosync-desktop to restore it; the steps are also in its "
                "README.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
