"""What the GUI tests share: clicking as a user does, the sign-in, watching for secrets."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from xerosync_desktop.bootstrap import AppContext
from xerosync_desktop.gui import setup_tab
from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.gui.sync_tab import SyncTab
from xerosync_desktop.xero.auth import AuthorizationRequest, start_authorization

US = "Demo Company (US)"
TIMEOUT = 30_000



class Answerer(QObject):
    """Answers each message box that offers `answer` (or Yes) by clicking it, as a user
    would, and keeps what each asked: (text, informative text). Installed on the
    application; a box offering neither is left to the test."""

    def __init__(self, answer: str = "Sync") -> None:
        super().__init__()
        self.answer = answer
        self.asked: list[tuple[str, str]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Show and isinstance(watched, QMessageBox):
            wanted = {self.answer, f"{self.answer} the rest", "&Yes", "Yes"}
            button = next((b for b in watched.buttons() if b.text() in wanted), None)
            if button is not None:
                self.asked.append((watched.text(), watched.informativeText()))
                QTimer.singleShot(0, button.click)
        return False


def start_sync(qtbot: QtBot, tab: SyncTab) -> None:
    """Click Sync to Xero once the preview being made (if any) is shown."""
    qtbot.waitUntil(lambda: not tab.busy, timeout=TIMEOUT)
    click(qtbot, tab.sync_button)


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def shown_rows(window: MainWindow) -> list[dict[str, str]]:
    """The mapping table as the user sees it, through the filter."""
    proxy = window.mapping_tab.model
    headers = [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(proxy.columnCount())]
    return [{headers[c]: proxy.data(proxy.index(r, c)) for c in range(proxy.columnCount())}
            for r in range(proxy.rowCount())]


def save_dialog_returns(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """The save dialog answers `path`; the list fills with the names the app suggested."""
    suggested: list[str] = []

    def answer(_parent: object, _title: str, start: str, *_rest: object) -> tuple[str, str]:
        suggested.append(Path(start).name)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    return suggested


def spy_on_secrets(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every PKCE verifier, state and token the app handles, recorded as it passes by."""
    seen: list[str] = []
    save = ctx.vault.save

    def recording_save(token: dict[str, Any]) -> None:
        seen.extend(str(token[k]) for k in ("access_token", "refresh_token", "id_token")
                    if token.get(k))
        save(token)

    def recording_start(*args: Any) -> AuthorizationRequest:
        request = start_authorization(*args)
        seen.extend([request.verifier, request.state])
        return request

    monkeypatch.setattr(ctx.vault, "save", recording_save)
    monkeypatch.setattr(setup_tab, "start_authorization", recording_start)
    return seen


def demo_signed_in(qtbot: QtBot, window: MainWindow) -> None:
    """The demo signs itself in as the window opens: wait for that, as a user would."""
    setup = window.setup_tab
    if setup.busy or not setup.connected:  # its outcome is delivered only from here on
        with qtbot.waitSignal(setup.connect_finished, timeout=TIMEOUT) as connected:
            pass
        assert connected.args == [True], setup.message_bar.text()
    assert setup.connected and not setup.busy


def connect_and_save(qtbot: QtBot, window: MainWindow, organisation: str = US) -> None:
    setup = window.setup_tab
    demo_signed_in(qtbot, window)
    names = [setup.organisation_combo.itemText(i) for i in range(setup.organisation_combo.count())]
    assert names == ["Demo Company (US)", "Demo Company (Global)"]
    setup.organisation_combo.setCurrentIndex(names.index(organisation))
    assert setup.clients_file_edit.text().endswith("timesolv_clients.csv")
    assert not window.tabs.isTabEnabled(window.tabs.indexOf(window.sync_tab))
    setup.enable_checkbox.setChecked(True)
    assert not setup.review_button.isEnabled()  # not saved yet
    with qtbot.waitSignal(setup.settings_saved, timeout=TIMEOUT):
        click(qtbot, setup.save_button)
    assert "Client sync is enabled" in setup.message_bar.text()
    assert window.tabs.isTabEnabled(window.tabs.indexOf(window.sync_tab))


def damage_database(database: Path) -> None:
    """Overwrite part of every page of the app's data file but the first (its header and
    schema): what a failing disk leaves."""
    with sqlite3.connect(database) as conn:  # every page in the file, none in the WAL
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with database.open("r+b") as file:
        size = file.seek(0, 2)
        for page in range(1, size // 4096):
            file.seek(page * 4096 + 100)
            file.write(b"\xde\xad\xbe\xef" * 64)


def connect_and_save_picked_file(qtbot: QtBot, window: MainWindow) -> None:
    """Connect to Xero, pick the file the (patched) file dialog returns, enable client
    sync and save: Setup done with a client file of the test's own."""
    setup = window.setup_tab
    with qtbot.waitSignal(setup.connect_finished, timeout=TIMEOUT):
        click(qtbot, setup.connect_button)
    click(qtbot, setup.browse_button)
    setup.enable_checkbox.setChecked(True)
    with qtbot.waitSignal(setup.settings_saved, timeout=TIMEOUT):
        click(qtbot, setup.save_button)
