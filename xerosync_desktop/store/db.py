"""SQLite database: connection, schema version, migrations, transactions.

Public API: open_database(), transaction(), SCHEMA_VERSION.

Plain sqlite3 in autocommit mode; every multi-statement change goes through `transaction()`.
A connection belongs to the thread that opened it: each worker opens its own.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import UserError

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
)

SCHEMA_VERSION = len(_MIGRATIONS)


def open_database(path: Path | str) -> sqlite3.Connection:
    """Open (creating if need be) and migrate the database at `path`.

    The app, a second window and a nightly `xerosync` may open it at the same moment: a
    busy database is waited for, and only a file SQLite cannot read is called damaged.
    """
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
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
    """All or nothing: BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


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
