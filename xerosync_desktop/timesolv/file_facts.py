"""What the client file was when it was read: path, size, time and SHA-256, for the audit.

Public API: facts_of(), change_note(), Stamp.

The loader opens the client file once and reads it whole; the facts are of those bytes and
that open file (`os.fstat`), so the hash is of what was synced, not of whatever the file
holds later. The file may still change under the reader: a save from Excel or a new export
from TimeSolv mid-read. That never fails the read here; it is said in `FileFacts.note`, so
the run's record shows what is known and what is not.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from ..core.model import FileFacts

CHANGED_WHILE_READ = ("The file was being written while the app read it: the size and "
                      "SHA-256 are of the bytes the app read, which the file may no longer "
                      "hold.")
GONE_AFTER_READ = ("The file was moved or deleted while the app read it: the size, time and "
                   "SHA-256 are of the file as the app read it.")
REPLACED_WHILE_READ = ("Another file was saved under this name while the app read it: the "
                       "size, time and SHA-256 are of the file as the app read it, not of the "
                       "one there now.")


class Stamp(NamedTuple):
    """Enough of a stat result to tell whether a file changed or was replaced."""

    size: int
    mtime_ns: int
    device: int
    inode: int

    @classmethod
    def of(cls, result: os.stat_result) -> Stamp:
        return cls(result.st_size, result.st_mtime_ns, result.st_dev, result.st_ino)


def facts_of(path: Path, raw: bytes, before: os.stat_result, after: os.stat_result) -> FileFacts:
    """The facts of `raw`, read from `path` through a file whose stat was `before` when
    opened and `after` when read; the path is looked at again, to say if it moved meanwhile."""
    try:
        now: Stamp | None = Stamp.of(os.stat(path))
    except FileNotFoundError:
        now = None
    except OSError:  # not ours to judge (a network folder gone away): the read stands
        now = Stamp.of(after)
    return FileFacts(
        path=os.path.abspath(path), size=len(raw),
        modified=datetime.fromtimestamp(after.st_mtime_ns / 1e9, UTC),
        sha256=hashlib.sha256(raw).hexdigest(),
        note=change_note(Stamp.of(before), Stamp.of(after), now, len(raw)))


def change_note(before: Stamp, after: Stamp, now: Stamp | None, read: int) -> str:
    """What happened to the file while `read` bytes of it were read, or ''.

    `before` and `after` are the open file's stamps when opened and when read; `now` the
    path's once read (None: nothing there any more). A file that reports size 0 (a pipe,
    some network drives) is judged by its time alone.
    """
    if now is None:
        return GONE_AFTER_READ
    if before[:2] != after[:2] or (after.size and after.size != read):
        return CHANGED_WHILE_READ
    same_file = (now.device, now.inode) == (after.device, after.inode) or not (
        now.inode and after.inode)  # some file systems give no inode: compare the rest
    if not same_file or now[:2] != after[:2]:
        return REPLACED_WHILE_READ
    return ""
