"""TimeSolv client files: CSV and XLSX load; bad files say what is wrong and where."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from xerosync_desktop.core.model import ClientStatus
from xerosync_desktop.errors import ClientFileError
from xerosync_desktop.paths import resource_path
from xerosync_desktop.timesolv.loader import load_clients


def write_csv(tmp_path: Path, text: str, name: str = "clients.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sample_file_loads_every_kind_of_client() -> None:
    clients = load_clients(resource_path("sample", "timesolv_clients.csv"))
    assert len(clients) == 36
    by_id = {c.client_id: c for c in clients}
    assert by_id["00070"].name == "John  Smith"  # two spaces kept for the name rule
    assert by_id["00010"].source_row == 2
    assert {c.status for c in clients} == set(ClientStatus)
    assert by_id["00010"].address_lines[:2] == ("100 Congress Ave", "Suite 400")


def test_synonym_headers_and_default_status(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "client number , NAME,E-mail,Zip Code\n7,Acme,a@b.example,0210\n")
    (client,) = load_clients(path)
    assert (client.client_id, client.name, client.status, client.email, client.postal_code) == (
        "7", "Acme", ClientStatus.ACTIVE, "a@b.example", "0210")


def test_quoted_fields_with_commas_and_line_breaks(tmp_path: Path) -> None:
    text = 'Client ID,Client Name,Address 1\n1,"Smith, Jones & Co","1 A St\nUnit 2"\n'
    path = write_csv(tmp_path, text)
    (client,) = load_clients(path)
    assert client.name == "Smith, Jones & Co"
    assert client.address_lines[0] == "1 A St\nUnit 2"


def test_windows_encoded_csv(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_bytes("Client ID,Client Name\n1,Café Lumière\n".encode("cp1252"))
    assert load_clients(path)[0].name == "Café Lumière"


def test_xlsx_keeps_ids_as_text(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Client ID", "Client Name", "Status"])
    sheet.append(["00010", "Acme", "inactive"])
    sheet.append([42, "Numeric Id", "Prospect"])
    path = tmp_path / "clients.xlsx"
    workbook.save(path)
    clients = load_clients(path)
    assert [(c.client_id, c.status) for c in clients] == [
        ("00010", ClientStatus.INACTIVE), ("42", ClientStatus.PROSPECT)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Client Name,Status\nAcme,Active\n", "no 'Client ID' column"),
        ("Client ID,Client Name,Status\n1,Acme,Dormant\n", "row 2 has status 'Dormant'"),
        ("Client ID,Client Name\n1,Acme\n1,Beta\n", "Client ID 1 is on rows 2 and 3"),
        ("Client ID,Client Name\n1,\n", "row 2 has no name"),
        ("", "is empty"),
        ("Client ID,Client Name\n\n,\n", "has column headers but no clients"),
    ],
)
def test_bad_files_say_what_and_where(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ClientFileError) as error:
        load_clients(write_csv(tmp_path, text))
    assert expected in error.value.message


def test_other_file_types_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ClientFileError, match="not a CSV or Excel"):
        load_clients(write_csv(tmp_path, "x", "clients.txt"))
    with pytest.raises(ClientFileError, match="does not exist"):
        load_clients(tmp_path / "missing.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ClientFileError, match="could not be opened"):
        load_clients(broken)
