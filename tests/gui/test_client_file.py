"""A real client file in the window: Save says what it holds, the review shows the rows that
need attention with their reason, and no save dialog can overwrite the client file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gui_helpers import TIMEOUT, click, demo_signed_in, shown_rows
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QFileDialog, QMessageBox

from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.gui.mapping_tab import MappingTab

CLIENTS = ("Client report\n\nClient ID;Client Name;Status\n"
           "00010;Acme Holdings LLC;Active\n"
           "00020;;Active\n"            # row 5: no name
           "00030;Brand New Co;Dormant\n"  # row 6: unknown status
           "00040;Fresh Start LLC;Active\n"
           "00050;Quiet Prospect;Prospect\n"
           "Total;4\n")                 # row 9: a footer


def pick_and_save(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch,
                  path: Path, browser: Any) -> None:
    """Connect, pick `path` as the client file, tick Enable Client Sync (not saved yet)."""
    setup = window.setup_tab
    demo_signed_in(qtbot, window)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    click(qtbot, setup.browse_button)
    setup.enable_checkbox.setChecked(True)


def reviewed(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, path: Path,
             browser: Any) -> MappingTab:
    """Set `path` up, save, and open the review of it."""
    pick_and_save(qtbot, window, monkeypatch, path, browser)
    setup = window.setup_tab
    with qtbot.waitSignal(setup.settings_saved, timeout=TIMEOUT):
        click(qtbot, setup.save_button)
    with qtbot.waitSignal(window.mapping_tab.review_loaded, timeout=TIMEOUT):
        click(qtbot, setup.review_button)
    return window.mapping_tab


def test_save_reads_the_file_and_the_review_lists_what_needs_attention(
        qtbot: QtBot, window: MainWindow, tmp_path: Path, browser: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    clients = tmp_path / "clients.csv"
    clients.write_bytes(b"\xef\xbb\xbf" + CLIENTS.encode())
    setup = window.setup_tab
    pick_and_save(qtbot, window, monkeypatch, clients, browser)
    with qtbot.waitSignal(setup.settings_saved, timeout=TIMEOUT):
        click(qtbot, setup.save_button)
    assert setup.message_bar.text() == (
        "Saved. clients.csv: 6 clients: 2 to sync, 1 prospect, 3 need attention. The Mapping "
        "tab lists the rows that need attention, with the reason. Client sync is enabled for "
        "Demo Company (US). Next, review the mapping of TimeSolv clients to Xero contacts.")

    mapping = window.mapping_tab
    with qtbot.waitSignal(mapping.review_loaded, timeout=TIMEOUT):
        click(qtbot, setup.review_button)
    rows = shown_rows(window)
    attention = [r for r in rows if r["Status"] == "Needs attention"]
    assert [(r["Source Row"], r["Client ID"], r["TimeSolv Client"]) for r in attention] == [
        ("5", "00020", ""), ("6", "00030", "Brand New Co"), ("9", "Total", "4")]
    assert "no Client Name" in attention[0]["Note"]
    assert "'Dormant' is not Active, Inactive or Prospect" in attention[1]["Note"]
    assert "totals line" in attention[2]["Note"]
    assert mapping.message_bar.text().startswith(
        "6 clients: 2 to sync, 1 prospect, 3 need attention. 3 rows of the client file need "
        "attention and will not be synced until corrected")
    assert "3 Needs attention" in mapping.counts_label.text()
    mapping.status_combo.setCurrentIndex(mapping.status_combo.findText("Needs attention"))
    assert [r["Client ID"] for r in shown_rows(window)] == ["00020", "00030", "Total"]
    assert not mapping.detail_label.isVisible()
    mapping.table.setCurrentIndex(mapping.model.index(1, 0))  # as a click on the row does
    assert mapping.detail_label.isVisible()
    assert mapping.detail_label.text().startswith("<b>Row 6 · 00030 Brand New Co</b>: The "
                                                  "status &#x27;Dormant&#x27; is not Active")

    # the save dialog given the CSV itself: `.xlsx` is added, so the CSV is never written
    csv_bytes = clients.read_bytes()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(clients), ""))
    with qtbot.waitSignal(mapping.export_finished, timeout=TIMEOUT) as saved:
        click(qtbot, mapping.download_button)
    assert saved.args == [f"{clients}.xlsx"]
    assert clients.read_bytes() == csv_bytes
    sheet = load_workbook(tmp_path / "clients.csv.xlsx")["Needs attention"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [5, 6, 9]


def test_the_review_download_refuses_an_xlsx_client_file(
        qtbot: QtBot, window: MainWindow, tmp_path: Path, browser: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import Workbook

    clients = tmp_path / "clients.xlsx"
    workbook = Workbook()
    workbook.active.append(["Client ID", "Client Name"])
    workbook.active.append(["1", "Acme Holdings LLC"])
    workbook.save(clients)
    original = clients.read_bytes()
    mapping = reviewed(qtbot, window, monkeypatch, clients, browser)

    answers = iter([(str(clients), ""), (str(tmp_path / "review"), "")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: next(answers))
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: warnings.append(text))
    with qtbot.waitSignal(mapping.export_finished, timeout=TIMEOUT) as saved:
        click(qtbot, mapping.download_button)
    assert len(warnings) == 1 and "is the TimeSolv client file the app reads" in warnings[0]
    assert saved.args == [str(tmp_path / "review.xlsx")]
    assert clients.read_bytes() == original


def test_save_refuses_a_file_that_cannot_be_used(
        qtbot: QtBot, window: MainWindow, tmp_path: Path, browser: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    clients = tmp_path / "clients.csv"
    clients.write_text("Name;Email\nAcme;a@b.example\n", encoding="utf-8")
    setup = window.setup_tab
    pick_and_save(qtbot, window, monkeypatch, clients, browser)
    with qtbot.assertNotEmitted(setup.settings_saved, wait=200):
        click(qtbot, setup.save_button)
        qtbot.waitUntil(lambda: setup.message_bar.kind == "error", timeout=TIMEOUT)
    assert "has no header row naming a 'Client ID' and a 'Client Name' column" in \
        setup.message_bar.text()
    assert not setup.review_button.isEnabled()


def test_a_name_given_without_xlsx_asks_before_replacing_that_workbook(
        qtbot: QtBot, window: MainWindow, tmp_path: Path, browser: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    clients = tmp_path / "clients.csv"
    clients.write_text("Client ID,Client Name\n1,Acme Holdings LLC\n", encoding="utf-8")
    mapping = reviewed(qtbot, window, monkeypatch, clients, browser)
    kept = tmp_path / "review.xlsx"
    kept.write_bytes(b"an earlier review")
    answers = iter([(str(tmp_path / "review"), ""), (str(tmp_path / "other"), "")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: next(answers))
    asked: list[str] = []

    def no(_parent: object, _title: str, text: str, *_: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    with qtbot.waitSignal(mapping.export_finished, timeout=TIMEOUT) as saved:
        click(qtbot, mapping.download_button)
    assert asked == [f"review.xlsx already exists in {tmp_path}. Replace it?"]
    assert saved.args == [str(tmp_path / "other.xlsx")]
    assert kept.read_bytes() == b"an earlier review"
