"""The log workbook of a real run against the sandbox, read back as an auditor reads it.

The Run sheet names the organisation, which Xero, the client file as it was read (absolute
path, size, time, SHA-256 equal to the file's), the times with their UTC offset, the app's
version and every count; the Log sheet says each client's result in words and an update's
changed fields. A client file that changes or vanishes while the run goes on changes none
of that.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from xerosync_desktop import __version__
from xerosync_desktop.excel.export import write_log
from xerosync_desktop.sync.events import RESULTS, LogEntry, Progress, RunSummary
from xerosync_desktop.sync.runner import sync_clients

from .conftest import US, US_TENANT, Demo

OFFSET_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d")
HEADER = ("Client ID", "Client Name", "Status", "Email")


def write_clients(path: Path, emails: dict[str, str]) -> Path:
    """A client export with emails: `Audit Client <id>`, one per id."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [HEADER, *((cid, f"Audit Client {cid}", "Active", email)
                       for cid, email in emails.items())])
    return path


def sync(demo: Demo, clients: Path | str,
         on_event: Callable[[object], None] = lambda event: None) -> RunSummary:
    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        return sync_clients(demo.settings(clients), xero, store, on_event, lambda: False)


def log_workbook(demo: Demo, run_id: int, path: Path) -> tuple[dict[str, Any], list[dict]]:
    """Write the run's log as the app does, then read it back: the Run sheet's items and
    the Log sheet's lines by header."""
    with demo.ctx.open_store() as store:
        record = store.runs.get(run_id)
        assert record is not None
        write_log(path, store.runs.entries(run_id), record)
    workbook = load_workbook(path)
    run = dict(workbook["Run"].iter_rows(min_row=2, values_only=True))
    rows = list(workbook["Log"].iter_rows(values_only=True))
    return run, [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def counts(run: dict[str, Any]) -> dict[str, int]:
    return {result: run[result] for result in RESULTS}


def test_the_run_sheet_and_the_log_say_what_an_audit_needs(
        demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    emails = {f"A{i}": f"a{i}@old.example" for i in range(1, 6)}
    clients = write_clients(tmp_path / "clients.csv", emails)
    monkeypatch.chdir(tmp_path)  # the client file picked as a relative path

    first = sync(demo, "clients.csv")

    run, lines = log_workbook(demo, first.run_id, tmp_path / "first.xlsx")
    assert (run["Organisation"], run["Tenant ID"], run["Xero"]) == (US, US_TENANT,
                                                                   "Demo sandbox")
    assert run["Client file"] == str(clients) and os.path.isabs(run["Client file"])
    held = clients.read_bytes()
    assert run["Client file SHA-256"] == hashlib.sha256(held).hexdigest()
    assert run["Client file size"] == f"{len(held)} bytes"
    for item in ("Client file modified", "Started", "Finished"):
        assert OFFSET_TIME.fullmatch(run[item]), (item, run[item])
    assert run["Started"] <= run["Finished"]
    assert re.fullmatch(r"0:00:\d\d\.\d", run["Duration"])
    assert run["App version"] == __version__ and run["Outcome"] == "Finished"
    assert counts(run) == {"Created": 5, "Updated": 0, "Unchanged": 0, "Skipped": 0,
                           "Failed": 0}
    assert run["Log entries"] == len(lines) == 5 + 2  # and the Started and Summary lines
    assert "Client file note" not in run
    assert all(OFFSET_TIME.fullmatch(line["Time"]) for line in lines)

    # the bookkeeper corrects one email in TimeSolv and exports again
    emails["A3"] = "a3@new.example"
    write_clients(clients, emails)
    second = sync(demo, clients)

    run, lines = log_workbook(demo, second.run_id, tmp_path / "second.xlsx")
    assert counts(run) == {"Created": 0, "Updated": 1, "Unchanged": 4, "Skipped": 0,
                           "Failed": 0}
    assert run["Client file SHA-256"] == hashlib.sha256(clients.read_bytes()).hexdigest() \
        != hashlib.sha256(held).hexdigest()
    results = Counter(line["Result"] for line in lines if line["Result"])
    assert results == {"Updated": 1, "Unchanged": 4}  # a line per client counted
    updated = next(line for line in lines if line["Result"] == "Updated")
    assert (updated["Client ID"], updated["Changes"]) == (
        "A3", "Email: a3@old.example -> a3@new.example")
    assert all(line["Changes"] is None for line in lines if line is not updated)
    assert {line["Result"] for line in lines if line["Client ID"] is None} == {None}
    assert demo.sandbox.contacts(US_TENANT) and any(
        c.get("EmailAddress") == "a3@new.example" for c in demo.sandbox.contacts(US_TENANT))


def test_every_changed_field_of_an_update_is_on_its_own_line(
        demo: Demo, tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", {"B1": "b1@old.example"})
    sync(demo, clients)
    clients.write_text("Client ID,Client Name,Status,Email,Phone\n"
                       "B1,Audit Client B1,Active,b1@new.example,+1 555 0100\n",
                       encoding="utf-8")

    summary = sync(demo, clients)

    _, lines = log_workbook(demo, summary.run_id, tmp_path / "log.xlsx")
    updated = next(line for line in lines if line["Result"] == "Updated")
    assert updated["Changes"].splitlines() == ["Email: b1@old.example -> b1@new.example",
                                               "Phone: (empty) -> +1 555 0100"]


@pytest.mark.parametrize("what", ["deleted", "replaced"])
def test_a_client_file_gone_or_replaced_during_the_run_is_recorded_as_it_was_read(
        demo: Demo, tmp_path: Path, what: str) -> None:
    """The file is read once, at the start; whatever happens to it after, the run goes on
    and the record is of the bytes it synced."""
    clients = write_clients(tmp_path / "clients.csv", {"C1": "c1@example.com"})
    read = clients.read_bytes()
    after_read: list[str] = []

    def on_event(event: object) -> None:  # once the file is read, while Xero is read
        if isinstance(event, Progress) and "Reading contacts from Xero" in event.text \
                and not after_read:
            after_read.append(event.text)
            if what == "deleted":
                clients.unlink()
            else:
                write_clients(clients, {"C1": "c1@example.com", "C2": "c2@example.com"})

    summary = sync(demo, clients, on_event)

    assert after_read and (summary.outcome, summary.created) == ("finished", 1)
    run, _ = log_workbook(demo, summary.run_id, tmp_path / "log.xlsx")
    assert run["Client file"] == str(clients)
    assert run["Client file SHA-256"] == hashlib.sha256(read).hexdigest()
    assert run["Client file size"] == f"{len(read)} bytes"
    assert run["Outcome"] == "Finished" and "Client file note" not in run


def test_the_live_log_carries_an_updates_changes(demo: Demo, tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", {"D1": "d1@old.example"})
    sync(demo, clients)
    write_clients(clients, {"D1": "d1@new.example"})
    events: list[object] = []

    sync(demo, clients, events.append)

    updated = [e for e in events if isinstance(e, LogEntry) and e.result == "Updated"]
    assert [e.changes for e in updated] == [("Email: d1@old.example -> d1@new.example",)]
    assert "Email: d1@old.example -> d1@new.example" in updated[0].message
