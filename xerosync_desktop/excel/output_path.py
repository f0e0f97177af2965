"""Where a workbook may be written: never over the client file or the app's own store.

Public API: checked_output().

Every path a workbook is saved to (the CLI's `--out` and `--log`, the save dialogs) comes
through here first: a name without `.xlsx` gets it added, and a path that resolves to an
input (the TimeSolv client file, the store and its journal files) is refused, whatever way
it is spelled (relative, through a link, another case on a case-insensitive disk).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import OutputPathError

_STORE_SIBLINGS = ("", "-wal", "-shm", "-journal")


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
