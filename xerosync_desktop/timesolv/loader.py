"""TimeSolv client export (CSV, text or XLSX) -> the clients to review and the rows that
need attention.

Public API: load_clients(), COLUMNS.

Every data row ends up either as a Client or as a ClientProblem with its row number and a
reason: blank rows are the only rows passed over. A row is set aside (never guessed at) when
its id or name is missing or can't be trusted as text, its status is unknown, it repeats the
header, it looks like a totals footer, or a quote opened on it never closes; the file as a
whole (duplicate ids, names Xero would take for one contact, names too long) is screened by
`core.intake`. A file that can't be read at all stops with one ClientFileError naming what
was found and what is needed. Client ids stay text exactly as written (`00010`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..core.intake import ClientList, screen_clients
from ..core.model import Client, ClientProblem, ClientStatus
from ..errors import ClientFileError
from .table import COLUMNS, Cell, SourceRow, Untrusted, cell_text, header_columns, is_blank
from .text_file import read_text_table
from .workbook_file import read_workbook_table

__all__ = ["COLUMNS", "load_clients"]

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls)
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_FOOTER = re.compile(r"^\s*(grand\s+)?(totals?|count|records?|number\s+of)\b", re.IGNORECASE)
_NUMBER = re.compile(r"^[\s\d.,:()#-]*(clients?|records?|rows?)?[\s.]*$", re.IGNORECASE)
_FIX = "Correct it in TimeSolv (or in the file), then load it again."


def load_clients(path: Path | str) -> ClientList:
    """Read every row of a TimeSolv client export; ClientFileError if it can't be read."""
    path = Path(path)
    name = path.name
    head = _head(path)
    suffix = path.suffix.lower()
    if head.startswith(_OLE):
        raise ClientFileError(f"{name} is an Excel 97-2003 workbook (.xls), which the app "
                              "does not read. Open it in Excel, save it as 'Excel Workbook "
                              "(.xlsx)' or 'CSV UTF-8', and pick that file.")
    if head.startswith(_ZIP):
        if suffix not in _WORKBOOK_SUFFIXES and suffix not in _TEXT_SUFFIXES:
            raise ClientFileError(_not_a_list(name))
        table = read_workbook_table(path, name)
        header, header_row, rows, source = table.header, table.header_row, table.rows, \
            table.source
    elif suffix in _WORKBOOK_SUFFIXES:
        raise ClientFileError(f"{name} is named as an Excel workbook but is not one (it may "
                              "be damaged, or text saved under an .xlsx name). Export the "
                              "clients from TimeSolv again.")
    elif suffix in _TEXT_SUFFIXES:
        text = read_text_table(_read(path), name)
        header, header_row, rows, source = text.header, text.header_row, text.rows, \
            text.source
    else:
        raise ClientFileError(_not_a_list(name))
    clients, problems = _read_rows(header, rows)
    if not clients and not problems:
        raise ClientFileError(f"{name} has column headers (row {header_row}) but no clients "
                              f"below them ({source}). Export the clients from TimeSolv again.")
    return screen_clients(clients, problems, source)


def _not_a_list(name: str) -> str:
    return (f"{name} is not a CSV, text or Excel (.xlsx) file. Export the clients from "
            "TimeSolv as CSV or Excel and pick that file.")


def _head(path: Path) -> bytes:
    """The file's first bytes, to tell a workbook from text whatever its name says."""
    try:
        with path.open("rb") as handle:
            return handle.read(8)
    except OSError as exc:
        raise ClientFileError(_unreadable(path, exc)) from exc


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ClientFileError(_unreadable(path, exc)) from exc


def _unreadable(path: Path, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"The client file {path} does not exist. Pick it again in Setup."
    if isinstance(exc, IsADirectoryError):
        return f"{path} is a folder, not a client file. Pick the file in Setup."
    if isinstance(exc, PermissionError):
        return (f"The client file {path} cannot be read: permission denied. If it is open in "
                "Excel, close it; otherwise give your user read access, or save a copy "
                "somewhere you can read and pick that.")
    return (f"The client file {path} cannot be read ({exc.strerror or exc}). Check the drive "
            "or network folder it is on, then load it again.")


def _read_rows(header: Sequence[Cell], rows: Iterable[SourceRow],
               ) -> tuple[list[Client], list[ClientProblem]]:
    columns = header_columns(header)
    header_text = [cell_text(cell).casefold() for cell in header]
    clients: list[Client] = []
    problems: list[ClientProblem] = []
    for row in rows:
        cells = row.cells
        if is_blank(cells):
            continue
        values = {field: _at(cells, index) for field, index in columns.items()}
        client_id, name = cell_text(values["client_id"]), cell_text(values["name"])
        reason = _row_problem(row, values, header_text)
        if reason:
            problems.append(ClientProblem(row.number, client_id, name, reason))
            continue
        status = ClientStatus.parse(cell_text(values.get("status")) or "Active")
        clients.append(_client(values, client_id, name, status, row.number))
    return clients, problems


def _row_problem(row: SourceRow, values: dict[str, Cell], header_text: list[str]) -> str:
    """Why the row can't be taken as a client, or ''."""
    if row.broken_quote:
        return ('A quote (") opens on this row and never closes, so the row cannot be read '
                "reliably; the rows after it were read on their own. " + _FIX)
    texts = [cell_text(cell) for cell in row.cells]
    if [text.casefold() for text in texts[:len(header_text)]] == header_text:
        return "This row repeats the column headers; it is not a client."
    if _is_footer(texts):
        return "This looks like a totals line, not a client."
    for field, label in (("client_id", "Client ID"), ("name", "Client Name")):
        cell = values[field]
        if isinstance(cell, Untrusted):
            return f"The {label} cell holds {cell.what}. {_FIX}"
        if not cell_text(cell):
            return f"The row has no {label}. {_FIX}"
    status = values.get("status")
    if isinstance(status, Untrusted):
        return f"The Status cell holds {status.what}. {_FIX}"
    text = cell_text(status)
    if text:
        try:
            ClientStatus.parse(text)
        except ValueError:
            return (f"The status {text[:40]!r} is not Active, Inactive or Prospect. "
                    + _FIX)
    return ""


def _is_footer(texts: list[str]) -> bool:
    """`Total, 36` or `Count of clients: 36`: a label and numbers only."""
    filled = [text for text in texts if text]
    return bool(filled) and bool(_FOOTER.match(filled[0])) and all(
        _NUMBER.match(text) for text in filled[1:]) and (
        len(filled) > 1 or any(ch.isdigit() for ch in filled[0]))


def _at(cells: Sequence[Cell], index: int) -> Cell:
    return cells[index] if index < len(cells) else ""


def _client(values: dict[str, Cell], client_id: str, name: str, status: ClientStatus,
            row: int) -> Client:
    def get(field: str) -> str:
        return cell_text(values.get(field))

    return Client(
        client_id=client_id,
        name=name,
        status=status,
        source_row=row,
        first_name=get("first_name"),
        last_name=get("last_name"),
        company=get("company"),
        billing_contact=get("billing_contact"),
        email=get("email"),
        phone=get("phone"),
        mobile=get("mobile"),
        fax=get("fax"),
        address_lines=tuple(get(f"address{i}") for i in (1, 2, 3)),
        city=get("city"),
        region=get("region"),
        postal_code=get("postal_code"),
        country=get("country"),
    )
