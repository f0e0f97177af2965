"""The SQLite store: migrations, settings per organisation, mappings, runs and log entries."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from xerosync_desktop.core.model import Contact, ContactStatus, FileFacts
from xerosync_desktop.errors import UserError
from xerosync_desktop.excel.export import write_log
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


_VERSION_7_RUNS = ("xero", "app_version", "file_path", "file_size", "file_modified",
                   "file_sha256", "file_note", "waiting")


def undo_version_7(conn: sqlite3.Connection) -> None:
    """The tables as version 6 left them: no run facts for an audit, no changes per line."""
    for column in _VERSION_7_RUNS:
        conn.execute(f"ALTER TABLE runs DROP COLUMN {column}")
    conn.execute("ALTER TABLE run_log DROP COLUMN changes")


def test_the_upgrade_to_merges_and_emails_reads_every_organisation_again(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)  # as version 3 left it: no merged_to, a read mark
    undo_version_7(conn)
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


def test_runs_from_before_the_audit_facts_still_read_and_export(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)  # as version 6 left it, with a run it recorded
    undo_version_7(conn)
    conn.execute("INSERT INTO runs (tenant_id, tenant_name, source_file, started_at, "
                 "finished_at, outcome, created, updated, unchanged) VALUES ('t', 'Org A', "
                 "'clients.csv', '2026-11-24T09:00:00+00:00', '2026-11-24T09:01:00+00:00', "
                 "'finished', 1, 1, 3)")
    conn.executemany("INSERT INTO run_log (run_id, time, level, client_id, client_name, "
                     "action, contact_id, message) VALUES (1, '2026-11-24T09:00:30+00:00', "
                     "'INFO', ?, ?, ?, 'c', ?)",
                     [("1", "One", "Created", "Added to Xero as 'One'."),
                      ("2", "Two", "Updated", "Updated in Xero as 'Two' (Email: a -> b).")])
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()

    with Store(path) as store:
        old = store.runs.get(1)
        assert old is not None and (old.created, old.updated, old.unchanged) == (1, 1, 3)
        assert (old.client_file, old.xero, old.app_version, old.waiting) == (None, "", "", None)
        entries = store.runs.entries(1)
        assert [(e.result, e.changes) for e in entries] == [("Created", ()), ("Updated", ())]
        write_log(tmp_path / "old.xlsx", entries, old)

        now = datetime(2026, 12, 6, 13, 3, tzinfo=UTC)
        facts = FileFacts("/data/clients.csv", 123, now, "ab" * 32)
        new_id = store.runs.start("t", "Org A", "clients.csv", now, xero="real",
                                  app_version="9.9", client_file=facts)
        store.runs.add_entries(new_id, [LogEntry(now, Level.INFO, "Updated", "m", "2",
                                                 changes=("Email: a -> b", "Fax: -> 1"))])
        store.runs.finish(RunSummary(new_id, "Org A", "clients.csv", now, now, "finished",
                                     updated=1, waiting=2))
        new = store.runs.get(new_id)
        assert new is not None
        assert (new.client_file, new.xero, new.app_version, new.waiting) == (facts, "real",
                                                                             "9.9", 2)
        assert store.runs.entries(new_id)[0].changes == ("Email: a -> b", "Fax: -> 1")

    run_sheet = dict(load_workbook(tmp_path / "old.xlsx")["Run"].iter_rows(
        min_row=2, values_only=True))
    assert (run_sheet["Client file"], run_sheet["Updated"], run_sheet["Unchanged"]) == (
        "clients.csv", 1, 3)
    assert run_sheet["Client file SHA-256"] is None and run_sheet["Xero"] is None
