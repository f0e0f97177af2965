"""Review and log workbooks, shared by the GUI and the command line.

Public API: write_review(), write_log(), REVIEW_COLUMNS, ATTENTION_COLUMNS, LOG_COLUMNS.
The review's columns are defined once, in review_columns.py (REVIEW_COLUMNS is their headers).

The log's times are text with their UTC offset (run_sheet.py says why). Every cell goes
through `_cell()`, which keeps text as text: a client named `=HYPERLINK(...)`
is shown as those characters, never run as a formula. Files are written in write-only mode
(flat memory for 10,000 rows) to a temporary file and moved into place, so a failed export
never leaves half a workbook under the chosen name.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ..core.model import ReviewRow, Status
from ..errors import UserError
from ..review_columns import ReviewColumn
from ..store.runs import RunRecord
from ..sync.events import LogEntry
from .run_sheet import moment_text, run_rows

log = logging.getLogger(__name__)

REVIEW_COLUMNS = tuple(column.header for column in ReviewColumn)  # as review_columns.py says
ATTENTION_COLUMNS = ("Source Row", "Client ID", "TimeSolv Client", "Reason")
LOG_COLUMNS = ("Time", "Result", "Client ID", "TimeSolv Client", "Action", "Xero ContactID",
               "Changes", "Message")
_MAX_WIDTH = 60
_EXCEL_CELL_MAX = 32_767  # characters in one cell
_NOT_XML = re.compile(ILLEGAL_CHARACTERS_RE.pattern + "|[\ud800-\udfff\ufffe\uffff]")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_NEEDS_ATTENTION = Status.NEEDS_ATTENTION.label  # the log's Action of a row set aside

Value = str | int | float | datetime | None


def write_review(path: Path | str, rows: Sequence[ReviewRow]) -> None:
    """The mapping review: sheet `Review`, one line per client or contact, in the order shown
    in the app, with the app's columns (review_columns.py); sheet `Needs attention`, the client
    file's rows that can't be synced."""
    table = [tuple(column.cell(row) for column in ReviewColumn)
             for row in rows if row.problem is None]
    attention = [(row.source_row, row.client_id, row.client_name, row.note)
                 for row in rows if row.problem is not None]
    workbook = Workbook(write_only=True)
    _add_table(workbook, "Review", REVIEW_COLUMNS, table)
    _add_table(workbook, "Needs attention", ATTENTION_COLUMNS, attention)
    _save(workbook, Path(path))


def write_log(path: Path | str, entries: Iterable[LogEntry], run: RunRecord) -> None:
    """A run's full log (sheet `Log`) and what the run was (sheet `Run`, run_sheet.py).

    Each line says what became of its client in `Result` (one of RESULTS, blank for the
    lines that count no client), so filtering a result gives as many lines as the Run sheet
    counts; an update's changed fields are in `Changes`, one per line.
    """
    table: list[tuple[Value, ...]] = []
    counted: Counter[str] = Counter()
    for entry in entries:
        result = entry.result
        counted[result] += 1
        counted["Need attention"] += entry.action == _NEEDS_ATTENTION
        table.append((moment_text(entry.time), result or None, entry.client_id,
                      entry.client_name, entry.action, entry.contact_id,
                      "\n".join(entry.changes) or None, entry.message))
    workbook = Workbook(write_only=True)
    _add_table(workbook, "Log", LOG_COLUMNS, table)
    _add_table(workbook, "Run", ("Item", "Value"), run_rows(run, len(table), counted),
               filters=False)
    _save(workbook, Path(path))


def _add_table(workbook: Workbook, title: str, header: Sequence[str],
               rows: Sequence[Sequence[Value]], filters: bool = True) -> None:
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title)
    widths = [len(name) for name in header]
    for row in rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _shown_length(value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, _MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if filters:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    sheet.append([_cell(sheet, name, bold=True) for name in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def _cell(sheet: WriteOnlyWorksheet, value: Value,
          bold: bool = False) -> WriteOnlyCell | Value:
    """The one way a value reaches a workbook: text stays text, never a formula.

    openpyxl takes a string starting with `=` for a formula and one like `#N/A` for an error,
    and XML refuses control characters and U+FFFE/U+FFFF: such text becomes a cell typed as
    a string, with the characters XML can't hold left out. Other text and
    numbers go as they are (a cell object for each of a million values costs seconds).
    """
    if isinstance(value, str):
        if len(value) > _EXCEL_CELL_MAX:  # Excel refuses to open a file with a longer cell
            value = value[:_EXCEL_CELL_MAX - 1] + "…"
        printable = value.isprintable()
        if not bold and not value.startswith(("=", "#")) and (
                printable or not (_NOT_XML.search(value) or "\n" in value)):
            return value  # written as a string: `+44 Legal`, `@Home` stay text
        cell = WriteOnlyCell(sheet, value=_NOT_XML.sub("", value))
        cell.data_type = "s"  # `=SUM(...)` and `#N/A` as typed, not a formula or an error
        if not printable and "\n" in value:
            cell.alignment = _WRAP  # one line each, as written (an update's changes)
    elif value is None or (isinstance(value, int | float) and not bold):
        return value
    else:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
    if bold:
        cell.font = _BOLD
    return cell


def _shown_length(value: Value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    if isinstance(value, str) and "\n" in value:
        return max(map(len, value.splitlines()))
    return len(str(value))


def _save(workbook: Workbook, path: Path) -> None:
    temporary = ""
    try:
        handle, temporary = tempfile.mkstemp(prefix=".xerosync-", suffix=".xlsx",
                                             dir=path.parent)
        os.close(handle)
        workbook.save(temporary)
        os.replace(temporary, path)
        log.info("workbook saved: %s", path)
    except OSError as exc:
        for sheet in workbook.worksheets:  # finish the write-only streams; nothing to keep
            if not sheet.closed:
                sheet.close()
        raise UserError(f"Could not save {path.name} ({exc.strerror or exc}). If it is open "
                        "in Excel, close it; or pick another folder.") from exc
    finally:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
