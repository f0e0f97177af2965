"""The real entry point: starts on the demo, stops cleanly; a bad data folder is a sentence."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QMessageBox

from xerosync_desktop.gui.app import main
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.store import Store
from xerosync_desktop.store.db import SCHEMA_VERSION


@pytest.fixture
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main() installs its own
    return shown


def test_the_app_starts_on_the_demo_and_stops_cleanly_on_sigterm(qtbot: QtBot,
                                                                  tmp_path: Path) -> None:
    """`xerosync-desktop --demo`, as `make run` starts it, in its own process."""
    paths = AppPaths.under(tmp_path)
    log = paths.log_dir / "xerosync.log"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    app = subprocess.Popen([sys.executable, "-m", "xerosync_desktop", "--demo", "--data-dir",
                            str(tmp_path)], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
    try:
        qtbot.waitUntil(lambda: log.exists() and "main window shown" in log.read_text(),
                        timeout=60_000)
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
    finally:
        app.kill()
        output = app.communicate()[0].decode(errors="replace")
    assert "Traceback" not in output
    text = log.read_text()
    assert "demo Xero sandbox listening on http://127.0.0.1:" in text
    assert text.rstrip().endswith("xerosync-desktop stopped")
    assert paths.demo_state.exists() and paths.database.exists()


def test_a_database_from_a_newer_version_is_explained(tmp_path: Path,
                                                      shown_errors: list[str]) -> None:
    paths = AppPaths.under(tmp_path).ensure()
    Store(paths.database).close()
    with sqlite3.connect(paths.database) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    assert main(["--data-dir", str(tmp_path)]) == 1
    assert len(shown_errors) == 1 and "newer version of xerosync-desktop" in shown_errors[0]


def test_a_data_folder_that_cannot_be_made_is_explained(tmp_path: Path,
                                                        shown_errors: list[str]) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    assert main(["--data-dir", str(blocker / "data")]) == 1
    assert len(shown_errors) == 1
    assert shown_errors[0].startswith(f"The data folder {blocker / 'data' / 'data'} cannot "
                                      "be created")
    assert "start with --data-dir pointing to one" in shown_errors[0]
