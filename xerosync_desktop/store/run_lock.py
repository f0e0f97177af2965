"""One sync at a time per organisation, across processes (the app and a nightly xerosync).

Public API: RunLock, RunHolder.

The lock is an OS file lock (filelock: fcntl.flock on POSIX, LockFileEx on Windows),
which the operating system releases when its process ends, however it ends: a lock left by
a killed process is recovered by the next run. Who holds it is written to the store, so a
refused run can say who is syncing, and a run that takes over can say it did.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import SyncBusyError
from .db import transaction


@dataclass(frozen=True)
class RunHolder:
    """Who started the run holding (or last holding) an organisation's lock."""

    holder: str
    pid: int
    started_at: datetime

    def describe(self) -> str:
        when = self.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        return f"{self.holder} (process {self.pid}, started {when})"


class RunLock:
    """The sync lock of one organisation; `acquire()` then `release()`, or `with`."""

    def __init__(self, conn: sqlite3.Connection, lock_dir: Path, tenant_id: str,
                 tenant_name: str, holder: str) -> None:
        self._conn = conn
        self._tenant_id = tenant_id
        self._tenant_name = tenant_name
        self._holder = holder
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", tenant_id) or "_"
        lock_dir.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(lock_dir / f"sync-{safe}.lock"), timeout=0)
        self.recovered: RunHolder | None = None  # a holder that ended without releasing

    def acquire(self) -> RunLock:
        """Take the lock or raise SyncBusyError naming who holds it."""
        try:
            self._lock.acquire()
        except Timeout:
            current = self._read()
            who = current.describe() if current else "another xerosync"
            raise SyncBusyError(
                f"A sync to {self._tenant_name} is already running: {who}. Wait for it to "
                "finish, then sync again.") from None
        try:
            with transaction(self._conn):
                self.recovered = self._read()
                self._conn.execute(
                    "INSERT INTO run_holders (tenant_id, holder, pid, started_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET "
                    "holder = excluded.holder, pid = excluded.pid, "
                    "started_at = excluded.started_at",
                    (self._tenant_id, self._holder, os.getpid(),
                     datetime.now(UTC).isoformat()))
        except BaseException:
            self._lock.release()
            raise
        return self

    def release(self) -> None:
        """Give the lock back (idempotent)."""
        if not self._lock.is_locked:
            return
        try:
            with transaction(self._conn):
                self._conn.execute("DELETE FROM run_holders WHERE tenant_id = ? AND pid = ?",
                                   (self._tenant_id, os.getpid()))
        finally:
            self._lock.release(force=True)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _read(self) -> RunHolder | None:
        row = self._conn.execute(
            "SELECT holder, pid, started_at FROM run_holders WHERE tenant_id = ?",
            (self._tenant_id,)).fetchone()
        if row is None:
            return None
        return RunHolder(holder=row[0], pid=int(row[1]),
                         started_at=datetime.fromisoformat(row[2]))
