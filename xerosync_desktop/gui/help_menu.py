"""The window's Help menu: the steps, the data and log folders, About.

Public API: add_help_menu(), HelpMenu.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from ..paths import APP_NAME, AppPaths
from .about import AboutDialog
from .help_dialog import HelpDialog


class HelpMenu(QObject):
    """The menu's actions, and the one Help and About window each opens (shown again if open)."""

    def __init__(self, window: QMainWindow, paths: AppPaths) -> None:
        super().__init__(window)
        self._window = window
        self._paths = paths
        self.help_dialog: HelpDialog | None = None
        self.about_dialog: AboutDialog | None = None
        self.menu = window.menuBar().addMenu("&Help")
        self.help_action = self.menu.addAction("xerosync &Help")
        self.help_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.menu.addSeparator()
        self.data_folder_action = self.menu.addAction("Open &Data Folder")
        self.data_folder_action.setStatusTip(str(paths.data_dir))
        self.log_folder_action = self.menu.addAction("Open &Log Folder")
        self.log_folder_action.setStatusTip(str(paths.log_dir))
        self.menu.addSeparator()
        self.about_action = self.menu.addAction(f"&About {APP_NAME}")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

        self.help_action.triggered.connect(self.show_help)
        self.data_folder_action.triggered.connect(lambda: self.open_folder(paths.data_dir))
        self.log_folder_action.triggered.connect(lambda: self.open_folder(paths.log_dir))
        self.about_action.triggered.connect(self.show_about)

    def show_help(self) -> None:
        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self._window)
        self.help_dialog.show()
        self.help_dialog.raise_()
        self.help_dialog.activateWindow()

    def show_about(self) -> None:
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self._paths, self._window)
        self.about_dialog.show()
        self.about_dialog.raise_()
        self.about_dialog.activateWindow()

    def open_folder(self, folder: Path) -> None:
        """In the desktop's file manager; where none opens it, the path to open by hand."""
        if not folder.is_dir():
            self._tell(f"{folder} does not exist any more. {APP_NAME} makes it again when it "
                       "next starts.")
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._tell(f"No file manager could be opened for {folder}. Open that folder "
                       "yourself: the path can be selected and copied here.")

    def _tell(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, text,
                          QMessageBox.StandardButton.Ok, self._window)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()


def add_help_menu(window: QMainWindow, paths: AppPaths) -> HelpMenu:
    """Add the Help menu to `window`'s menu bar."""
    return HelpMenu(window, paths)
