"""Where a workbook may be written, and what it is called unless the user says otherwise.

Public API: checked_output(), default_name(), unused_path(), LOG_TITLE, REVIEW_TITLE.

Every path a workbook is saved to (the CLI's `--out` and `--log`, the save dialogs) comes
through here first: a name without `.xlsx` gets it added, and a path that resolves to an
input (the TimeSolv client file, the store and its journal files) is refused, whatever way
it is spelled (relative, through a link, another case on a case-insensitive disk).

`default_name()` is the one maker of suggested names (the save dialogs, the CLI given a
folder): `Xero sync log - Demo Company (US) - 2026-12-06 1403.xlsx`. An organisation's name
is anything its owner typed into Xero, so it is made safe for Windows, macOS and Linux:
no `/\\:*?"<>|`, no control or invisible format characters (a right-to-left override could
make a name read as another extension), no trailing dot or space, and short enough for
any file system (255 bytes a name) with room for the folder.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime
from pathlib import Path

from ..errors import OutputPathError

LOG_TITLE = "Xero sync log"
REVIEW_TITLE = "Xero mapping review"
_STORE_SIBLINGS = ("", "-wal", "-shm", "-journal")
_AS_DASH = str.maketrans({"/": "-", "\\": "-", "|": "-"})
_DROPPED = re.compile(r'[:*?"<>]')
_SPACES = re.compile(r"\s+")
_ORGANISATION_CHARS = 60  # of a name of at most ~110 characters: room for a deep folder
_NAME_BYTES = 200  # UTF-8 bytes of the whole name; file systems allow 255
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")  # controls, format, unassigned...


def default_name(title: str, organisation: str, when: datetime | str) -> str:
    """`{title} - {organisation} - {when}.xlsx`, safe as a file name on every system.

    `when` is a moment (shown in local time, to the minute: `2026-12-06 1403`) or a stamp
    already written out (made safe the same way). An organisation with nothing usable in its
    name is left out; a long one is cut.
    """
    if isinstance(when, datetime):
        stamp = f"{when.astimezone() if when.tzinfo else when:%Y-%m-%d %H%M}"
    else:
        stamp = _safe(when, _ORGANISATION_CHARS)

    def joined(shown: str) -> str:
        return " - ".join(part for part in (title, shown, stamp) if part) + ".xlsx"

    shown = _safe(organisation, _ORGANISATION_CHARS)
    while shown and len(joined(shown).encode()) > _NAME_BYTES:
        shown = _trim(shown[:-1])
    return joined(shown)


def unused_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `name (2)`, `(3)`... when a file of that name is there already."""
    path = folder / name
    number = 2
    while path.exists():
        path = folder / f"{Path(name).stem} ({number}){Path(name).suffix}"
        number += 1
    return path


def _safe(text: str, limit: int) -> str:
    """`text` as part of a file name: forbidden characters out, spaces single, trimmed."""
    text = unicodedata.normalize("NFC", text).translate(_AS_DASH)
    text = "".join(" " if ch.isspace() else ch for ch in _DROPPED.sub("", text)
                   if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE)
    return _trim(_SPACES.sub(" ", text)[:limit])


def _trim(text: str) -> str:
    """No space, dot or dash at either end (Windows drops a trailing dot or space)."""
    return text.strip(" .-")


def checked_output(requested: Path | str, clients_file: Path | str | None = None,
                   store_file: Path | str | None = None) -> Path:
    """The path to write, `.xlsx` added when missing; OutputPathError if it is an input."""
    path = Path(requested).expanduser()
    if not str(requested).strip() or path.is_dir() or not path.name or path.name == "..":
        raise OutputPathError(f"{requested or 'An empty name'} is a folder, not a workbook "
                              "name. Give a file name such as review.xlsx.")
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    protected: list[tuple[Path, str]] = []
    if clients_file:
        protected.append((Path(clients_file), "the TimeSolv client file the app reads"))
    if store_file:
        protected += [(Path(f"{store_file}{end}"), "the app's own database")
                      for end in _STORE_SIBLINGS]
    for other, what in protected:
        if _same_file(path, other):
            raise OutputPathError(f"{path} is {what}; saving the workbook there would "
                                  "overwrite it. Choose another name or folder.")
    return path


def _same_file(one: Path, other: Path) -> bool:
    if os.path.normcase(one.resolve()) == os.path.normcase(other.expanduser().resolve()):
        return True
    try:
        return one.exists() and other.exists() and os.path.samefile(one, other)
    except OSError:
        return False
