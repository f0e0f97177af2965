"""SQLite database: connection, schema version, migrations, transactions.

Public API: open_database(), transaction(), StoreConnection, store_error(), SCHEMA_VERSION.

Plain sqlite3 in autocommit mode; every multi-statement change goes through `transaction()`.
A connection belongs to the thread that opened it: each worker opens its own.

The disk shows through here only: a full disk, a read-only folder, a disk error or a damaged
file, met while opening, in a transaction or in any read, becomes a StoreError naming the
file and what to do (`store_error()`), instead of a sqlite3 error the user cannot act on.
What Xero answered before such an error is settled by the next sync (write-ahead intents).
"""

from __future__ import annotations

import errno
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any

from ..errors import StoreError, UserError

_MIGRATIONS: tuple[str, ...] = (
    # 1: settings, mappings per organisation, sync runs and every log entry
    """
    CREATE TABLE settings (
        scope TEXT NOT NULL,            -- '' for the app, else a Xero tenant id
        key   TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (scope, key)
    );
    CREATE TABLE mappings (
        tenant_id  TEXT NOT NULL,
        client_id  TEXT NOT NULL,
        contact_id TEXT NOT NULL,
        source     TEXT NOT NULL,       -- 'confirmed' or 'synced'
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, client_id)
    );
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        tenant_id   TEXT NOT NULL,
        tenant_name TEXT NOT NULL,
        source_file TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        outcome     TEXT NOT NULL DEFAULT 'running',
        created     INTEGER NOT NULL DEFAULT 0,
        updated     INTEGER NOT NULL DEFAULT 0,
        skipped     INTEGER NOT NULL DEFAULT 0,
        failed      INTEGER NOT NULL DEFAULT 0,
        message     TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX runs_by_tenant ON runs (tenant_id, id);
    CREATE TABLE run_log (
        id          INTEGER PRIMARY KEY,
        run_id      INTEGER NOT NULL REFERENCES runs (id),
        time        TEXT NOT NULL,
        level       TEXT NOT NULL,
        client_id   TEXT NOT NULL,
        client_name TEXT NOT NULL,
        action      TEXT NOT NULL,
        contact_id  TEXT NOT NULL,
        message     TEXT NOT NULL
    );
    CREATE INDEX run_log_by_run ON run_log (run_id, id);
    """,
    # 2: the contact mirror, what each client last sent, write-ahead intents, run holders
    """
    ALTER TABLE mappings ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN stopped_by TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN resume_at TEXT;
    CREATE TABLE mirror_contacts (
        tenant_id      TEXT NOT NULL,
        contact_id     TEXT NOT NULL,
        name           TEXT NOT NULL,
        status         TEXT NOT NULL,
        contact_number TEXT NOT NULL,
        updated_ms     INTEGER NOT NULL,   -- Xero's UpdatedDateUTC, ms since the epoch
        PRIMARY KEY (tenant_id, contact_id)
    );
    CREATE TABLE mirror_reads (
        tenant_id TEXT PRIMARY KEY,
        mark_ms   INTEGER NOT NULL,        -- Xero's time when the latest read began
        read_at   TEXT NOT NULL
    );
    CREATE TABLE intents (
        id              INTEGER PRIMARY KEY,
        tenant_id       TEXT NOT NULL,
        run_id          INTEGER NOT NULL,
        verb            TEXT NOT NULL,     -- 'create' or 'update'
        idempotency_key TEXT NOT NULL,
        items           TEXT NOT NULL,     -- JSON [client_id, ...]
        created_at      TEXT NOT NULL,
        settled_at      TEXT
    );
    CREATE INDEX intents_open ON intents (tenant_id, settled_at);
    CREATE TABLE run_holders (
        tenant_id  TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        pid        INTEGER NOT NULL,
        started_at TEXT NOT NULL
    );
    """,
    # 3: of a run's skipped clients, how many were rows of the client file needing attention
    """
    ALTER TABLE runs ADD COLUMN attention INTEGER NOT NULL DEFAULT 0;
    """,
    # 4: MergedToContactID of each mirrored contact; contacts merged before this version were
    # mirrored without it, so every organisation is read in full once more
    """
    ALTER TABLE mirror_contacts ADD COLUMN merged_to TEXT NOT NULL DEFAULT '';
    DELETE FROM mirror_reads;
    """,
    # 5: each contact's email (for suggestions; read in full once more), and the decisions a
    # person made in Mapping that matching must not undo
    """
    ALTER TABLE mirror_contacts ADD COLUMN email TEXT NOT NULL DEFAULT '';
    DELETE FROM mirror_reads;
    CREATE TABLE decisions (
        tenant_id  TEXT NOT NULL,
        client_id  TEXT NOT NULL,
        decision   TEXT NOT NULL,       -- 'new': add as a new contact, suggest nothing
        contact_id TEXT NOT NULL,       -- the suggestion it dismissed ('' if none)
        decided_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, client_id)
    );
    """,
    # 6: the fields the product owns, as Xero holds them (JSON), so a preview can say what an
    # update changes; read in full once more
    """
    ALTER TABLE mirror_contacts ADD COLUMN details TEXT NOT NULL DEFAULT '[]';
    DELETE FROM mirror_reads;
    """,
    # 7: what an audit of a run needs that only the run knows: which Xero, the app's version,
    # the client file as read (absolute path, size, time, SHA-256, a note if it changed while
    # read), the skipped waiting for a decision, and each update's changed fields (JSON).
    # Earlier runs keep '' and NULL: their log workbooks show those as blank, not as zero.
    """
    ALTER TABLE runs ADD COLUMN xero TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN app_version TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN file_path TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN file_size INTEGER;
    ALTER TABLE runs ADD COLUMN file_modified TEXT;
    ALTER TABLE runs ADD COLUMN file_sha256 TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN file_note TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN waiting INTEGER;
    ALTER TABLE run_log ADD COLUMN changes TEXT NOT NULL DEFAULT '';
    """,
)

