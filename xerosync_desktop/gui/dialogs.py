"""Dialogs and the message bar: how the app tells the user things.

Public API: MessageBar (from message_bar.py, where it lives), ask_save_path(), confirm(),
default_export_dir(), show_error(), install_excepthook(), ask_to_sync(),
ask_to_stop_syncing(), STOP_AND_QUIT, KEEP_SYNCING.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..errors import OutputPathError, UserError
from ..excel.output_path import checked_output
from .message_bar import MessageBar as MessageBar  # re-exported: the tabs import it here

log = logging.getLogger(__name__)


def ask_save_path(parent: QWidget, title: str, suggested: Path,
                  clients_file: str | Path | None, store_file: Path) -> Path | None:
    """A save dialog for an Excel file; None when cancelled. Adds `.xlsx` if missing; a path
    that is the client file or the app's store is refused with a warning, and asked again."""
    while True:
        chosen, _ = QFileDialog.getSaveFileName(parent, title, str(suggested),
                                                "Excel workbook (*.xlsx)")
        if not chosen:
            return None
        try:
            path = checked_output(chosen, clients_file, store_file)
        except OutputPathError as exc:
            QMessageBox.warning(parent, title, exc.message)
            suggested = Path(chosen).with_name(suggested.name)
            continue
        if path != Path(chosen) and path.exists() and not confirm(
                parent, title, f"{path.name} already exists in {path.parent}. Replace it?"):
            suggested = path
            continue  # the dialog asked about the name typed, not the one with .xlsx
        return path


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """A Yes/No question whose default is No; True only for Yes."""
    answer = QMessageBox.question(parent, title, text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


SYNC, GO_TO_MAPPING = "sync", "mapping"


def ask_to_sync(parent: QWidget, question: str, detail: str, waiting: int) -> str | None:
    """Sync to Xero's one question: SYNC, GO_TO_MAPPING (possible matches undecided), or
    None (cancelled). The default is the safe answer: Cancel, or Go to Mapping."""
    box = QMessageBox(QMessageBox.Icon.Question, "Sync to Xero", question,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(detail)
    sync = box.addButton("Sync the rest" if waiting else "Sync",
                         QMessageBox.ButtonRole.AcceptRole)
    mapping = box.addButton("Go to Mapping", QMessageBox.ButtonRole.ActionRole) \
        if waiting else None
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(mapping or cancel)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is sync:
        return SYNC
    if mapping is not None and clicked is mapping:
        return GO_TO_MAPPING
    return None


STOP_AND_QUIT, KEEP_SYNCING = "Stop after the call in flight and quit", "Keep syncing"


def ask_to_stop_syncing(parent: QWidget, organisation: str) -> bool:
    """Closing the window during a sync: True to stop after the call in flight and quit.
    The default is to keep syncing."""
    box = QMessageBox(QMessageBox.Icon.Question, "Quit xerosync",
                      f"A sync to {organisation} is running. Stop it after the call to Xero "
                      "in flight and quit?", QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText("Everything done so far is kept, and its log says how far it got; "
                           "sync again to carry on. Or keep syncing, and close the window "
                           "when it ends.")
    stop = box.addButton(STOP_AND_QUIT, QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton(KEEP_SYNCING, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is stop


def show_error(parent: QWidget | None, text: str) -> None:
    QMessageBox.critical(parent, "xerosync", text)


def install_excepthook(log_dir: Path) -> None:
    """Log anything unexpected on the GUI thread and tell the user where the details are; a
    UserError raised there (the store on a full disk) is shown as its own sentence."""

    def hook(kind: type[BaseException], error: BaseException,
             trace: TracebackType | None) -> None:
        if isinstance(error, UserError):  # a sentence for the user (a full disk, say)
            log.warning("on the GUI thread: %s", error.message)
            show_error(None, error.message)
            return
        log.error("unexpected error", exc_info=(kind, error, trace))
        show_error(None, "Something unexpected went wrong. The details are in the app's log "
                         f"file in {log_dir}.")

    sys.excepthook = hook


def default_export_dir() -> Path:
    """Where save dialogs start: the user's Documents folder, else home."""
    documents = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()
