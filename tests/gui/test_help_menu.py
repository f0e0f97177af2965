"""The Help menu: the steps, the data and log folders, About with the version."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from gui_helpers import demo_signed_in
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox

from xerosync_desktop import __version__
from xerosync_desktop.bootstrap import AppContext
from xerosync_desktop.core.model import Status
from xerosync_desktop.gui.help_dialog import HelpDialog
from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.paths import resource_path

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_the_one_in_pyproject() -> None:
    """One version: pyproject's, which the installed metadata and the package both carry."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert __version__ == pyproject["project"]["version"]
    assert metadata.version("xerosync-desktop") == __version__


def test_about_shows_the_version_what_it_runs_on_and_the_folders(
        qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    window.help_menu.about_action.trigger()
    about = window.help_menu.about_dialog
    assert about is not None
    qtbot.waitExposed(about)
    text = about.text_label.text()
    assert f"xerosync-desktop {__version__}</h2>" in text
    paths = ctx.paths
    for shown in (qVersion(), f"{sys.version_info.major}.{sys.version_info.minor}.",
                  str(paths.data_dir), str(paths.log_dir), "proprietary software",
                  "GNU LGPL version 3", "offscreen"):
        assert shown in text
    assert about.text_label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse

    qtbot.mouseClick(about.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(f"xerosync-desktop {__version__}\nPython: ")
    assert f"Data folder: {paths.data_dir}\nLog folder: {paths.log_dir}" in copied
    assert about.copy_button.text() == "Copied"

    window.help_menu.about_action.trigger()  # again: the same box, not a second one
    assert window.help_menu.about_dialog is about


def test_help_shows_the_steps_setup_mapping_sync(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.help_menu.help_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    text = dialog.browser.toPlainText()
    steps = [text.index(step) for step in ("1. Setup", "2. Mapping", "3. Sync")]
    assert steps == sorted(steps)
    assert "Tick Enable Client Sync and click Save" in text
    for status in Status:  # every status a row can have is explained
        assert f"{status.label}:" in text


def test_every_button_the_help_names_is_in_the_window(qtbot: QtBot,
                                                      window: MainWindow) -> None:
    """Help's **bold** words are the window's own labels: a renamed button fails here."""
    demo_signed_in(qtbot, window)  # Connect to Xero reads Cancel sign-in until then
    named = set(re.findall(r"\*\*(.+?)\*\*", resource_path("help.md").read_text()))
    labels = {button.text() for button in window.findChildren(QAbstractButton)}
    labels |= {action.text() for action in window.findChildren(QAction)}
    labels |= {window.tabs.tabText(index) for index in range(window.tabs.count())}
    labels = {label.replace("&", "") for label in labels}
    assert len(named) >= 15
    assert named - labels == set()


def test_a_help_file_that_cannot_be_read_is_explained(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A frozen app's resources folder whose help.md is not a file."""
    (tmp_path / "resources" / "help.md").mkdir(parents=True)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    dialog = HelpDialog()
    qtbot.addWidget(dialog)
    assert dialog.browser.toPlainText() == (
        f"The help file {tmp_path / 'resources' / 'help.md'} cannot be read (Is a directory)."
        " Reinstall xerosync-desktop to restore it; the steps are also in its README.")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    return urls


def test_open_data_folder_and_log_folder_open_them_in_the_file_manager(
        window: MainWindow, ctx: AppContext, opened: list[QUrl]) -> None:
    paths = ctx.paths
    window.help_menu.data_folder_action.trigger()
    window.help_menu.log_folder_action.trigger()
    assert opened == [QUrl.fromLocalFile(str(paths.data_dir)),
                      QUrl.fromLocalFile(str(paths.log_dir))]


def shown_box(qtbot: QtBot) -> QMessageBox:
    def box() -> QMessageBox | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, QMessageBox) and w.isVisible()), None)
    qtbot.waitUntil(lambda: box() is not None)
    found = box()
    assert found is not None
    return found


def test_a_folder_no_file_manager_opens_is_shown_as_a_path_to_copy(
        qtbot: QtBot, window: MainWindow, ctx: AppContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: False)
    window.help_menu.log_folder_action.trigger()
    box = shown_box(qtbot)
    assert box.text() == (f"No file manager could be opened for {ctx.paths.log_dir}. Open that "
                          "folder yourself: the path can be selected and copied here.")
    assert box.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    box.close()


def test_a_data_folder_deleted_since_the_start_is_said_so(
        qtbot: QtBot, window: MainWindow, ctx: AppContext, opened: list[QUrl]) -> None:
    data_dir = ctx.paths.data_dir
    moved = data_dir.rename(data_dir.with_name("moved"))
    try:
        window.help_menu.data_folder_action.trigger()
        box = shown_box(qtbot)
        assert box.text() == (f"{data_dir} does not exist any more. xerosync-desktop makes it "
                              "again when it next starts.")
        assert opened == []
        box.close()
    finally:
        moved.rename(data_dir)
