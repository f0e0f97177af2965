"""What Setup says during a browser sign-in: where to sign in, and what to check if it is long.

Public API: SignInHint, WAITING_TEXT, sign_in_address_text().

The sign-in address is shown while Setup waits, to copy into a browser, whether or not one
was started (one that was may still not show the page): sign_in_address_text() says which.
It must be a browser on this computer: Xero sends the sign-in back to a loopback address.

Xero answers an unknown client id or a redirect URI that is not registered with an error page
of its own and never comes back to the app, so the app would only wait. After a delay (the
context's `sign_in_hint_delay`, 20 s by default) the hint names the exact redirect URI to
register and the app type; the address can be selected and copied.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from ..xero.auth import error_page_hint

WAITING_TEXT = "Still waiting for you to sign in to Xero."


def sign_in_address_text(browser_problem: str, demo: bool) -> str:
    """The words above the sign-in address: whether a browser was started, what to do."""
    where = "the demo Xero's" if demo else "Xero's"
    if browser_problem:
        return (f"{browser_problem} To sign in, copy this address into a web browser on this "
                "computer; Setup carries on by itself once you allow access:")
    return (f"Your web browser should now show {where} sign-in page. If it does not, copy "
            "this address into a web browser on this computer:")


class SignInHint(QLabel):
    """Hidden until a sign-in has waited `delay` seconds; hidden again when it ends."""

    shown = Signal(str)  # the hint's text, for tests and screenshots

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setStyleSheet("QLabel { background:#fff8e1; border:1px solid #e0c36a; "
                           "color:#5c4400; padding:6px 8px; border-radius:4px; }")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_hint)
        self._text = ""
        self.hide()

    def start(self, client_id: str, redirect_uri: str, delay: float) -> None:
        """A sign-in began: show the hint after `delay` seconds unless stop() comes first."""
        self._text = (f"{WAITING_TEXT} {error_page_hint(client_id, redirect_uri)} Fix it "
                      "there, then click Cancel sign-in and Connect to Xero again.")
        self.hide()
        self._timer.start(max(0, round(delay * 1000)))

    def stop(self) -> None:
        """The sign-in ended (connected, failed or cancelled)."""
        self._timer.stop()
        self.clear()
        self.hide()

    def _show_hint(self) -> None:
        self.setText(self._text)
        self.show()
        self.shown.emit(self._text)
