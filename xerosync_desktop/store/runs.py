"""Sync runs and every log entry of each, so any run's full log can be exported later.

Public API: Runs, RunRecord, XERO_KINDS.

A run records what an audit needs that only the run knows: which Xero it wrote to, the
app's version, and the client file as it was read (FileFacts). A run stored by an earlier
version reads back with '' and None where it recorded none of these.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ..core.model import FileFacts
from ..sync.events import Level, LogEntry, RunSummary

XERO_KINDS = ("demo", "real")  # RunRecord.xero: the embedded sandbox, or Xero itself


@dataclass(frozen=True)
class RunRecord:
    """A stored run, as the Run sheet of a log workbook shows it."""

    run_id: int
    tenant_id: str
    tenant_name: str
    source_file: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    created: int
    updated: int
    skipped: int
    failed: int
    message: str
    unchanged: int = 0
    stopped_by: str = ""
    resume_at: datetime | None = None
    attention: int = 0  # of the skipped: rows of the client file that needed attention
    waiting: int | None = None  # of the skipped: possible matches (None: not recorded)
    xero: str = ""  # one of XERO_KINDS; '' for runs recorded before it was
    app_version: str = ""
    client_file: FileFacts | None = None  # None: not recorded (an earlier version's run)


class Runs:
    """Start and finish runs, append log entries, read them back."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def start(self, tenant_id: str, tenant_name: str, source_file: str,
              started_at: datetime, *, xero: str = "", app_version: str = "",
              client_file: FileFacts | None = None) -> int:
        file = client_file  # None: a run whose file was not read by the loader (tests)
        cursor = self._conn.execute(
            "INSERT INTO runs (tenant_id, tenant_name, source_file, started_at, xero, "
            "app_version, file_path, file_size, file_modified, file_sha256, file_note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (tenant_id, tenant_name, source_file, started_at.isoformat(), xero, app_version,
             file.path if file else "", file.size if file else None,
             file.modified.isoformat() if file else None, file.sha256 if file else "",
             file.note if file else ""))
        return int(cursor.lastrowid or 0)

    def close_interrupted(self, tenant_id: str) -> int:
        """Mark as interrupted the runs a crashed or killed process left 'running'.

        Call only while holding the organisation's run lock, so no live run is touched.
        """
        cursor = self._conn.execute(
            "UPDATE runs SET outcome = 'interrupted', finished_at = coalesce(("
            "SELECT max(time) FROM run_log WHERE run_id = runs.id), started_at), "
            "message = 'The process running this sync ended before it finished.' "
            "WHERE tenant_id = ? AND outcome = 'running'", (tenant_id,))
        return cursor.rowcount

    def add_entries(self, run_id: int, entries: Iterable[LogEntry]) -> None:
        self._conn.executemany(
            "INSERT INTO run_log (run_id, time, level, client_id, client_name, action, "
            "contact_id, message, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, e.time.isoformat(), e.level.value, e.client_id, e.client_name, e.action,
              e.contact_id, e.message, json.dumps(e.changes) if e.changes else "")
             for e in entries])

    def finish(self, summary: RunSummary) -> None:
        self._conn.execute(
            "UPDATE runs SET finished_at = ?, outcome = ?, created = ?, updated = ?, "
            "skipped = ?, failed = ?, message = ?, unchanged = ?, stopped_by = ?, "
            "resume_at = ?, attention = ?, waiting = ? WHERE id = ?",
            (summary.finished_at.isoformat(), summary.outcome, summary.created,
             summary.updated, summary.skipped, summary.failed, summary.message,
             summary.unchanged, summary.stopped_by,
             summary.resume_at.isoformat() if summary.resume_at else None, summary.attention,
             summary.waiting, summary.run_id))

    def get(self, run_id: int) -> RunRecord | None:
        row = self._conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        return RunRecord(
            run_id=row["id"], tenant_id=row["tenant_id"], tenant_name=row["tenant_name"],
            source_file=row["source_file"],
            started_at=datetime.fromisoformat(row["started_at"]),
            finished_at=(datetime.fromisoformat(row["finished_at"])
                         if row["finished_at"] else None),
            outcome=row["outcome"], created=row["created"], updated=row["updated"],
            skipped=row["skipped"], failed=row["failed"], message=row["message"],
            unchanged=row["unchanged"], stopped_by=row["stopped_by"],
            resume_at=(datetime.fromisoformat(row["resume_at"]) if row["resume_at"] else None),
            attention=row["attention"], waiting=row["waiting"], xero=row["xero"],
            app_version=row["app_version"], client_file=_file_facts(row))

    def recent(self, tenant_id: str, limit: int = 20) -> list[RunRecord]:
        """The organisation's newest runs, newest first (for downloading an earlier log)."""
        rows = self._conn.execute("SELECT id FROM runs WHERE tenant_id = ? ORDER BY id DESC "
                                  "LIMIT ?", (tenant_id, limit)).fetchall()
        return [run for row in rows if (run := self.get(row[0])) is not None]

    def latest(self, tenant_id: str) -> RunRecord | None:
        row = self._conn.execute("SELECT max(id) FROM runs WHERE tenant_id = ?",
                                 (tenant_id,)).fetchone()
        return self.get(row[0]) if row and row[0] else None

    def entries(self, run_id: int) -> list[LogEntry]:
        rows = self._conn.execute(
            "SELECT time, level, client_id, client_name, action, contact_id, message, changes "
            "FROM run_log WHERE run_id = ? ORDER BY id", (run_id,))
        return [LogEntry(time=datetime.fromisoformat(r[0]), level=Level(r[1]), client_id=r[2],
                         client_name=r[3], action=r[4], contact_id=r[5], message=r[6],
                         changes=tuple(json.loads(r[7])) if r[7] else ())
                for r in rows]


def _file_facts(row: sqlite3.Row) -> FileFacts | None:
    """The client file as the run read it; None for a run recorded without it."""
    if not row["file_path"] or row["file_modified"] is None or row["file_size"] is None:
        return None
    return FileFacts(path=row["file_path"], size=row["file_size"],
                     modified=datetime.fromisoformat(row["file_modified"]),
                     sha256=row["file_sha256"], note=row["file_note"])