SCHEMA_VERSION = len(_MIGRATIONS)


_SETTLED_NEXT = "anything already sent to Xero is settled by the next sync, never sent twice."
_FULL = ("The disk holding the app's data file {path} is full, so it cannot be written. Free "
         "some space on the disk that holds {folder}, then try again: " + _SETTLED_NEXT)
_READ_ONLY = ("The app's data file {path} cannot be written: its folder is read-only or not "
              "yours. Make {folder} and the files in it writable for your user, then try "
              "again: " + _SETTLED_NEXT)
_DISK = ("The disk reported an error while the app read or wrote its data file {path}. Check "
         "that the disk holding {folder} is connected and has free space, then try again: "
         + _SETTLED_NEXT)
_DAMAGED = ("The app's data file {path} is damaged and cannot be read ({detail}). Move it "
            "aside and start again: Setup needs doing again, and the links to Xero contacts "
            "are found again in Xero by client ID and name, so nothing is created twice. "
            "Your Xero data is not affected.")
_BY_CODE = {sqlite3.SQLITE_FULL: _FULL, sqlite3.SQLITE_READONLY: _READ_ONLY,
            sqlite3.SQLITE_PERM: _READ_ONLY, sqlite3.SQLITE_CANTOPEN: _READ_ONLY,
            sqlite3.SQLITE_IOERR: _DISK, sqlite3.SQLITE_CORRUPT: _DAMAGED,
            sqlite3.SQLITE_NOTADB: _DAMAGED}
_BY_TEXT = (("database or disk is full", _FULL), ("readonly database", _READ_ONLY),
            ("unable to open database", _READ_ONLY), ("disk i/o error", _DISK),
            ("malformed", _DAMAGED), ("not a database", _DAMAGED))
_BY_ERRNO = {errno.ENOSPC: _FULL, errno.EDQUOT: _FULL, errno.EROFS: _READ_ONLY,
             errno.EACCES: _READ_ONLY, errno.EPERM: _READ_ONLY, errno.EIO: _DISK}


