"""Client lists saved as text (`.csv`, `.txt`): encoding, delimiter and header found, rows
numbered by line.

Public API: TextTable, read_text_table().

What Excel, LibreOffice and browsers save: UTF-8 with or without a BOM, UTF-16 with a BOM
and tabs (Excel's "Unicode text"), Windows-1252 (Excel's "CSV" on Western Windows); commas,
semicolons (Excel in most European locales), tabs or bars between fields. A BOM is taken at
its word and valid UTF-8 is UTF-8; anything else is left to charset-normalizer, which tells
Windows-1252 from other legacy code pages and from binary data (hand-written byte heuristics
get Western text wrong: é, ü and ß are valid in a dozen code pages), and only Windows-1252
is decoded: a file in another code page is refused by name rather than read as the wrong
letters.

The delimiter is the one that splits a row into a header naming a client id and a client
name; that row may sit below report titles and blank lines. Rows are numbered by the line
they start on, as a text editor numbers them. A quote that opens and never closes would make
one field of every line after it: such a row is marked `broken_quote` at the line where the
quote opens, and the lines after it are read on their own.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..errors import ClientFileError
from .table import (
    HEADER_SEARCH_ROWS,
    OPEN_QUOTE,
    REQUIRED,
    STRAY_QUOTE,
    Cell,
    SourceRow,
    header_columns,
    is_header,
)

_DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars (|)"}
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 text"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 text"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 text with a BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 text"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 text"),
)
_MAX_RECORD_LINES = 200  # a quoted field longer than this is a quote that never closed
_FIELD_LIMIT = 64 * 1024 * 1024  # csv's default 131,072 refuses a long note or address
_SAVE_AS_UTF8 = ("Open it in Excel and save it as 'CSV UTF-8', or export it from TimeSolv "
                 "again.")


@dataclass(frozen=True)
class TextTable:
    """The header and the rows after it, and how the file was read."""

    header: Sequence[Cell]
    header_row: int
    rows: Iterator[SourceRow]
    source: str


def read_text_table(raw: bytes, file_name: str) -> TextTable:
    """Decode `raw`, find the header and the delimiter; rows are read as they are iterated."""
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    text, encoding = _decode(raw, file_name)
    lines = io.StringIO(text, newline="").readlines()
    found = _find_header(lines)
    if found is None:
        raise ClientFileError(_no_header(file_name, lines, encoding))
    index, delimiter, header = found
    columns = header_columns(header)
    wanted = [columns[field] for field in REQUIRED]
    rows = _Records(lines, delimiter, len(header), wanted).rows(index + 1)
    source = f"{encoding}, fields separated by {_DELIMITERS[delimiter]}, " \
             f"headers on line {index + 1}"
    return TextTable(header=header, header_row=index + 1, rows=rows, source=source)


def _decode(raw: bytes, file_name: str) -> tuple[str, str]:
    """The text and a name for its encoding; ClientFileError when it is not readable text."""
    if not raw.strip(b"\x00\t\r\n \xef\xbb\xbf\xff\xfe"):
        raise ClientFileError(f"{file_name} is empty. Export the clients from TimeSolv again.")
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), label
            except UnicodeDecodeError as exc:
                raise ClientFileError(
                    f"{file_name} starts as {label} but byte {exc.start} is not "
                    f"{label.removesuffix(' text')}. {_SAVE_AS_UTF8}") from exc
    if b"\x00" not in raw[:4096]:  # NULs: UTF-16 without a BOM, or not text at all
        try:
            return raw.decode("utf-8"), "UTF-8 text"
        except UnicodeDecodeError as exc:
            if _mostly_utf8(raw):  # UTF-8 letters elsewhere: one text, damaged
                raise ClientFileError(
                    f"{file_name} is UTF-8 text except at byte {exc.start}, which is not "
                    f"UTF-8 (the file may have been edited in two programs). {_SAVE_AS_UTF8}"
                ) from exc
    from charset_normalizer import from_bytes  # only for files that are not UTF-8

    guesses = from_bytes(raw)
    best = guesses.best()
    if best is not None and "cp1252" in best.could_be_from_charset:
        try:  # Windows-1252 reads these bytes as the likeliest code page does: no guess
            return raw.decode("cp1252"), "Windows-1252 text"
        except UnicodeDecodeError:
            pass
    if best is not None and best.encoding.startswith("utf_16"):
        return raw.decode(best.encoding), "UTF-16 text"
    if best is None:
        raise ClientFileError(
            f"{file_name} is not a text file or a spreadsheet the app can read. Export the "
            "clients from TimeSolv as CSV or Excel (.xlsx) and pick that file.")
    raise ClientFileError(
        f"{file_name} is text in an encoding the app does not read (it looks like "
        f"{best.encoding}); the app reads UTF-8, UTF-16 and Windows-1252. {_SAVE_AS_UTF8}")


def _mostly_utf8(raw: bytes) -> bool:
    """More valid UTF-8 letters than invalid bytes: UTF-8 with a stray byte or two."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(not ch.isascii() for ch in text) - bad
    return good > bad


