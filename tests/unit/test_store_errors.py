"""Which failures of the store are the disk's (a StoreError saying what to do), and which not."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from xerosync_desktop.errors import StoreError
from xerosync_desktop.store import Store
from xerosync_desktop.store.db import store_error

DB = Path("/data/xerosync.sqlite3")


@pytest.mark.parametrize(("error", "expected"), [
    (OSError(errno.ENOSPC, "No space left on device"), "is full, so it cannot be written"),
    (OSError(errno.EROFS, "Read-only file system"), "cannot be written: its folder is read-only"),
    (OSError(errno.EACCES, "Permission denied"), "cannot be written: its folder is read-only"),
    (OSError(errno.EIO, "Input/output error"), "The disk reported an error"),
    (sqlite3.OperationalError("database or disk is full"), "is full"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "read-only"),
    (sqlite3.OperationalError("disk I/O error"), "The disk reported an error"),
    (sqlite3.DatabaseError("database disk image is malformed"),
     "is damaged and cannot be read (database disk image is malformed). Move it aside"),
    (sqlite3.DatabaseError("file is not a database"), "is damaged"),
    (OSError(errno.ENOENT, "No such file or directory"), None),
    (sqlite3.OperationalError("database is locked"), None),  # waited for, then said so
    (sqlite3.IntegrityError("UNIQUE constraint failed: runs.id"), None),  # a bug, not the disk
    (sqlite3.OperationalError("no such table: nope"), None),
])
def test_disk_failures_become_a_sentence_naming_the_file(error: BaseException,
                                                         expected: str | None) -> None:
    mapped = store_error(error, DB)
    if expected is None:
        assert mapped is None
    else:
        assert mapped is not None and expected in mapped.message
        assert mapped.message.startswith(("The app's data file /data/xerosync.sqlite3 ",
                                          "The disk holding the app's data file /data/",
                                          "The disk reported an error while the app read or "
                                          "wrote its data file /data/xerosync.sqlite3."))


def test_sqlites_own_codes_decide_and_a_bug_stays_a_bug(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError, match="is full") as full:
            with store.transaction():
                store.conn.executemany("INSERT INTO settings VALUES ('', ?, ?)",
                                       [(f"k{i}", "x" * 1000) for i in range(200)])
        assert isinstance(full.value.__cause__, sqlite3.OperationalError)
        assert not store.conn.in_transaction  # the gate rolled back
        assert store.settings.get("k1") == ""  # all or nothing
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            store.conn.execute("SELECT * FROM nope")
        store.conn.execute("PRAGMA query_only = ON")
        with pytest.raises(StoreError, match="cannot be written: its folder is read-only"):
            store.settings.put({"key": "value"})
