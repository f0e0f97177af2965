"""JobTab: what the three tabs share: one background job at a time, locked by the others'.

Public API: JobTab.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from .worker import JobRunner


class JobTab(QWidget):
    """A tab that runs jobs through its own JobRunner and can be locked by the window."""

    busy_changed = Signal(bool)
    authorization_lost = Signal()  # Xero refused the connection: Setup must reconnect

    def __init__(self, log_dir: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._locked = False
        self._jobs = JobRunner(log_dir, self)
        self._jobs.busy_changed.connect(self._refresh)
        self._jobs.busy_changed.connect(self.busy_changed)
        self._jobs.authorization_lost.connect(self.authorization_lost)

    @property
    def busy(self) -> bool:
        return self._jobs.busy

    def set_locked(self, locked: bool) -> None:
        """Another tab's job is running: start nothing here that could race it. Once it has
        ended, a tab in view brings itself up to date (what went stale under that job)."""
        unlocked = self._locked and not locked
        self._locked = locked
        self._refresh()
        if unlocked and self.isVisible():
            self.bring_up_to_date()

    def bring_up_to_date(self) -> None:
        """In view and free: read again what has gone stale, if anything (each tab says
        what; the window calls it when the tab is shown)."""

    def shutdown(self) -> None:
        """Cancel this tab's job and wait for it: the window is closing."""
        self._jobs.shutdown()

    def _refresh(self, *_: object) -> None:
        """Enable what can be done now; each tab says what that is."""
