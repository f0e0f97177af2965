"""The store's disk fails mid-run: one sentence naming the file and what to do; nothing lost.

The fault is SQLite's own, on the run's connection, as soon as Xero has answered a batch:
`max_page_count` stops the file from growing (SQLite's "database or disk is full", as a full
disk does), `query_only` refuses every write ("attempt to write a readonly database", as a
read-only folder does). The batch Xero saved is then not stored; the next run, on a fresh
connection as after freeing space, settles it: each client once in Xero, no intent open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from xerosync_desktop.errors import StoreError
from xerosync_desktop.store import Store
from xerosync_desktop.sync.events import LogEntry
from xerosync_desktop.sync.runner import sync_clients

from .conftest import Demo, assert_xero_consistent, run, stored_links, write_clients

CLIENTS = [(f"D{i:04}", f"Disk Client {i}", "Active") for i in range(1, 121)]


def fill_disk(store: Store) -> None:
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")


def make_read_only(store: Store) -> None:
    store.conn.execute("PRAGMA query_only = ON")


@pytest.mark.parametrize(("fault", "expected"), [
    (fill_disk, "The disk holding the app's data file {db} is full, so it cannot be written. "
                "Free some space on the disk that holds {folder}, then try again: anything "
                "already sent to Xero is settled by the next sync, never sent twice."),
    (make_read_only, "The app's data file {db} cannot be written: its folder is read-only or "
                     "not yours. Make {folder} and the files in it writable for your user, then "
                     "try again: anything already sent to Xero is settled by the next sync, "
                     "never sent twice."),
], ids=["disk full", "read-only"])
def test_a_store_that_cannot_be_written_mid_run_says_so_and_the_next_run_settles_it(
        demo: Demo, tmp_path: Path, fault: Callable[[Store], None], expected: str) -> None:
    clients = write_clients(tmp_path / "clients.csv", CLIENTS)
    events: list[object] = []

    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        def report(event: object) -> None:
            events.append(event)
            if isinstance(event, LogEntry) and event.action == "Created" and \
                    sum(isinstance(e, LogEntry) and e.action == "Created" for e in events) == 1:
                fault(store)  # Xero saved the first batch; its answer is not stored yet

        with pytest.raises(StoreError) as stopped:
            sync_clients(demo.settings(clients), xero, store, report, lambda: False)

    database = demo.ctx.paths.database
    assert stopped.value.message == expected.format(db=database, folder=database.parent)
    sent = [c for c in demo.sandbox.contacts(demo.tenant_id)
            if c.get("ContactNumber", "").startswith("D")]
    assert sent and len(sent) < len(CLIENTS)  # stopped mid-run, after Xero saved a batch
    with demo.ctx.open_store() as store:
        assert store.intents.open(demo.tenant_id)  # what was sent is not settled yet
        assert not store.mappings.for_tenant(demo.tenant_id)

    summary, events = run(demo, clients)  # the fault lifted: a new connection

    assert (summary.outcome, summary.created, summary.failed) == (
        "finished", len(CLIENTS) - len(sent), 0)
    assert sum(isinstance(e, LogEntry) and e.action == "Reconciled" for e in events) == len(sent)
    contacts = assert_xero_consistent(demo)
    by_number = {c.get("ContactNumber"): c["ContactID"] for c in contacts}
    links = stored_links(demo)
    assert {client_id: links[client_id] for client_id, _, _ in CLIENTS} == {
        client_id: by_number[client_id] for client_id, _, _ in CLIENTS}
    with demo.ctx.open_store() as store:
        assert store.intents.open(demo.tenant_id) == []