def store_error(exc: BaseException, path: Path | str) -> StoreError | None:
    """The StoreError for a disk-level failure of the data file at `path`, else None.

    SQLite's result code decides (its text when a code is missing); an OSError its errno.
    Busy, constraint and programming errors are not the disk's: they stay as they are.
    """
    template = None
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None:
            template = _BY_CODE.get(code & 0xFF)
        else:
            text = str(exc).casefold()
            template = next((t for key, t in _BY_TEXT if key in text), None)
    elif isinstance(exc, OSError) and exc.errno is not None:
        template = _BY_ERRNO.get(exc.errno)
    if template is None:
        return None
    where = Path(path)
    return StoreError(template.format(path=where, folder=where.parent,
                                      detail=str(exc) or type(exc).__name__))


class StoreConnection(sqlite3.Connection):
    """A connection whose disk-level failures, in any statement or fetch, are StoreErrors."""

    path: Path | str = ":memory:"

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        with self.disk_errors():
            return self.cursor(_StoreCursor).execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        with self.disk_errors():
            return self.cursor(_StoreCursor).executemany(sql, parameters)

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        with self.disk_errors():
            return self.cursor(_StoreCursor).executescript(sql_script)

    @contextmanager
    def disk_errors(self) -> Iterator[None]:
        """Raise a disk-level failure as the StoreError that says what to do."""
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            mapped = store_error(exc, self.path)
            if mapped is None:
                raise
            raise mapped from exc


class _StoreCursor(sqlite3.Cursor):
    """Rows are read page by page while fetched: a damaged page shows here too."""

    def _disk_errors(self) -> AbstractContextManager[None]:
        connection = self.connection
        assert isinstance(connection, StoreConnection)
        return connection.disk_errors()

    def fetchone(self) -> Any:
        with self._disk_errors():
            return super().fetchone()

    def fetchmany(self, size: int | None = None) -> list[Any]:
        with self._disk_errors():
            return super().fetchmany(self.arraysize if size is None else size)

    def fetchall(self) -> list[Any]:
        with self._disk_errors():
            return super().fetchall()

    def __next__(self) -> Any:
        with self._disk_errors():
            return super().__next__()


def open_database(path: Path | str) -> sqlite3.Connection:
    """Open (creating if need be) and migrate the database at `path`.

    The app, a second window and a nightly `xerosync` may open it at the same moment: a
    busy database is waited for, and only a file SQLite cannot read is called damaged.
    """
    try:
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None,
                               factory=StoreConnection)
    except sqlite3.Error as exc:
        raise (store_error(exc, path) or StoreError(
            f"The app's data file {path} cannot be opened ({exc}).")) from exc
    assert isinstance(conn, StoreConnection)
    conn.path = path
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            _retry_while_busy(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = NORMAL")
        _retry_while_busy(lambda: _migrate(conn))
    except sqlite3.OperationalError as exc:
        conn.close()
        if _busy(exc):
            raise UserError(f"The app's data file {path} is busy: another xerosync is "
                            "using it. Try again when it has finished.") from exc
        raise UserError(f"The app's data file {path} cannot be opened ({exc}).") from exc
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise UserError(f"The app's data file {path} cannot be read ({exc}). Move it "
                        "aside and start the app again; your Xero data is not affected.") from exc
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing: BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any exception.

    A failed statement or COMMIT (a full disk) may have rolled back already, or left the
    transaction open: either way it ends here, and the first error is the one raised.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with suppress(sqlite3.Error, StoreError):
                conn.execute("ROLLBACK")
        raise


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _retry_while_busy(step: Callable[[], object], attempts: int = 60) -> None:
    """Run `step`, retrying for up to ~30 s while another connection holds the database.

    Switching a new database to WAL answers 'locked' at once, without the busy timeout.
    """
    for attempt in range(attempts):
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 + random.random() * 0.45)


def _migrate(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise UserError("The data folder was written by a newer version of "
                            "xerosync-desktop. Install the newer version to open it.")
        for number in range(version, SCHEMA_VERSION):
            for statement in _MIGRATIONS[number].split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
