"""TimeSolv client files as they really come: every shape is built here, in the test, and
every data row ends up either as a client or as a Needs attention row with its number."""

from __future__ import annotations

import codecs
import datetime
import os
from pathlib import Path

import pytest
from openpyxl import Workbook

from xerosync_desktop.core.intake import ClientList
from xerosync_desktop.core.model import ClientStatus
from xerosync_desktop.errors import ClientFileError
from xerosync_desktop.paths import resource_path
from xerosync_desktop.timesolv.loader import load_clients

CLIENTS = [("C1", "Alpha LLP", "Active"), ("C2", "Beta & Co", "Inactive"),
           ("C3", "Café Lumière", "Prospect"), ("C4", "O’Brien Legal", "Active")]


def write(tmp_path: Path, data: str | bytes, name: str = "clients.csv",
          encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def table(delimiter: str = ",", newline: str = "\n", above: str = "") -> str:
    lines = [delimiter.join(("Client ID", "Client Name", "Status"))]
    lines += [delimiter.join(row) for row in CLIENTS]
    return above + newline.join(lines) + newline


def seen(listed: ClientList) -> list[tuple[int | None, str, str, str]]:
    return [(c.source_row, c.client_id, c.name, c.status.value) for c in listed.clients]


def problems(listed: ClientList) -> list[tuple[int, str, str]]:
    return [(p.source_row, p.client_id, p.name) for p in listed.problems]


def expected(first_row: int) -> list[tuple[int, str, str, str]]:
    return [(first_row + i, *row) for i, row in enumerate(CLIENTS)]


def test_sample_file_loads_every_kind_of_client() -> None:
    listed = load_clients(resource_path("sample", "timesolv_clients.csv"))
    assert len(listed.clients) == 36 and not listed.problems
    by_id = {c.client_id: c for c in listed.clients}
    assert by_id["00070"].name == "John  Smith"  # two spaces kept for the name rule
    assert by_id["00010"].source_row == 2
    assert {c.status for c in listed.clients} == set(ClientStatus)
    assert by_id["00010"].address_lines[:2] == ("100 Congress Ave", "Suite 400")


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter", "newline", "label"),
    [
        ("utf-8", b"", ",", "\n", "UTF-8 text, fields separated by commas"),
        ("utf-8", codecs.BOM_UTF8, ";", "\r\n", "UTF-8 text with a BOM, fields separated by "
                                                "semicolons"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "\t", "\r\n", "UTF-16 text, fields separated by tabs"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "\t", "\n", "UTF-16 text, fields separated by tabs"),
        ("cp1252", b"", ",", "\r\n", "Windows-1252 text, fields separated by commas"),
        ("cp1252", b"", ";", "\r", "Windows-1252 text, fields separated by semicolons"),
        ("utf-8", b"", "\t", "\n", "UTF-8 text, fields separated by tabs"),
    ],
)
def test_encodings_and_delimiters(tmp_path: Path, encoding: str, bom: bytes, delimiter: str,
                                  newline: str, label: str) -> None:
    raw = bom + table(delimiter, newline).encode(encoding)
    listed = load_clients(write(tmp_path, raw, "clients.txt"))
    assert seen(listed) == expected(2)
    assert listed.source.startswith(label)


def test_header_below_titles_in_any_case_with_synonyms(tmp_path: Path) -> None:
    text = ("TimeSolv client report\nPrinted 2026-12-01\n\n,,\n"
            " client  number ;  NAME ;Client Status\n"
            + "".join(";".join(row) + "\n" for row in CLIENTS) + "\n\n")
    listed = load_clients(write(tmp_path, text))
    assert seen(listed) == expected(6)
    assert "headers on line 5" in listed.source


def test_ids_stay_text_exactly_as_written(tmp_path: Path) -> None:
    listed = load_clients(write(tmp_path, "ID,Client\n00010,A\n0,B\n 7 ,C\n"))
    assert [c.client_id for c in listed.clients] == ["00010", "0", "7"]


