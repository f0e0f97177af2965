"""Client lists saved as Excel workbooks (`.xlsx`, `.xlsm`): the sheet with the client
header, merged cells spread, cell types checked.

Public API: WorkbookTable, read_workbook_table().

The sheets are read in tab order (`workbook_parts`, streaming); the first whose first rows
hold a client header is the one used. A value merged over several cells counts for each of
them (a `Prospect` merged over three status cells makes three prospects). Formula values are
taken as Excel saved them.

A cell is text only when it can be trusted as text: a number Excel keeps exactly (an
integer below 10^15; Excel keeps 15 significant digits) reads as its digits; a longer or
fractional number, a date, TRUE/FALSE, an error or a formula with no saved value is
`Untrusted`, and the loader sets the row aside if such a cell is its id or name.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO
from xml.etree.ElementTree import ParseError

from openpyxl.utils import range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from ..errors import ClientFileError
from .table import HEADER_SEARCH_ROWS, Cell, SourceRow, Untrusted, is_blank, is_header
from .workbook_parts import SheetCell, WorkbookParts, iter_sheet, open_parts

_EXACT_LIMIT = 10**15  # Excel keeps 15 significant digits of a number
_DAMAGED = (zipfile.BadZipFile, zlib.error, ParseError, KeyError, ValueError, IndexError,
            TypeError, EOFError)


@dataclass(frozen=True)
class WorkbookTable:
    """The header and the rows after it on the sheet that holds the clients."""

    header: Sequence[Cell]
    header_row: int
    rows: Iterator[SourceRow]
    source: str


def read_workbook_table(handle: IO[bytes], file_name: str) -> WorkbookTable:
    """The first sheet whose first rows hold a client header; ClientFileError if none.

    `handle` is the workbook's bytes, as the loader read them (once, to hash what it reads).
    """
    seen: list[str] = []
    try:
        parts = open_parts(handle)
    except _DAMAGED as exc:
        raise ClientFileError(
            f"{file_name} could not be opened as an Excel workbook: it is damaged or not "
            "a workbook. Export the clients from TimeSolv again.") from exc
    try:
        for title, part in parts.sheets:
            found = _read_sheet(parts, title, part)
            if isinstance(found, WorkbookTable):
                return found
            seen.append(found)
    except _DAMAGED as exc:
        raise ClientFileError(
            f"{file_name} is damaged: a sheet could not be read ({type(exc).__name__}). "
            "Open it in Excel and save it again, or export it from TimeSolv again.") from exc
    finally:
        parts.archive.close()
    sheets = "; ".join(seen) or "it has no worksheets"
    raise ClientFileError(
        f"{file_name} has no sheet with a header row naming a 'Client ID' and a 'Client Name' "
        f"column in its first {HEADER_SEARCH_ROWS} rows ({sheets}). Export the clients from "
        "TimeSolv with their ID and name columns, or rename those headers in the file.")


def _read_sheet(parts: WorkbookParts, title: str, part: str) -> WorkbookTable | str:
    """The sheet's table, or a few words on what its first row holds (for the message)."""
    merges: list[str] = []
    rows: list[tuple[int, list[Cell]]] = []
    header_at = -1
    filled = 0
    convert = _Converter(parts)
    for number, stored in iter_sheet(parts, part, merges):
        cells = convert.row(stored)
        rows.append((number, cells))
        if header_at < 0 and not is_blank(cells):
            if is_header(cells):
                header_at = len(rows) - 1
            filled += 1
            if filled >= HEADER_SEARCH_ROWS and header_at < 0:
                break
    if header_at < 0:
        return _sheet_words(title, rows)
    _spread_merges(rows, merges)
    number, header = rows[header_at]
    data = (SourceRow(n, cells) for n, cells in rows[header_at + 1:])
    return WorkbookTable(header=header, header_row=number, rows=data,
                         source=f"sheet '{title}', headers on row {number}")


class _Converter:
    """Stored cells -> Cell: text, or Untrusted with what the cell holds."""

    def __init__(self, parts: WorkbookParts) -> None:
        self._strings = parts.strings
        self._dates = parts.date_styles
        self._padded = parts.padded_styles
        self._epoch = CALENDAR_MAC_1904 if parts.date1904 else CALENDAR_WINDOWS_1900

    def row(self, stored: list[SheetCell]) -> list[Cell]:
        if not stored:
            return []
        cells: list[Cell] = [""] * max(cell[0] for cell in stored)
        strings = self._strings
        for column, kind, value, formula, style in stored:
            if column < 1:
                continue
            if kind == "s" and value:  # the common cases first: shared and inline text
                cells[column - 1] = strings[int(value)]
            elif kind == "inlineStr" and value is not None:
                cells[column - 1] = value
            else:
                cells[column - 1] = self.cell(kind, value, formula, style)
        return cells

    def cell(self, kind: str, value: str | None, formula: bool, style: int) -> Cell:
        if value is None or (value == "" and kind not in ("inlineStr", "str")):
            if formula:
                return Untrusted("a formula with no saved value (open the file in Excel and "
                                 "save it again)", "")
            return ""
        if kind == "s":
            return self._strings[int(value)]
        if kind in ("inlineStr", "str"):
            return value
        if kind == "b":
            return Untrusted("TRUE or FALSE, not text", "TRUE" if value.strip() in ("1", "true")
                             else "FALSE")
        if kind == "e":
            return Untrusted(f"an error ({value})", value)
        if kind == "d" or (kind == "n" and style in self._dates):
            shown = value if kind == "d" else self._date_text(value)
            return Untrusted(f"a date or time ({shown}), not text", shown)
        number = _number(value)
        width = self._padded.get(style) if kind == "n" else None
        if width and isinstance(number, str) and number.isdigit():
            return number.zfill(width)  # shown with its zeros, as TimeSolv wrote it
        return number

    def _date_text(self, value: str) -> str:
        try:
            return from_excel(float(value), self._epoch).isoformat()
        except (ValueError, OverflowError, TypeError):
            return value


def _number(text: str) -> Cell:
    try:
        number: int | float = int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return Untrusted(f"the value {text!r}, which is not a number or text", text)
    if isinstance(number, float) and number.is_integer() and abs(number) < _EXACT_LIMIT:
        return str(int(number))
    if isinstance(number, int) and abs(number) < _EXACT_LIMIT:
        return str(number)
    if abs(number) >= _EXACT_LIMIT:
        return Untrusted(f"the number {text}, which Excel may have rounded (it keeps 15 "
                         "digits; format the column as Text before exporting)", text)
    return Untrusted(f"the number {text}, not text", text)


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
