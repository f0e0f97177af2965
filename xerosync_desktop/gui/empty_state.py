"""A line in the middle of an empty table saying why it is empty and what to do.

Public API: EmptyState.

A filter that matches nothing, or a review not loaded yet, would otherwise show a blank
grid that looks like a fault.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel


class EmptyState(QObject):
    """Shows `text()` over `view` whenever its model has no rows (and `text()` is not '')."""

    def __init__(self, view: QAbstractItemView, text: Callable[[], str]) -> None:
        super().__init__(view)
        self._view = view
        self._text = text
        self.label = QLabel(view.viewport())
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("QLabel { color: palette(placeholder-text); padding: 24px; }")
        self.label.hide()
        view.viewport().installEventFilter(self)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                       model.layoutChanged):
            signal.connect(self.update)
        self.update()

    def update(self, *_: object) -> None:
        """Show or hide the line as the model now stands."""
        text = self._text() if self._view.model().rowCount() == 0 else ""
        self.label.setText(text)
        self.label.setVisible(bool(text))
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def _fit(self) -> None:
        self.label.setGeometry(self._view.viewport().rect())