def test_quoted_fields_with_commas_and_line_breaks(tmp_path: Path) -> None:
    text = ('Client ID,Client Name,Address 1\n1,"Smith, Jones & Co","1 A St\nUnit 2"\n'
            '2,"Say ""Hi"" Ltd",x\n3,5" Pipe Co,y\n')
    listed = load_clients(write(tmp_path, text))
    assert seen(listed) == [(2, "1", "Smith, Jones & Co", "Active"),
                            (4, "2", 'Say "Hi" Ltd', "Active"), (5, "3", '5" Pipe Co', "Active")]
    assert listed.clients[0].address_lines[0] == "1 A St\nUnit 2"


def test_an_unclosed_quote_loses_no_row(tmp_path: Path) -> None:
    rows = [f"C{i},Client {i},Active" for i in range(4, 5001)]
    text = "Client ID,Client Name,Status\nC1,Alpha,Active\nC2,Beta,Active\n" \
           'C3,"Smith, John,Active\n' + "\n".join(rows) + "\n"
    listed = load_clients(write(tmp_path, text))
    assert len(listed.clients) == 2 + len(rows)
    assert listed.clients[2].client_id == "C4" and listed.clients[2].source_row == 5
    assert problems(listed) == [(4, "C3", "Smith, John,Active")]
    assert "never closes" in listed.problems[0].reason


def test_a_quote_closed_by_another_broken_quote(tmp_path: Path) -> None:
    text = ('Client ID,Client Name,Status\nC1,"Alpha,Active\nC2,Beta,Active\n'
            'C3,"Gamma,Active\nC4,Delta,Active\n')
    listed = load_clients(write(tmp_path, text))
    assert [c.client_id for c in listed.clients] == ["C2", "C4"]
    assert [p.source_row for p in listed.problems] == [2, 4]


def test_an_unclosed_quote_on_the_last_row(tmp_path: Path) -> None:
    listed = load_clients(write(tmp_path, 'Client ID,Client Name\n1,One\n2,"Two\n'))
    assert [c.client_id for c in listed.clients] == ["1"]
    assert problems(listed) == [(3, "2", "Two")]


def test_bad_rows_need_attention_and_the_rest_go_on(tmp_path: Path) -> None:
    text = ("Client ID,Client Name,Status\n"
            "1,Acme,Active\n"        # 2 fine
            "2,,Active\n"            # 3 no name
            ",Nameless Id,Active\n"  # 4 no id
            "5,Dup One,Active\n"     # 5 duplicate id (with 6, differing in case and spaces)
            " 5 ,Dup Two,Active\n"   # 6
            "7,Pending Co,Dormant\n"  # 7 unknown status
            "8,Same Name,Active\n"   # 8 same name in Xero as 9
            "9,SAME  NAME,Active\n"  # 9 (two spaces: ' _', so not the same)
            "10,same name,Inactive\n"  # 10 same as 8
            "11,Same Name,Prospect\n"  # 11 a prospect is never sent: no clash
            "12," + "N" * 300 + ",Active\n"  # 12 too long
            "13,\u200b\u200b,Active\n"  # 13 nothing visible
            "Client ID,Client Name,Status\n"  # 14 the header again
            "Total,12\n")            # 15 footer
    listed = load_clients(write(tmp_path, text))
    assert [c.source_row for c in listed.clients] == [2, 9, 11]
    reasons = {p.source_row: p.reason for p in listed.problems}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 10, 12, 13, 14, 15]
    assert "no Client Name" in reasons[3] and "no Client ID" in reasons[4]
    assert "also used on row 6" in reasons[5] and "also used on row 5" in reasons[6]
    assert "'Dormant' is not Active, Inactive or Prospect" in reasons[7]
    assert "row 10" in reasons[8] and "row 8" in reasons[10]
    assert "300 characters" in reasons[12] and "no visible characters" in reasons[13]
    assert "repeats the column headers" in reasons[14] and "totals line" in reasons[15]
    assert listed.summary == "14 clients: 2 to sync, 1 prospect, 11 need attention"


def test_nfc_and_nfd_spellings_are_one_name(tmp_path: Path) -> None:
    listed = load_clients(write(tmp_path, "ID,Name\n1,Caf\u00e9\n2,Cafe\u0301\n3,Ok\n"))
    assert [c.client_id for c in listed.clients] == ["3"]
    assert [p.source_row for p in listed.problems] == [2, 3]


