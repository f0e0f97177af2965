"""Client lists saved as Excel workbooks (`.xlsx`, `.xlsm`): the sheet with the client
header, merged cells spread, cell types checked.

Public API: WorkbookTable, read_workbook_table().

openpyxl's read-only mode streams a sheet in flat memory but hides two things a client list
needs: merged cells (a `Prospect` merged over three status cells counts for each of them)
and formulas without a saved value (read as empty). So each sheet is parsed with openpyxl's
own worksheet parser, kept as it is but for one mark on a formula cell that has no saved
value; the parser collects the sheet's merged ranges as it goes. Cached formula values are
used, as Excel shows them.

A cell is text only when it can be trusted as text: a number Excel keeps exactly (an
integer below 10^15; Excel keeps 15 significant digits) reads as its digits; a longer or
fractional number, a date, TRUE/FALSE, an error or a formula with no value is `Untrusted`,
and the loader sets the row aside if such a cell is its id or name.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from ..errors import ClientFileError
from .table import HEADER_SEARCH_ROWS, Cell, SourceRow, Untrusted, is_blank, is_header

_EXACT_LIMIT = 10**15  # Excel keeps 15 significant digits of a number
_NO_VALUE = "formula-without-value"


@dataclass(frozen=True)
class WorkbookTable:
    """The header and the rows after it on the sheet that holds the clients."""

    header: Sequence[Cell]
    header_row: int
    rows: Iterator[SourceRow]
    source: str


class _Parser(WorkSheetParser):
    """openpyxl's parser, marking formulas that have no saved value instead of hiding them."""

    def parse_cell(self, element: Element) -> dict[str, Any]:
        cell: dict[str, Any] = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None \
                and not element.findtext(VALUE_TAG):
            cell["data_type"] = _NO_VALUE
        return cell


def read_workbook_table(path: Path, file_name: str) -> WorkbookTable:
    """The first sheet whose first rows hold a client header; ClientFileError if none.

    The workbook is opened from a handle, so a workbook saved under a `.csv` name is read
    too (openpyxl judges a path by its extension).
    """
    seen: list[str] = []
    with path.open("rb") as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError,
                EOFError) as exc:
            raise ClientFileError(
                f"{file_name} could not be opened as an Excel workbook: it is damaged or not "
                "a workbook. Export the clients from TimeSolv again.") from exc
        try:
            for sheet in workbook.worksheets:
                found = _read_sheet(workbook, sheet)
                if isinstance(found, WorkbookTable):
                    return found
                seen.append(found)
        except (zipfile.BadZipFile, zlib.error, ParseError, KeyError, ValueError,
                EOFError) as exc:
            raise ClientFileError(
                f"{file_name} is damaged: a sheet could not be read ({type(exc).__name__}). "
                "Open it in Excel and save it again, or export it from TimeSolv again.") from exc
        finally:
            workbook.close()
    sheets = "; ".join(seen) or "it has no worksheets"
    raise ClientFileError(
        f"{file_name} has no sheet with a header row naming a 'Client ID' and a 'Client Name' "
        f"column in its first {HEADER_SEARCH_ROWS} rows ({sheets}). Export the clients from "
        "TimeSolv with their ID and name columns, or rename those headers in the file.")


def _read_sheet(workbook: Any, sheet: Any) -> WorkbookTable | str:
    """The sheet's table, or a few words on what its first row holds (for the message)."""
    with sheet._get_source() as source:
        parser = _Parser(source, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                         date_formats=workbook._date_formats,
                         timedelta_formats=workbook._timedelta_formats)
        rows: list[tuple[int, list[Cell]]] = []
        header_at = -1
        filled = 0
        for number, parsed in parser.parse():
            cells = _cells(parsed)
            rows.append((number, cells))
            if header_at < 0 and not is_blank(cells):
                if is_header(cells):
                    header_at = len(rows) - 1
                filled += 1
                if filled >= HEADER_SEARCH_ROWS and header_at < 0:
                    break
        if header_at < 0:
            return _sheet_words(sheet.title, rows)
        merged = getattr(parser, "merged_cells", None)
    if merged is not None:
        _spread_merges(rows, [cell.ref for cell in merged.mergeCell])
    number, header = rows[header_at]
    data = (SourceRow(n, cells) for n, cells in rows[header_at + 1:])
    return WorkbookTable(header=header, header_row=number, rows=data,
                         source=f"sheet '{sheet.title}', headers on row {number}")


def _cells(parsed: list[dict[str, Any]]) -> list[Cell]:
    """A row's cells by column (1-based in the file, 0-based here), gaps as ''."""
    if not parsed:
        return []
    cells: list[Cell] = [""] * parsed[-1]["column"]
    for cell in parsed:
        column = cell["column"] - 1
        if column >= len(cells):
            cells.extend([""] * (column + 1 - len(cells)))
        cells[column] = _cell(cell["value"], cell["data_type"])
    return cells


def _cell(value: Any, data_type: str) -> Cell:
    if data_type == _NO_VALUE:
        return Untrusted("a formula with no saved value (open the file in Excel and save it "
                         "again)", "")
    if value is None:
        return ""
    if data_type == "e":
        return Untrusted(f"an error ({value})", str(value))
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return Untrusted("TRUE or FALSE, not text", "TRUE" if value else "FALSE")
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        shown = value.isoformat() if not isinstance(value, dt.timedelta) else str(value)
        return Untrusted(f"a date or time ({shown}), not text", shown)
    if isinstance(value, int) and abs(value) < _EXACT_LIMIT:
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_LIMIT:
        return str(int(value))
    if isinstance(value, int | float) and abs(value) >= _EXACT_LIMIT:
        return Untrusted(f"the number {value}, which Excel may have rounded (it keeps 15 "
                         "digits; format the column as Text before exporting)", str(value))
    if isinstance(value, int | float):
        return Untrusted(f"the number {value}, not text", str(value))
    return str(value)  # rich text and anything newer: its text


def _spread_merges(rows: list[tuple[int, list[Cell]]], refs: Sequence[str]) -> None:
    """Give every cell of a merged range the value of its top-left cell."""
    at = {number: index for index, (number, _) in enumerate(rows)}
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (TypeError, ValueError):
            continue
        if min_row not in at or min_col is None or max_col is None or max_row is None:
            continue
        top = rows[at[min_row]][1]
        value = top[min_col - 1] if min_col - 1 < len(top) else ""
        for number in range(min_row, max_row + 1):
            if number not in at:
                continue
            cells = rows[at[number]][1]
            if len(cells) < max_col:
                cells.extend([""] * (max_col - len(cells)))
            for column in range(min_col - 1, max_col):
                cells[column] = value


def _sheet_words(title: str, rows: list[tuple[int, list[Cell]]]) -> str:
    first = next((cells for _, cells in rows if not is_blank(cells)), None)
    if first is None:
        return f"sheet '{title}' is empty"
    shown = [repr(str(cell)[:40]) for cell in first if isinstance(cell, str) and cell.strip()]
    return f"sheet '{title}' starts with {', '.join(shown[:6]) or 'no text'}"
