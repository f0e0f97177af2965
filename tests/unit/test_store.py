"""The SQLite store: migrations, settings per organisation, mappings, runs and log entries."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from xerosync_desktop.core.model import Contact, ContactStatus
from xerosync_desktop.errors import UserError
from xerosync_desktop.store import Store, SyncSettings
from xerosync_desktop.store.db import SCHEMA_VERSION
from xerosync_desktop.sync.events import Level, LogEntry, RunSummary


def test_settings_are_kept_per_organisation(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        a = SyncSettings("tenant-a", "Org A", "/a.csv", True)
        b = SyncSettings("tenant-b", "Org B", "/b.csv", False)
        store.settings.save_sync_settings(a)
        store.settings.save_sync_settings(b)
    with Store(tmp_path / "db.sqlite3") as store:
        assert store.settings.sync_settings() == b  # the one picked last
        assert store.settings.sync_settings("tenant-a") == a
        assert store.settings.sync_settings("unknown") == SyncSettings(tenant_id="unknown")


def test_mappings_per_organisation_and_replace(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        store.mappings.save("a", {"1": "c1", "2": "c2"}, "confirmed")
        store.mappings.save("b", {"1": "other"}, "synced")
        store.mappings.save("a", {"2": "c2-new"}, "synced")
        assert store.mappings.for_tenant("a") == {"1": "c1", "2": "c2-new"}
        assert store.mappings.for_tenant("b") == {"1": "other"}
        assert (store.mappings.count("a"), store.mappings.count("b"),
                store.mappings.count("c")) == (2, 1, 0)


def test_runs_keep_every_entry_in_order(tmp_path: Path) -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    with Store(tmp_path / "db.sqlite3") as store:
        run_id = store.runs.start("a", "Org A", "/a.csv", now)
        store.runs.add_entries(run_id, [LogEntry(now, Level.INFO, "Created", f"m{i}", str(i))
                                        for i in range(75)])
        store.runs.finish(RunSummary(run_id, "Org A", "/a.csv", now, now, "finished",
                                     created=75))
        assert [e.message for e in store.runs.entries(run_id)] == [f"m{i}" for i in range(75)]
        record = store.runs.latest("a")
        assert record is not None and (record.run_id, record.created, record.outcome) == (
            run_id, 75, "finished")
        assert store.runs.latest("b") is None


def test_a_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.mappings.save("a", {"1": "c1"}, "synced")
            raise RuntimeError("boom")
        assert store.mappings.for_tenant("a") == {}


def test_schema_version_and_newer_database_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(UserError, match="newer version"):
        Store(path)


def test_the_upgrade_to_merges_and_emails_reads_every_organisation_again(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)  # as version 3 left it: no merged_to, a read mark
    conn.execute("ALTER TABLE mirror_contacts DROP COLUMN merged_to")
    conn.execute("ALTER TABLE mirror_contacts DROP COLUMN email")
    conn.execute("ALTER TABLE mirror_contacts DROP COLUMN details")
    conn.execute("DROP TABLE decisions")
    conn.execute("INSERT INTO mirror_reads VALUES ('t', 5000, '2026-01-01T00:00:00+00:00')")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.mirror.read_mark_ms("t") is None  # contacts merged before: read again
        with store.transaction():
            store.mirror.apply_read("t", [Contact("a", "Acme", ContactStatus.ARCHIVED,
                                                  merged_to="b", updated_ms=1),
                                          Contact("b", "Acme Ltd", updated_ms=2,
                                                  email="ap@acme.example")])
        assert [(c.merged_to, c.email) for c in store.mirror.contacts("t")] == [
            ("b", ""), ("", "ap@acme.example")]
        assert store.decisions.added_as_new("t") == set()


def test_a_damaged_file_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UserError, match="cannot be read"):
        Store(path)


def _open_together(path: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        Store(path).close()
    except Exception as exc:  # reported to the test
        results.put(f"{type(exc).__name__}: {exc}")
    else:
        results.put("ok")


def test_processes_opening_a_new_database_at_once_all_succeed(tmp_path: Path) -> None:
    """The app and a nightly xerosync may start together on a fresh data folder."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for trial in range(10):
        path = str(tmp_path / f"fresh-{trial}.sqlite3")
        barrier, results = context.Barrier(5), context.Queue()
        processes = [context.Process(target=_open_together, args=(path, barrier, results))
                     for _ in range(5)]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(timeout=60)
        assert outcomes == ["ok"] * 5