def test_a_huge_field_is_read_and_the_long_name_needs_attention(tmp_path: Path) -> None:
    huge = "x" * 200_000
    text = f'Client ID,Client Name,Address 1\n1,"{huge}",a\n2,Fine,"{huge}"\n'
    listed = load_clients(write(tmp_path, text))
    assert [c.client_id for c in listed.clients] == ["2"]
    assert listed.clients[0].address_lines[0] == huge
    assert "200000 characters" in listed.problems[0].reason


def workbook_path(tmp_path: Path, rows: list[list[object]], title: str = "Clients",
                  before: int = 0, merge: str = "") -> Path:
    workbook = Workbook()
    for index in range(before):
        other = workbook.active if index == 0 else workbook.create_sheet()
        other.title = f"Notes {index}"
        other.append(["This report lists TimeSolv clients"])
    sheet = workbook.active if before == 0 else workbook.create_sheet()
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    path = tmp_path / "clients.xlsx"
    workbook.save(path)
    return path


def test_workbook_sheet_with_the_header_wherever_it_is(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Client report"], [], ["Client #", "Display Name", "Status"]]
    rows += [list(row) for row in CLIENTS]
    listed = load_clients(workbook_path(tmp_path, rows, before=2))
    assert seen(listed) == expected(4)
    assert listed.source == "sheet 'Clients', headers on row 3"


def test_workbook_merged_prospect_counts_for_each_cell(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Client ID", "Client Name", "Status"],
                                ["1", "Acme", "Active"], ["2", "Beta", "Prospect"],
                                ["3", "Gamma", None], ["4", "Delta", None], ["5", "Epsilon", None]]
    listed = load_clients(workbook_path(tmp_path, rows, merge="C3:C5"))
    assert [(c.client_id, c.status) for c in listed.clients] == [
        ("1", ClientStatus.ACTIVE), ("2", ClientStatus.PROSPECT), ("3", ClientStatus.PROSPECT),
        ("4", ClientStatus.PROSPECT), ("5", ClientStatus.ACTIVE)]


def test_workbook_cells_that_cannot_be_trusted_need_attention(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Client ID", "Client Name", "Status"],
        ["00010", "Kept", "Active"],                       # 2
        [42, "Numeric id", "Active"],                      # 3: a whole number Excel keeps
        [1234567890123456789, "Nineteen digits", "Active"],  # 4
        [datetime.datetime(2020, 1, 2), "Dated", "Active"],  # 5
        ["C6", True, "Active"],                            # 6
        ["C7", "=A1&B1", "Active"],                        # 7: formula, no saved value
        ["C8", 3.5, "Active"],                             # 8
        ["C9", "Status is a date", datetime.date(2021, 1, 1)],  # 9
    ]
    listed = load_clients(workbook_path(tmp_path, rows))
    assert [(c.client_id, c.name) for c in listed.clients] == [("00010", "Kept"),
                                                               ("42", "Numeric id")]
    reasons = {p.source_row: p.reason for p in listed.problems}
    assert "Excel may have rounded" in reasons[4]
    assert "a date or time (2020-01-02" in reasons[5]
    assert "TRUE or FALSE" in reasons[6]
    assert "formula with no saved value" in reasons[7]
    assert "the number 3.5" in reasons[8]
    assert "Status cell holds a date" in reasons[9]
    assert "1234567890123457024" not in {p.client_id for p in listed.problems}


def test_workbook_saved_under_a_csv_name_is_read_as_a_workbook(tmp_path: Path) -> None:
    path = workbook_path(tmp_path, [["Client ID", "Client Name"], ["1", "Acme"]])
    renamed = path.rename(tmp_path / "clients.csv")
    assert seen(load_clients(renamed)) == [(2, "1", "Acme", "Active")]


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        ("Client Name,Status\nAcme,Active\n", "c.csv",
         "no header row naming a 'Client ID' and a 'Client Name' column"),
        ("Foo;Bar;Baz\n1;2;3\n", "c.csv", "read as UTF-8 text; its first row (split at "
                                           "semicolons) holds 'Foo', 'Bar', 'Baz'"),
        ("", "c.csv", "is empty"),
        ("Client ID,Client Name\n\n,\n", "c.csv", "has column headers (row 1) but no clients"),
        ("x", "c.pdf", "is not a CSV, text or Excel"),
        (bytes(range(256)) * 8, "c.csv", "is not a text file or a spreadsheet"),
        ("ID,Name\n1,株式会社山田\n2,東京都港区\n".encode("shift_jis"), "c.csv",
         "an encoding the app does not read (it looks like cp932)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "c.xls", "Excel 97-2003"),
        (b"not a zip", "c.xlsx", "named as an Excel workbook but is not one"),
        (b"PK\x03\x04 damaged", "c.xlsx", "could not be opened as an Excel workbook"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "c.txt", "starts as UTF-16 text but"),
    ],
)
def test_files_that_cannot_be_read_say_what_was_found(tmp_path: Path, data: str | bytes,
                                                      name: str, expected: str) -> None:
    with pytest.raises(ClientFileError) as error:
        load_clients(write(tmp_path, data, name))
    assert expected in error.value.message


