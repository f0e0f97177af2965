"""The app's SQLite store: settings, mappings and decisions per Xero organisation, runs and
their logs.

Public API: Store, SyncSettings, XeroApp, RunRecord, transaction().
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path

from ..paths import user_lock_dir
from .db import open_database, transaction
from .decisions import Decisions
from .intents import Intent, Intents
from .mappings import Mappings
from .mirror import ContactMirror
from .run_lock import RunHolder, RunLock
from .runs import RunRecord, Runs
from .settings import DEFAULT_REDIRECT_PORT, Settings, SyncSettings, XeroApp

__all__ = ["Store", "SyncSettings", "XeroApp", "RunRecord", "transaction",
           "DEFAULT_REDIRECT_PORT", "Intent", "RunHolder", "RunLock"]


class Store:
    """One thread's connection to the database, with its repositories.

    `lock_dir` is the user's folder of sync locks (`AppPaths.lock_dir`), shared by every
    data folder; by default the user's own.
    """

    def __init__(self, path: Path | str, lock_dir: Path | None = None) -> None:
        self.path = Path(path)
        self.lock_dir = lock_dir if lock_dir is not None else user_lock_dir()
        self.conn = open_database(path)
        self.settings = Settings(self.conn)
        self.mappings = Mappings(self.conn)
        self.runs = Runs(self.conn)
        self.mirror = ContactMirror(self.conn)
        self.intents = Intents(self.conn)
        self.decisions = Decisions(self.conn)

    def run_lock(self, tenant_id: str, tenant_name: str, holder: str) -> RunLock:
        """The sync lock of one organisation (not yet taken), in the user's lock folder."""
        return RunLock(self.conn, self.lock_dir, self.path.parent, tenant_id, tenant_name,
                       holder)

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """All or nothing across the repositories."""
        return transaction(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
