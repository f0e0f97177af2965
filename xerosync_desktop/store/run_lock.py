"""One sync at a time per organisation, across processes and data folders (the app, a nightly
xerosync, a second `--data-dir`).

Public API: RunLock, RunHolder.

The lock is an OS file lock (filelock: fcntl.flock on POSIX, LockFileEx on Windows) named by
the tenant id in the user's lock folder (`AppPaths.lock_dir`), outside every data folder: two
data folders syncing one organisation at once would each send its creates, and the second
would be answered with Xero's replay of the first. The operating system releases the lock
when its process ends, however it ends, so a lock left by a killed process is recovered by
the next run. Who holds it is written beside the lock (holder, process, data folder), so a
refused run can say who is syncing from where; the store keeps its own last holder too, so a
run that takes over from a killed run of the same data folder can say it did.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import StoreError, SyncBusyError
from .db import transaction


@dataclass(frozen=True)
class RunHolder:
    """Who started the run holding (or last holding) an organisation's lock."""

    holder: str
    pid: int
    started_at: datetime
    data_dir: str = ""  # the holder's data folder, when known

    def describe(self) -> str:
        when = self.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        where = f", data folder {self.data_dir}" if self.data_dir else ""
        return f"{self.holder} (process {self.pid}, started {when}{where})"


class RunLock:
    """The sync lock of one organisation; `acquire()` then `release()`, or `with`."""

    def __init__(self, conn: sqlite3.Connection, lock_dir: Path, data_dir: Path,
                 tenant_id: str, tenant_name: str, holder: str) -> None:
        self._conn = conn
        self._lock_dir = lock_dir
        self._data_dir = data_dir
        self._tenant_id = tenant_id
        self._tenant_name = tenant_name
        self._holder = holder
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", tenant_id) or "_"
        self._lock = FileLock(str(lock_dir / f"sync-{safe}.lock"), timeout=0)
        self._holder_file = lock_dir / f"sync-{safe}.json"
        self.recovered: RunHolder | None = None  # a holder that ended without releasing

    def acquire(self) -> RunLock:
        """Take the lock or raise SyncBusyError naming who holds it, and from where."""
        try:
            self._lock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._lock.acquire()
        except Timeout:
            current = self._holder_elsewhere()
            who = current.describe() if current else "another xerosync"
            raise SyncBusyError(
                f"A sync to {self._tenant_name} is already running: {who}. Wait for it to "
                "finish, then sync again.") from None
        except OSError as exc:
            raise StoreError(
                f"The sync lock in {self._lock_dir} cannot be taken ({exc.strerror or exc}). "
                f"Make {self._lock_dir} a folder your user can write to, then sync "
                "again.") from exc
        try:
            started = datetime.now(UTC)
            self._write_holder(started)
            with transaction(self._conn):
                self.recovered = self._read()
                self._conn.execute(
                    "INSERT INTO run_holders (tenant_id, holder, pid, started_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET "
                    "holder = excluded.holder, pid = excluded.pid, "
                    "started_at = excluded.started_at",
                    (self._tenant_id, self._holder, os.getpid(), started.isoformat()))
        except BaseException:
            self._lock.release(force=True)
            raise
        return self

    def release(self) -> None:
        """Give the lock back (idempotent)."""
        if not self._lock.is_locked:
            return
        try:
            with suppress(OSError):
                self._holder_file.unlink()
            with transaction(self._conn):
                self._conn.execute("DELETE FROM run_holders WHERE tenant_id = ? AND pid = ?",
                                   (self._tenant_id, os.getpid()))
        finally:
            self._lock.release(force=True)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _write_holder(self, started: datetime) -> None:
        """Say who holds the lock, beside it; a refused run of any data folder reads it.

        A holder file that cannot be written costs only the refused run's detail.
        """
        text = json.dumps({"holder": self._holder, "pid": os.getpid(),
                           "started_at": started.isoformat(),
                           "data_dir": str(self._data_dir)})
        part = self._holder_file.with_suffix(f".{os.getpid()}.part")
        try:
            part.write_text(text, encoding="utf-8")
            os.replace(part, self._holder_file)
        except OSError:
            with suppress(OSError):
                part.unlink()

    def _holder_elsewhere(self) -> RunHolder | None:
        """The holder written beside the lock, or None when it cannot be read."""
        try:
            data = json.loads(self._holder_file.read_text(encoding="utf-8"))
            return RunHolder(holder=str(data["holder"]), pid=int(data["pid"]),
                             started_at=datetime.fromisoformat(data["started_at"]),
                             data_dir=str(data.get("data_dir", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _read(self) -> RunHolder | None:
        row = self._conn.execute(
            "SELECT holder, pid, started_at FROM run_holders WHERE tenant_id = ?",
            (self._tenant_id,)).fetchone()
        if row is None:
            return None
        return RunHolder(holder=row[0], pid=int(row[1]),
                         started_at=datetime.fromisoformat(row[2]))