def test_missing_folder_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ClientFileError, match="does not exist"):
        load_clients(tmp_path / "missing.csv")
    with pytest.raises(ClientFileError, match="is a folder"):
        load_clients(tmp_path)
    locked = write(tmp_path, table())
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root reads any file: try as nobody
            assert_unreadable_as_nobody(locked)
        else:
            with pytest.raises(ClientFileError, match="permission denied"):
                load_clients(locked)
    finally:
        locked.chmod(0o600)


def assert_unreadable_as_nobody(path: Path) -> None:
    import shutil
    import subprocess
    import sys

    if shutil.which("setpriv") is None:
        pytest.skip("root reads any file, and setpriv is not here to drop that")
    path.parent.chmod(0o755)
    code = ("from xerosync_desktop.timesolv.loader import load_clients\n"
            "from xerosync_desktop.errors import ClientFileError\n"
            f"try:\n    load_clients({str(path)!r})\n"
            "except ClientFileError as error:\n    print(error.message)\n")
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    if done.returncode != 0 and "ClientFileError" not in done.stderr:
        pytest.skip(f"python can't run as nobody here: {done.stderr[-200:]}")
    assert "cannot be read: permission denied" in done.stdout, done.stderr


def test_a_quote_closed_by_a_later_stray_quote_loses_no_row(tmp_path: Path) -> None:
    rows = [f"{i:05},Client {i},Active" for i in range(1, 100)]
    rows[2] = '00003,"Acme,Active'
    rows[60] = '00061,Bob "Junior" Smith,Active'
    text = "Client ID,Client Name,Status,Email\n" + "\n".join(rows) + "\n"
    listed = load_clients(write(tmp_path, text))
    assert len(listed.clients) + len(listed.problems) == 99
    assert problems(listed) == [(4, "00003", "Acme,Active")]
    assert [c.name for c in listed.clients if c.client_id == "00061"] == ['Bob "Junior" Smith']


def test_every_field_quoted_and_one_left_open(tmp_path: Path) -> None:
    text = '"Client ID","Client Name","Status"\n"1","Acme\n"2","Bob","Active"\n'
    listed = load_clients(write(tmp_path, text))
    assert seen(listed) == [(3, "2", "Bob", "Active")]
    assert [p.source_row for p in listed.problems] == [2]


def test_stray_quotes_and_extra_fields_are_not_guessed_at(tmp_path: Path) -> None:
    text = ('Client ID,Client Name,Email\n"00012"3,Acme,a@b.example\n'
            '14,"Acme "Best" Ltd",x@y.example\n7,Smith, Jones & Co,info@sj.example\n'
            "8,Fine,\n")
    listed = load_clients(write(tmp_path, text))
    assert [c.client_id for c in listed.clients] == ["8"]
    reasons = {p.source_row: p.reason for p in listed.problems}
    assert "sits inside a field" in reasons[2] and "sits inside a field" in reasons[3]
    assert "4 fields where the header has 3" in reasons[4]


def test_closest_header_name_wins(tmp_path: Path) -> None:
    text = "ID,Client ID,Contact Name,Client Name\n1,C-001,Jane Doe,Acme Ltd\n"
    assert seen(load_clients(write(tmp_path, text))) == [(2, "C-001", "Acme Ltd", "Active")]


