"""Open a file the app saved, or show it in its folder: the two actions after a download.

Public API: open_saved(), show_in_folder(), reveal_command().

Open hands the file to the program the system opens it with (a workbook: Excel, Numbers or
LibreOffice Calc). Show in folder: on Windows, Explorer opens the folder with the file
selected (`explorer /select,`); on macOS, Finder reveals it (`open -R`); on Linux and other
systems the folder opens in the file manager, without the file selected (no one way of
selecting a file works across Linux file managers). Each returns '' when done, else a
sentence saying what happened and what to do: the file was moved or deleted since, or no
program opens it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess, QUrl
from PySide6.QtGui import QDesktopServices


def reveal_command(path: Path, platform: str = sys.platform) -> tuple[str, list[str]] | None:
    """The command that shows `path` selected in its folder, or None where there is none."""
    if platform.startswith("win"):
        return "explorer", ["/select,", str(path)]
    if platform == "darwin":
        return "open", ["-R", str(path)]
    return None


def _gone(path: Path) -> str:
    if path.is_file():
        return ""
    if path.parent.is_dir():
        return (f"{path.name} is no longer in {path.parent}: it was moved, renamed or deleted "
                "since it was saved. Download it again.")
    return (f"The folder {path.parent} is no longer there, so {path.name} cannot be opened. "
            "Download it again.")


def open_saved(path: Path) -> str:
    """Open the file in the program the system opens it with."""
    if problem := _gone(path):
        return problem
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return ""
    return (f"No program on this computer opened {path.name}. Open it from {path.parent} "
            "with a spreadsheet program (Excel, Numbers or LibreOffice Calc).")


def show_in_folder(path: Path) -> str:
    """Show the folder holding the file: selected in it on Windows and macOS."""
    if problem := _gone(path):
        return problem
    command = reveal_command(path)
    if command is not None and QProcess.startDetached(command[0], command[1])[0]:
        return ""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))):
        return ""
    return (f"No file manager opened the folder {path.parent}. {path.name} is there; open "
            "the folder yourself.")
