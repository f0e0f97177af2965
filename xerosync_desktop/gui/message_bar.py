"""MessageBar: a tab's inline news, with the buttons that act on it.

Public API: MessageBar, MessageAction, COPY_ADDRESS_TEXT, COPIED_TEXT, OPEN_TEXT,
SHOW_IN_FOLDER_TEXT.

The news is never a modal box to click away. Its text can be selected and copied with the
mouse or the keyboard, and wraps to the width the tab has: a long word (an address, a
path) never widens the window. Three shapes:

- show_message(text, kind, actions) / show_error(text): a sentence, optionally with
  buttons (MessageAction) under it;
- show_address(text, address): an address to open elsewhere (a sign-in link), in a
  read-only field that scrolls, beside *Copy address*, which puts it on the clipboard;
- show_saved(text, path): after a save, *Open* and *Show in folder* (saved_file.py says
  what each does on each platform); if the file is gone by then, the bar says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .saved_file import open_saved, show_in_folder

COPY_ADDRESS_TEXT = "Copy address"
COPIED_TEXT = "Copied"
OPEN_TEXT = "Open"
SHOW_IN_FOLDER_TEXT = "Show in folder"

_STYLES = {
    "info": ("#e8f1fb", "#9cc0e8", "#0b3a66"),
    "success": ("#e7f6ea", "#8fd19e", "#0f5132"),
    "error": ("#fdecea", "#f5a3a3", "#842029"),
}


@dataclass(frozen=True)
class MessageAction:
    """A button under the message: its text and what a click does."""

    text: str
    triggered: Callable[[], None]


class MessageBar(QFrame):
    """An inline line of news under a tab's controls, with optional buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                           | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        wrapping = self.label.sizePolicy()  # its own width is ignored: it wraps to the bar's
        wrapping.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        self.label.setSizePolicy(wrapping)
        self.address_edit = QLineEdit()
        self.address_edit.setReadOnly(True)
        self.address_edit.setAccessibleName("Address")
        self.address_edit.hide()
        self._buttons: list[QPushButton] = []
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(self.address_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.label)
        layout.addLayout(self._row)
        self.kind = ""
        self.hide()

    def text(self) -> str:
        """The message shown ('' when none)."""
        return self.label.text()

    def buttons(self) -> list[QPushButton]:
        """The message's buttons, in order (for tests and screenshots)."""
        return list(self._buttons)

    def button(self, text: str) -> QPushButton | None:
        return next((b for b in self._buttons if b.text() == text), None)

    def show_message(self, text: str, kind: str = "info",
                     actions: Sequence[MessageAction] = ()) -> None:
        self._show(text, kind, "", actions)

    def show_error(self, text: str) -> None:
        """A failure, in words for the user (a job's `failed` signal connects here)."""
        self.show_message(text, "error")

    def show_address(self, text: str, address: str, kind: str = "info") -> None:
        """`text`, then `address` to select or copy with Copy address."""
        copy = MessageAction(COPY_ADDRESS_TEXT, lambda: self._copy(address))
        self._show(text, kind, address, (copy,))

    def show_saved(self, text: str, path: str | Path) -> None:
        """A file was saved: `text`, with Open and Show in folder."""
        self._show(text, "success", "", self._saved_actions(Path(path)))

    def clear_message(self) -> None:
        self._show("", "", "", ())
        self.hide()

    def _show(self, text: str, kind: str, address: str,
              actions: Sequence[MessageAction]) -> None:
        self.kind = kind
        self.label.setText(text)
        self.address_edit.setText(address)
        self.address_edit.setCursorPosition(0)  # the start of it: where it goes
        self.address_edit.setVisible(bool(address))
        while self._row.count() > 1:  # all but the address field
            item = self._row.takeAt(1)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        self._buttons = []
        for action in actions:
            button = QPushButton(action.text)
            button.setAutoDefault(False)
            button.clicked.connect(action.triggered)
            self._row.addWidget(button)
            self._buttons.append(button)
        if not address:
            self._row.addStretch(1)  # the buttons stay under the start of the text
        if kind:
            background, border, color = _STYLES[kind]
            self.setStyleSheet(
                f"QFrame#messageBar {{ background:{background}; border:1px solid {border}; "
                f"border-radius:4px; }} QFrame#messageBar > QLabel {{ color:{color}; }}")
            self.show()

    def _copy(self, address: str) -> None:
        QGuiApplication.clipboard().setText(address)
        copy = self.button(COPY_ADDRESS_TEXT)
        if copy is not None:
            copy.setText(COPIED_TEXT)

    def _saved_actions(self, path: Path) -> tuple[MessageAction, MessageAction]:
        return (MessageAction(OPEN_TEXT, lambda: self._act(open_saved, path)),
                MessageAction(SHOW_IN_FOLDER_TEXT, lambda: self._act(show_in_folder, path)))

    def _act(self, action: Callable[[Path], str], path: Path) -> None:
        """Open or Show in folder; when it cannot be done, say why and keep both buttons."""
        if problem := action(path):
            self._show(problem, "error", "", self._saved_actions(path))