def test_an_id_shared_with_a_row_set_aside_is_not_kept(tmp_path: Path) -> None:
    text = "Client ID,Client Name,Status\n1,Acme,Active\n2,Bob,Activ\n2,Bobby,Active\n"
    listed = load_clients(write(tmp_path, text))
    assert [c.client_id for c in listed.clients] == ["1"]
    assert "also used on row 3" in listed.problems[1].reason


def test_text_in_other_code_pages_is_refused_not_misread(tmp_path: Path) -> None:
    for text, encoding in (("ID,Name\n1,Иванов и партнёры\n2,Смирнов\n", "cp1251"),
                           ("ID,Name\n1,Café Müller\n2,Crème Brûlée Ltd\n", "mac_roman")):
        try:
            listed = load_clients(write(tmp_path, text, encoding=encoding))
        except ClientFileError as error:
            assert "does not read" in error.message
        else:  # read: then as the letters were written
            assert [c.name for c in listed.clients] == [line.split(",")[1] for line
                                                       in text.splitlines()[1:]]
    mixed = "ID,Name\n1,Café\n2,Zoë\n".encode() + "3,Renée\n".encode("cp1252")
    with pytest.raises(ClientFileError, match="UTF-8 text except at byte"):
        load_clients(write(tmp_path, mixed))


def test_utf16_without_a_bom(tmp_path: Path) -> None:
    listed = load_clients(write(tmp_path, table("\t"), "c.txt", encoding="utf-16-le"))
    assert seen(listed) == expected(2)


def test_a_long_line_above_the_header(tmp_path: Path) -> None:
    listed = load_clients(write(tmp_path, '"' + "x" * 200_000 + '"\n' + table()))
    assert seen(listed) == expected(3)


def test_workbook_hidden_sheet_and_zero_padded_numbers(tmp_path: Path) -> None:
    workbook = Workbook()
    old = workbook.active
    old.title = "Old"
    old.append(["Client ID", "Client Name"])
    old.append(["OLD1", "Old client"])
    old.sheet_state = "hidden"
    sheet = workbook.create_sheet("Clients")
    sheet.append(["Client ID", "Client Name"])
    sheet.append([10, "Padded"])
    sheet["A2"].number_format = "00000"
    path = tmp_path / "clients.xlsx"
    workbook.save(path)
    listed = load_clients(path)
    assert seen(listed) == [(2, "00010", "Padded", "Active")]


def test_totals_lines_and_clients_named_total(tmp_path: Path) -> None:
    text = ("Client Name,Client ID\nTotal Fitness,36\nTotal,2\nGrand Total: 2 clients,\n")
    listed = load_clients(write(tmp_path, text))
    assert seen(listed) == [(2, "36", "Total Fitness", "Active")]
    assert [p.source_row for p in listed.problems] == [3, 4]


def test_excel_escapes_in_workbook_strings_are_decoded(tmp_path: Path) -> None:
    path = workbook_path(tmp_path, [["Client ID", "Client Name"], ["1", "Acme_x000B_Ltd"],
                                    ["2", "Under_x005F_x0041_score"]])
    listed = load_clients(path)
    assert [c.name for c in listed.clients] == ["Acme\x0bLtd", "Under_x0041_score"]


def test_decomposed_ids_are_not_called_invisible(tmp_path: Path) -> None:
    listed = load_clients(write(tmp_path, "ID,Name\nA\u0301B,Acme\nC\u200bD,Beta\n"))
    assert [c.client_id for c in listed.clients] == ["A\u0301B"]
    assert "invisible control characters" in listed.problems[0].reason


def test_a_workbook_under_an_xls_name_and_a_zip_that_is_not_one(tmp_path: Path) -> None:
    import zipfile

    path = workbook_path(tmp_path, [["Client ID", "Client Name"], ["1", "Acme"]])
    assert seen(load_clients(path.rename(tmp_path / "clients.xls"))) == [
        (2, "1", "Acme", "Active")]
    other = tmp_path / "notes.csv"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ClientFileError, match="could not be opened as an Excel workbook"):
        load_clients(other)
