"""TimeSolv client export (CSV, text or XLSX) -> the clients to review and the rows that
need attention.

Public API: load_clients(), COLUMNS.

Every data row ends up either as a Client or as a ClientProblem with its row number and a
reason: blank rows are the only rows passed over. A row is set aside (never guessed at) when
its id or name is missing or can't be trusted as text, its status is unknown, it repeats the
header, it looks like a totals footer, or a quote opened on it never closes; the file as a
whole (duplicate ids, names Xero would take for one contact, names too long) is screened by
`core.intake`. A file that can't be read at all stops with one ClientFileError naming what
was found and what is needed. Client ids stay text exactly as written (`00010`). The file
is read once, and what was read is what its size and SHA-256 describe (file_facts.py).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from ..core.intake import ClientList, screen_clients
from ..core.model import Client, ClientProblem, ClientStatus
from ..errors import ClientFileError
from .file_facts import facts_of
from .table import (
    COLUMNS,
    OPEN_QUOTE,
    STRAY_QUOTE,
    Cell,
    SourceRow,
    Untrusted,
    cell_text,
    header_columns,
    is_blank,
)
from .text_file import read_text_table
from .workbook_file import read_workbook_table

__all__ = ["COLUMNS", "load_clients"]

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls)
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_FOOTER = re.compile(r"^\s*(grand\s+)?(totals?|count|records?|number\s+of\s+\w+)\s*[:=]?\s*"
                     r"(\d[\d,.]*)?\s*(clients?|records?|rows?)?\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*\d[\d,.]*\s*(clients?|records?|rows?)?\s*$", re.IGNORECASE)
_QUOTE_PROBLEMS = {
    OPEN_QUOTE: ('A quote (") opens on this row and never closes, so the row cannot be read '
                 "reliably; the rows after it were read on their own."),
    STRAY_QUOTE: ('A quote (") sits inside a field on this row (as in "00012"3), so its '
                  "values cannot be read reliably."),
}
_FIX = "Correct it in TimeSolv (or in the file), then load it again."


def load_clients(path: Path | str) -> ClientList:
    """Read every row of a TimeSolv client export; ClientFileError if it can't be read.

    The file is opened and read once, whole: the clients, and the size, time and SHA-256
    kept for the run's record (`ClientList.file`), all come from the same bytes.
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    with _open(path) as handle:
        before = os.fstat(handle.fileno())
        head = _read(handle, path, 8)  # a workbook or text, whatever its name says
        workbook = head.startswith(_ZIP)
        if head.startswith(_OLE):
            raise ClientFileError(f"{name} is an Excel 97-2003 workbook (.xls), which the app "
                                  "does not read. Open it in Excel, save it as 'Excel Workbook "
                                  "(.xlsx)' or 'CSV UTF-8', and pick that file.")
        if not workbook and suffix in _WORKBOOK_SUFFIXES:
            raise ClientFileError(f"{name} is named as an Excel workbook but is not one (it "
                                  "may be damaged, or text saved under an .xlsx name). Export "
                                  "the clients from TimeSolv again.")
        if not workbook and suffix not in _TEXT_SUFFIXES:
            raise ClientFileError(_not_a_list(name))
        raw = head + _read(handle, path)
        facts = facts_of(path, raw, before, os.fstat(handle.fileno()))
    if workbook:
        table = read_workbook_table(io.BytesIO(raw), name)
        header, header_row, rows, source = table.header, table.header_row, table.rows, \
            table.source
        width: int | None = None  # notes beside a sheet's table are not a client's fields
    else:
        text = read_text_table(raw, name)
        header, header_row, rows, source = text.header, text.header_row, text.rows, \
            text.source
        width = len(header)
    del raw  # the text or the workbook's parts hold what is still needed
    clients, problems = _read_rows(header, rows, width)
    if not clients and not problems:
        raise ClientFileError(f"{name} has column headers (row {header_row}) but no clients "
                              f"below them ({source}). Export the clients from TimeSolv again.")
    return replace(screen_clients(clients, problems, source), file=facts)


def _not_a_list(name: str) -> str:
    return (f"{name} is not a CSV, text or Excel (.xlsx) file. Export the clients from "
            "TimeSolv as CSV or Excel and pick that file.")


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise ClientFileError(_unreadable(path, exc)) from exc


