"""Review and log workbooks: layout, text kept as text, nothing half-written."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xerosync_desktop.core.matcher import build_review
from xerosync_desktop.core.model import Client, ClientStatus, Contact, ContactStatus
from xerosync_desktop.errors import UserError
from xerosync_desktop.excel.export import LOG_COLUMNS, REVIEW_COLUMNS, write_log, write_review
from xerosync_desktop.excel.run_sheet import moment_text, size_text
from xerosync_desktop.store.runs import RunRecord
from xerosync_desktop.sync.events import Level, LogEntry


def test_review_workbook(tmp_path: Path) -> None:
    clients = [Client("00010", "=HYPERLINK(\"http://x\")", ClientStatus.ACTIVE, source_row=2),
               Client("00020", "Acme", ClientStatus.ACTIVE, source_row=3)]
    rows = build_review(clients, [Contact("c-1", "ACME"), Contact("c-2", "@Lonely")], {})
    path = tmp_path / "review.xlsx"
    write_review(path, rows)

    workbook = load_workbook(path)
    assert workbook.sheetnames[0] == "Review"
    sheet = workbook["Review"]
    assert [c.value for c in sheet[1]] == list(REVIEW_COLUMNS) == [
        "Status", "TimeSolv Client", "Client ID", "Xero Contact", "Name in Xero", "Note",
        "Suggested Xero contact", "Suggestion reason", "Xero ContactID", "Source Row"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J4"
    header = list(REVIEW_COLUMNS)
    values = [dict(zip(header, (c.value for c in row), strict=True))
              for row in sheet.iter_rows(min_row=2)]
    picked = ("Source Row", "Client ID", "TimeSolv Client", "Name in Xero", "Xero Contact",
              "Xero ContactID", "Status")
    assert [values[0][h] for h in picked[:4]] == [
        2, "00010", "=HYPERLINK(\"http://x\")", "=HYPERLINK(\"http://x\")"]
    assert sheet.cell(row=2, column=header.index("TimeSolv Client") + 1).data_type == "s"
    assert [values[1][h] for h in picked[1:]] == ["00020", "Acme", "Acme", "ACME", "c-1",
                                                  "Matched"]
    assert values[2]["Xero Contact"] == "@Lonely"
    assert values[2]["Status"] == "Will remain in Xero unmatched"
    assert sheet.column_dimensions["B"].width >= len("=HYPERLINK(\"http://x\")")
    # no suggestion: empty cells
    assert values[1]["Suggested Xero contact"] is None and values[1]["Suggestion reason"] is None


def test_review_workbook_names_a_possible_matchs_suggestion(tmp_path: Path) -> None:
    clients = [Client("00010", "Acme Holdings", ClientStatus.ACTIVE, source_row=2),
               Client("00020", "Beta Partners", ClientStatus.ACTIVE, source_row=3),
               Client("00030", "=Gamma", ClientStatus.ACTIVE, source_row=4)]
    contacts = [Contact("c-1", "Acme Holdings Ltd"),
                Contact("c-2", "Partners, Beta", ContactStatus.ARCHIVED),
                Contact("c-3", "=Gamma Inc")]
    path = tmp_path / "review.xlsx"
    write_review(path, build_review(clients, contacts, {}))

    sheet = load_workbook(path)["Review"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True))
            for row in sheet.iter_rows(min_row=2)]
    assert [(r["Source Row"], r["Status"], r["Suggested Xero contact"], r["Suggestion reason"])
            for r in rows[:3]] == [
        (2, "Possible match", "Acme Holdings Ltd",
         "Same name apart from case, accents, punctuation and legal form"),
        (3, "Possible match", "Partners, Beta", "Same words in another order (archived in Xero)"),
        (4, "Possible match", "=Gamma Inc",
         "Same name apart from case, accents, punctuation and legal form")]
    column = header.index("Suggested Xero contact") + 1
    assert sheet.cell(row=4, column=column).data_type == "s"  # text, not a formula
    assert header.index("Suggested Xero contact") == header.index("Note") + 1


def test_log_workbook_has_every_entry_and_the_run(tmp_path: Path) -> None:
    start = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    entries = [LogEntry(time=start, level=Level.INFO, action="Created", message=f"entry {i}",
                        client_id=f"{i:05}", client_name=f"Client {i}", contact_id=f"id-{i}")
               for i in range(120)]
    entries.append(LogEntry(time=start, level=Level.INFO, action="Updated", message="x",
                            client_id="u", changes=("Email: a@x -> b@x", "=Phone: -> 1")))
    run = RunRecord(run_id=1, tenant_id="t", tenant_name="Demo Company (US)",
                    source_file="clients.csv", started_at=start,
                    finished_at=start + timedelta(seconds=3725), outcome="finished",
                    created=120, updated=1, skipped=0, failed=0, message="")
    path = tmp_path / "log.xlsx"
    write_log(path, entries, run)

    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Log", "Run"]
    log_sheet = workbook["Log"]
    assert [c.value for c in log_sheet[1]] == list(LOG_COLUMNS) == [
        "Time", "Result", "Client ID", "TimeSolv Client", "Action", "Xero ContactID", "Changes",
        "Message"]
    assert log_sheet.max_row == 122
    assert log_sheet.cell(row=121, column=8).value == "entry 119"
    assert log_sheet.cell(row=2, column=1).value == moment_text(start)
    assert re.fullmatch(r"2026-11-2[34] \d\d:\d\d:00 [+-]\d\d:\d\d",
                        log_sheet.cell(row=2, column=1).value)
    update = log_sheet[122]
    assert update[1].value == "Updated"
    assert update[6].value == "Email: a@x -> b@x\n=Phone: -> 1"  # text, one change a line
    assert update[6].data_type == "s" and update[6].alignment.wrap_text
    run_sheet = {row[0].value: row[1].value for row in workbook["Run"].iter_rows(min_row=2)}
    assert run_sheet["Organisation"] == "Demo Company (US)"
    assert run_sheet["Created"] == 120 and run_sheet["Log entries"] == 121
    assert run_sheet["Duration"] == "1:02:05.0"
    # a run recorded by an earlier version: what it did not record is blank, not guessed
    assert run_sheet["Client file"] == "clients.csv"
    for unknown in ("Xero", "Client file size", "Client file modified", "Client file SHA-256",
                    "App version", "Waiting for a decision (of the skipped)"):
        assert run_sheet[unknown] is None, unknown


def test_an_unfinished_runs_counts_come_from_its_log(tmp_path: Path) -> None:
    """A run whose process was killed stored no counts: the sheet counts its lines."""
    start = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    actions = ["Started", "Created", "Created", "Unchanged", "Needs attention", "Skipped",
               "Failed", "Waiting"]
    entries = [LogEntry(start, Level.INFO, action, "m", client_id=str(i))
               for i, action in enumerate(actions)]
    run = RunRecord(run_id=1, tenant_id="t", tenant_name="Org", source_file="/c.csv",
                    started_at=start, finished_at=start, outcome="interrupted", created=0,
                    updated=0, skipped=0, failed=0, message="The process ended.")
    path = tmp_path / "log.xlsx"
    write_log(path, entries, run)
    workbook = load_workbook(path)
    results = [row[1].value for row in workbook["Log"].iter_rows(min_row=2)]
    assert results == [None, "Created", "Created", "Unchanged", "Skipped", "Skipped",
                       "Failed", None]
    run_sheet = dict(workbook["Run"].iter_rows(min_row=2, values_only=True))
    assert run_sheet["Outcome"] == "Interrupted"
    assert [run_sheet[name] for name in ("Created", "Updated", "Unchanged", "Skipped",
                                         "Need attention (of the skipped)", "Failed")] == [
        2, 0, 1, 2, 1, 1]
    assert run_sheet["Counts"].startswith("Counted from the log's lines")


@pytest.mark.parametrize(("size", "text"), [
    (0, "0 bytes"), (1, "1 byte"), (1023, "1,023 bytes"), (1024, "1,024 bytes (1.0 KB)"),
    (12_345, "12,345 bytes (12.1 KB)"), (5 * 1024**3, "5,368,709,120 bytes (5.0 GB)")])
def test_sizes_are_exact_and_readable(size: int, text: str) -> None:
    assert size_text(size) == text


def test_unwritable_target_is_a_user_error_and_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "review.xlsx"
    with pytest.raises(UserError, match="Could not save review.xlsx"):
        write_review(target, [])
    assert not list(tmp_path.rglob("*.xlsx"))


FORMULA_LIKE = ['=HYPERLINK("http://x","y")', "+44 Legal", "-Minus LLP", "@Home", "=1+1"]


def test_formula_like_names_are_text_cells_on_every_sheet(tmp_path: Path) -> None:
    from zipfile import ZipFile

    from xerosync_desktop.core.model import ClientProblem

    clients = [Client(f"{i}", name, ClientStatus.ACTIVE, source_row=i + 2)
               for i, name in enumerate(FORMULA_LIKE)]
    problems = [ClientProblem(9, "=ID", "=SUM(A1:A9)", "The row has no Client ID.")]
    rows = build_review(clients, [Contact("c-1", "=cmd|' /C calc'!A0")], {}, problems)
    path = tmp_path / "review.xlsx"
    write_review(path, rows)

    workbook = load_workbook(path)
    review = [[c for c in row] for row in workbook["Review"].iter_rows(min_row=2)]
    client = REVIEW_COLUMNS.index("TimeSolv Client")
    names = [row[client].value for row in review if row[client].value]
    assert names == FORMULA_LIKE
    assert all(row[client].data_type == "s" for row in review if row[client].value)
    attention = [[c.value for c in row]
                 for row in workbook["Needs attention"].iter_rows(min_row=1)]
    assert attention == [["Source Row", "Client ID", "TimeSolv Client", "Reason"],
                         [9, "=ID", "=SUM(A1:A9)", "The row has no Client ID."]]
    with ZipFile(path) as package:
        sheets = [package.read(name) for name in package.namelist()
                  if name.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets)


def test_a_value_longer_than_excel_keeps_is_cut_with_a_mark(tmp_path: Path) -> None:
    rows = build_review([Client("1", "N" * 200_000, ClientStatus.ACTIVE, source_row=2)], [], {})
    path = tmp_path / "review.xlsx"
    write_review(path, rows)
    column = REVIEW_COLUMNS.index("TimeSolv Client") + 1
    name = load_workbook(path)["Review"].cell(row=2, column=column).value
    assert len(name) == 32_767 and name.endswith("…")


def test_error_like_names_and_characters_xml_cannot_hold(tmp_path: Path) -> None:
    from zipfile import ZipFile

    names = ["#N/A", "#REF!", "A\uffffB", "C\x01D", "#hashtag Co"]
    rows = build_review([Client(str(i), name, ClientStatus.ACTIVE, source_row=i + 2)
                         for i, name in enumerate(names)], [], {})
    path = tmp_path / "review.xlsx"
    write_review(path, rows)
    sheet = load_workbook(path)["Review"]
    column = REVIEW_COLUMNS.index("TimeSolv Client") + 1
    cells = [sheet.cell(row=i + 2, column=column) for i in range(len(names))]
    assert [c.value for c in cells] == ["#N/A", "#REF!", "AB", "CD", "#hashtag Co"]
    assert all(c.data_type == "s" for c in cells)
    with ZipFile(path) as package:
        assert b't="e"' not in package.read("xl/worksheets/sheet1.xml")


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set this process's time zone (as the user's computer has it) for one test."""
    if not hasattr(time, "tzset"):
        pytest.skip("the time zone can be set only where time.tzset() exists (not Windows)")

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()
    yield use
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("name", "moment", "text"), [
    ("Europe/Paris", datetime(2026, 12, 6, 13, 3, 7, 900_000, tzinfo=UTC),
     "2026-12-06 14:03:07 +01:00"),
    ("Europe/Paris", datetime(2026, 7, 6, 13, 3, 7, tzinfo=UTC), "2026-07-06 15:03:07 +02:00"),
    ("Asia/Kolkata", datetime(2026, 12, 6, 13, 3, 7, tzinfo=UTC), "2026-12-06 18:33:07 +05:30"),
    ("America/St_Johns", datetime(2026, 12, 6, 13, 3, 7, tzinfo=UTC),
     "2026-12-06 09:33:07 -03:30"),
    ("UTC", datetime(2026, 12, 6, 13, 3, 7, tzinfo=UTC), "2026-12-06 13:03:07 +00:00")])
def test_times_are_local_with_their_offset(zone: Callable[[str], None], name: str,
                                           moment: datetime, text: str) -> None:
    zone(name)
    assert moment_text(moment) == text