def _find_header(lines: Sequence[str]) -> tuple[int, str, list[str]] | None:
    """The first line, of the first non-blank ones, that some delimiter makes a header."""
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            return None
        best: tuple[int, str, list[str]] | None = None
        for delimiter in _DELIMITERS:
            if delimiter in line:
                cells = _loose(line, delimiter)
                if is_header(cells) and (best is None or len(header_columns(cells)) > best[0]):
                    best = (len(header_columns(cells)), delimiter, cells)
        if best is not None:
            return index, best[1], best[2]
    return None


def _no_header(file_name: str, lines: Sequence[str], encoding: str) -> str:
    first = next((line for line in lines if line.strip()), "")
    delimiter = max(_DELIMITERS, key=first.count)
    cells = [cell.strip() for cell in _loose(first, delimiter) if cell.strip()]
    shown = ", ".join(repr(cell[:40]) for cell in cells[:8]) + (" ..." if len(cells) > 8 else "")
    split = f"split at {_DELIMITERS[delimiter]}" if first.count(delimiter) else "one field"
    return (f"{file_name} has no header row naming a 'Client ID' and a 'Client Name' column "
            f"in its first {HEADER_SEARCH_ROWS} rows. It was read as {encoding}; its "
            f"first row ({split}) holds {shown or 'nothing'}. Export the clients from TimeSolv "
            "with their ID and name columns, or rename those headers in the file.")


def _loose(text: str, delimiter: str) -> list[str]:
    """Cells of one line as csv reads them leniently (an open quote runs to the end)."""
    return next(csv.reader([text], delimiter=delimiter), [])


class _Records:
    """The file's records after the header, each with the line it starts on."""

    def __init__(self, lines: Sequence[str], delimiter: str, width: int,
                 wanted: Sequence[int]) -> None:
        self._lines = lines
        self._delimiter = delimiter
        self._width = width
        self._wanted = wanted

    def rows(self, start: int) -> Iterator[SourceRow]:
        lines, delimiter = self._lines, self._delimiter
        index, count = start, len(lines)
        while index < count:
            line = lines[index]
            if '"' not in line:  # the common case: no quoting, so a split is exact
                yield SourceRow(index + 1, line.rstrip("\r\n").split(delimiter))
                index += 1
                continue
            cells, end, problem = self._quoted(index)
            if problem:
                yield SourceRow(index + 1, _loose(line, delimiter), broken_quote=problem)
                index += 1
            else:
                yield SourceRow(index + 1, cells)
                index = end

    def _quoted(self, start: int) -> tuple[list[str], int, str]:
        """The record starting at `start`, the line after it, and what is wrong with its
        quotes ('' when nothing): OPEN_QUOTE if it never closes before the end, a limit, or
        a line that reads as a record of its own; STRAY_QUOTE if a quote sits inside a
        field (`"00012"3`), where csv would join the pieces."""
        record = self._lines[start]
        end = start + 1
        while (cells := self._strict(record)) is None:
            if end >= len(self._lines) or end - start > _MAX_RECORD_LINES \
                    or self._looks_like_record(self._lines[end]):
                return [], end, OPEN_QUOTE
            record += self._lines[end]
            end += 1
        if not cells:
            return [], end, STRAY_QUOTE
        return cells, end, ""

    def _strict(self, record: str) -> list[str] | None:
        """The record's cells; None while it ends inside a quoted field; [] if malformed."""
        try:
            return next(csv.reader([record], delimiter=self._delimiter, strict=True), [""])
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                return None
            return []

    def _looks_like_record(self, line: str) -> bool:
        """A line an open quote above would swallow, not a line of a multi-line field: it
        splits into (nearly) the header's number of fields with an id and a name, and does
        not start with the end of a quoted field (`Unit 2",x`)."""
        first = line.split(self._delimiter, 1)[0]
        if '"' in first and not first.startswith('"'):
            return False
        cells = _loose(line.rstrip("\r\n"), self._delimiter)
        return len(cells) >= max(2, self._width - 1) and all(
            column < len(cells) and cells[column].strip() for column in self._wanted)