def _read(handle: BinaryIO, path: Path, size: int = -1) -> bytes:
    try:
        return handle.read(size)
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


def _read_rows(header: Sequence[Cell], rows: Iterable[SourceRow], width: int | None,
               ) -> tuple[list[Client], list[ClientProblem]]:
    """Each row a Client or a ClientProblem; `width`, for text, is the header's field count
    (a row with more filled fields than that was split at a delimiter inside a value)."""
    columns = header_columns(header)
    id_at, name_at = columns["client_id"], columns["name"]
    header_id, header_name = (cell_text(header[id_at]).casefold(),
                              cell_text(header[name_at]).casefold())
    clients: list[Client] = []
    problems: list[ClientProblem] = []
    for row in rows:
        cells = row.cells
        count = len(cells)
        id_cell = cells[id_at] if id_at < count else ""
        name_cell = cells[name_at] if name_at < count else ""
        client_id, name = cell_text(id_cell), cell_text(name_cell)
        if not client_id and not name and is_blank(cells):
            continue
        reason = ""
        if row.broken_quote:
            reason = f"{_QUOTE_PROBLEMS[row.broken_quote]} {_FIX}"
        elif client_id.casefold() == header_id and name.casefold() == header_name:
            reason = "This row repeats the column headers; it is not a client."
        elif _is_footer(cells):
            reason = "This looks like a totals line, not a client."
        elif width is not None and count > width and any(map(cell_text, cells[width:])):
            reason = (f"This row has {count} fields where the header has {width}: a value "
                      "holds the delimiter without quotes around it. " + _FIX)
        else:
            reason = _value_problem(id_cell, name_cell, cells, columns)
        if reason:
            problems.append(ClientProblem(row.number, client_id, name, reason))
            continue
        status_at = columns.get("status")
        status = ClientStatus.named(cell_text(cells[status_at]) if status_at is not None
                                    and status_at < count else "") or ClientStatus.ACTIVE
        clients.append(_client(cells, columns, client_id, name, status, row.number))
    return clients, problems


def _value_problem(id_cell: Cell, name_cell: Cell, cells: Sequence[Cell],
                   columns: dict[str, int]) -> str:
    """Why the row's id, name or status can't be taken as they are, or ''."""
    for cell, label in ((id_cell, "Client ID"), (name_cell, "Client Name")):
        if isinstance(cell, Untrusted):
            return f"The {label} cell holds {cell.what}. {_FIX}"
        if not cell.strip():
            return f"The row has no {label}. {_FIX}"
    status_at = columns.get("status")
    status = cells[status_at] if status_at is not None and status_at < len(cells) else ""
    if isinstance(status, Untrusted):
        return f"The Status cell holds {status.what}. {_FIX}"
    text = status.strip()
    if text and ClientStatus.named(text) is None:
        return f"The status {text[:40]!r} is not Active, Inactive or Prospect. {_FIX}"
    return ""


def _is_footer(cells: Sequence[Cell]) -> bool:
    """`Total, 36`, `Total: 36 clients`, `Grand total,,36`: a label and numbers only."""
    first = next((text for text in map(cell_text, cells) if text), "")
    if not _FOOTER.match(first):  # the common case: settled by the first filled cell
        return False
    filled = [text for text in map(cell_text, cells) if text]
    return all(_NUMBER.match(text) for text in filled[1:]) and (
        len(filled) > 1 or any(ch.isdigit() for ch in first))


_FIELDS = ("first_name", "last_name", "company", "billing_contact", "email", "phone", "mobile",
           "fax", "city", "region", "postal_code", "country")
_ADDRESS = ("address1", "address2", "address3")


def _client(cells: Sequence[Cell], columns: dict[str, int], client_id: str, name: str,
            status: ClientStatus, row: int) -> Client:
    count = len(cells)

    def get(field: str) -> str:
        index = columns.get(field)
        return cell_text(cells[index]) if index is not None and index < count else ""

    return Client(client_id=client_id, name=name, status=status, source_row=row,
                  address_lines=tuple(map(get, _ADDRESS)),
                  **{field: get(field) for field in _FIELDS})
