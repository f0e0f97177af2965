"""The client file as read, for the run's record: what was read is what the hash describes."""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from xerosync_desktop.errors import ClientFileError
from xerosync_desktop.timesolv.file_facts import (
    CHANGED_WHILE_READ,
    GONE_AFTER_READ,
    REPLACED_WHILE_READ,
    Stamp,
    change_note,
)
from xerosync_desktop.timesolv.loader import load_clients

TEXT = "Client ID,Client Name,Status\nC1,Alpha LLP,Active\nC2,Beta & Co,Inactive\n"


def test_a_text_files_facts_are_of_its_bytes(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(TEXT, encoding="utf-8")
    os.utime(path, ns=(1_700_000_000_123_456_789,) * 2)
    monkeypatch.chdir(tmp_path)

    facts = load_clients("clients.csv").file

    assert facts is not None
    assert facts.path == str(path) and os.path.isabs(facts.path)
    assert facts.size == len(TEXT.encode()) == path.stat().st_size
    assert facts.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert facts.modified == datetime.fromtimestamp(1_700_000_000.123456789, UTC)
    assert facts.modified.utcoffset() is not None and facts.note == ""


def test_a_workbooks_facts_are_of_the_whole_file(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(["Client ID", "Client Name"])
    workbook.active.append(["C1", "Alpha LLP"])
    path = tmp_path / "clients.xlsx"
    workbook.save(path)

    listed = load_clients(path)

    assert [c.name for c in listed.clients] == ["Alpha LLP"]
    assert listed.file is not None
    assert listed.file.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert listed.file.size == path.stat().st_size


def test_a_file_refused_by_its_first_bytes_is_not_read_whole(tmp_path: Path) -> None:
    """A large file of another kind is refused after 8 bytes, as before hashing existed."""
    path = tmp_path / "clients.pdf"
    path.write_bytes(b"%PDF-1.7" + b"\0" * 1000)
    with pytest.raises(ClientFileError, match="is not a CSV, text or Excel"):
        load_clients(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="a named pipe needs os.mkfifo()")
def test_a_file_that_reports_no_size_is_measured_by_what_was_read(tmp_path: Path) -> None:
    """Some network drives, and pipes, report size 0: the size recorded is of the bytes
    read, so size and hash always describe the same thing."""
    path = tmp_path / "clients.csv"
    os.mkfifo(path)

    def write() -> None:
        with path.open("w", encoding="utf-8") as handle:
            handle.write(TEXT)

    writer = threading.Thread(target=write)
    writer.start()
    listed = load_clients(path)
    writer.join(timeout=10)

    assert [c.client_id for c in listed.clients] == ["C1", "C2"]
    assert listed.file is not None
    assert listed.file.sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    assert listed.file.size == len(TEXT.encode())


OPENED = Stamp(size=100, mtime_ns=5, device=1, inode=7)


@pytest.mark.parametrize(("after", "now", "read", "note"), [
    (OPENED, OPENED, 100, ""),
    (OPENED._replace(size=120, mtime_ns=6), OPENED._replace(size=120, mtime_ns=6), 120,
     CHANGED_WHILE_READ),  # appended to while read
    (OPENED._replace(mtime_ns=6), OPENED._replace(mtime_ns=6), 100, CHANGED_WHILE_READ),
    (OPENED, OPENED, 60, CHANGED_WHILE_READ),  # cut short while read
    (OPENED, None, 100, GONE_AFTER_READ),  # moved or deleted
    (OPENED, OPENED._replace(inode=8, mtime_ns=9), 100, REPLACED_WHILE_READ),  # saved over
    (OPENED, OPENED._replace(size=130), 100, REPLACED_WHILE_READ),  # written at its path
    (OPENED._replace(inode=0), OPENED._replace(inode=0), 100, ""),  # no inodes: by the rest
    (OPENED._replace(size=0), OPENED._replace(size=0), 100, ""),  # a size-less file (a pipe)
])
def test_what_happened_to_the_file_while_it_was_read(after: Stamp, now: Stamp | None,
                                                     read: int, note: str) -> None:
    before = OPENED._replace(size=after.size) if after.size == 0 else OPENED
    assert change_note(before, after, now, read) == note
