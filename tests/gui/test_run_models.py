"""The run list and a whole run's log as Qt models: Qt's model tester, the cells, the filter."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from xerosync_desktop.errors import CancelledError
from xerosync_desktop.gui.latest_job import LatestJobRunner
from xerosync_desktop.gui.log_model import RunLogModel, read_run_log
from xerosync_desktop.gui.run_list import (
    RUN_HEADERS,
    RunColumn,
    RunListModel,
    RunRole,
    as_summary,
    duration_text,
    running,
)
from xerosync_desktop.store import Store
from xerosync_desktop.sync.events import Level, LogEntry, RunStarted, RunSummary

START = datetime(2026, 11, 24, 9, 3, 27, tzinfo=UTC)


def summary(run_id: int, seconds: float = 65, outcome: str = "finished",
            **counts: int) -> RunSummary:
    return RunSummary(run_id=run_id, tenant_name="Demo Company (US)", source_file="c.csv",
                      started_at=START + timedelta(hours=run_id),
                      finished_at=START + timedelta(hours=run_id, seconds=seconds),
                      outcome=outcome, **counts)


def cells(model: RunListModel, row: int) -> dict[str, str]:
    return {header: model.index(row, column).data()
            for column, header in enumerate(RUN_HEADERS)}


def test_run_list_passes_qt_model_tester_and_shows_each_run_newest_first(
        qtmodeltester: ModelTester) -> None:
    model = RunListModel()
    model.set_runs([summary(1, created=3, updated=2, unchanged=5, skipped=4, failed=1,
                            attention=2),
                    summary(2, 7200 + 420, "stopped", message="Xero's daily limit.")])
    qtmodeltester.check(model)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(10)] == [
        "Started", "Duration", "Outcome", "Created", "Updated", "Unchanged", "Skipped",
        "Failed", "Need attention", "Note"]
    local = (START + timedelta(hours=1)).astimezone()
    assert cells(model, 1) == {
        "Started": f"{local:%Y-%m-%d %H:%M:%S}", "Duration": "1 min 05 s",
        "Outcome": "Finished", "Created": "3", "Updated": "2", "Unchanged": "5",
        "Skipped": "4", "Failed": "1", "Need attention": "2", "Note": "From c.csv"}
    assert cells(model, 0)["Outcome"] == "Stopped" and cells(model, 0)["Duration"] == "2 h 07 min"
    assert cells(model, 0)["Note"] == "Xero's daily limit."
    assert "Xero's daily limit." in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, RunColumn.CREATED).data(RunRole).run_id == 1


def test_a_run_started_here_is_on_top_at_once_and_replaced_when_it_ends(
        qtmodeltester: ModelTester) -> None:
    model = RunListModel()
    qtmodeltester.check(model)
    model.set_runs([summary(1), summary(2)])
    started = RunStarted(3, START + timedelta(hours=3))
    assert model.put(running(started, "Demo Company (US)", "c.csv"), live=True) == 0
    assert cells(model, 0) | {"Started": ""} == {
        "Started": "", "Duration": "", "Outcome": "Running", "Created": "", "Updated": "",
        "Unchanged": "", "Skipped": "", "Failed": "", "Need attention": "",
        "Note": "Running now: its live log is below."}
    assert model.put(summary(3, 12, "cancelled", created=50,
                             message="Cancelled by the user.")) == 0
    assert model.rowCount() == 3
    assert cells(model, 0) | {"Started": ""} == {
        "Started": "", "Duration": "12 s", "Outcome": "Cancelled", "Created": "50",
        "Updated": "0", "Unchanged": "0", "Skipped": "0", "Failed": "0", "Need attention": "0",
        "Note": "Cancelled by the user."}


def test_a_run_left_running_by_another_process_is_not_called_running() -> None:
    model = RunListModel()
    model.set_runs([summary(1, 0, "running")])
    assert cells(model, 0)["Outcome"] == "Not finished"
    assert "the next sync marks it interrupted" in model.index(0, 0).data(
        Qt.ItemDataRole.ToolTipRole)


@pytest.mark.parametrize(("seconds", "text"), [(0.4, "0 s"), (59.6, "1 min 00 s"),
                                               (3599, "59 min 59 s"), (3600, "1 h 00 min")])
def test_duration_is_said_in_the_units_that_matter(seconds: float, text: str) -> None:
    assert duration_text(summary(1, seconds)) == text


def stored_run(path: Path, entries: int) -> tuple[Store, int]:
    """A run of `entries` clients in a real store: every 10th skipped, every 25th failed."""
    store = Store(path)
    run_id = store.runs.start("t1", "Demo Company (US)", "c.csv", START)
    actions = ["Skipped" if i % 10 == 0 else "Failed" if i % 25 == 0 else "Created"
               for i in range(entries)]
    levels = {"Skipped": Level.WARNING, "Failed": Level.ERROR, "Created": Level.INFO}
    with store.transaction():
        store.runs.add_entries(run_id, [
            LogEntry(START, Level.INFO, "Started", "Sync to Demo Company (US)."),
            LogEntry(START, Level.WARNING, "Needs attention", "Row 3: no name", "77", ""),
            *(LogEntry(START, levels[a], a, f"entry {i}", f"{i:05}", f"Client {i}")
              for i, a in enumerate(actions)),
            LogEntry(START, Level.INFO, "Summary", "Sync finished.")])
        store.runs.finish(summary(run_id, created=actions.count("Created"),
                                  skipped=actions.count("Skipped") + 1,
                                  failed=actions.count("Failed"), attention=1))
    return store, run_id


def test_a_whole_runs_log_shows_every_entry_and_filters_to_skipped_and_failed(
        qtmodeltester: ModelTester, tmp_path: Path) -> None:
    store, run_id = stored_run(tmp_path / "store.sqlite3", 12_000)
    with store:
        log = read_run_log(store, run_id)
        run = store.runs.get(run_id)
    assert run is not None
    model = RunLogModel()
    qtmodeltester.check(model)
    model.set_log(log)
    assert model.rowCount() == 12_003
    assert "Started" in model.index(0, 0).data() and "Summary" in model.index(12_002, 0).data()
    assert model.index(5, 0).data(Qt.ItemDataRole.ToolTipRole) == "entry 3"
    model.set_only_problems(True)
    assert model.rowCount() == run.skipped + run.failed  # what the run counted, no more
    actions = {model.entry(row).action for row in range(model.rowCount())}
    assert actions == {"Skipped", "Failed", "Needs attention"}
    failed = next(r for r in range(model.rowCount()) if model.entry(r).action == "Failed")
    colour = model.index(failed, 0).data(Qt.ItemDataRole.ForegroundRole).color().name()
    assert colour == "#b00020"
    model.set_only_problems(False)
    assert model.rowCount() == 12_003


def test_reading_a_log_stops_when_asked(tmp_path: Path) -> None:
    store, run_id = stored_run(tmp_path / "store.sqlite3", 10)
    with store, pytest.raises(CancelledError):
        read_run_log(store, run_id, lambda: True)


def test_a_stored_run_reads_as_its_summary_says(tmp_path: Path) -> None:
    store, run_id = stored_run(tmp_path / "store.sqlite3", 30)
    with store:
        record = store.runs.get(run_id)
    assert record is not None
    assert as_summary(record).text == ("Sync finished: 26 created, 0 updated, 0 unchanged, "
                                       "4 skipped (1 need attention), 1 failed.")


def test_only_the_newest_job_asked_for_is_run_to_the_end_and_delivered(
        qtbot: QtBot, tmp_path: Path) -> None:
    runner = LatestJobRunner(str(tmp_path))
    release = threading.Event()
    ran: list[str] = []
    delivered: list[object] = []

    def job(name: str) -> Callable[[Callable[[object], None], Callable[[], bool]], object]:
        def run(_report: Callable[[object], None], stop: Callable[[], bool]) -> object:
            ran.append(name)
            release.wait(5)
            if stop():
                raise CancelledError
            return name
        return run

    runner.start(job("first"), delivered.append, delivered.append)
    qtbot.waitUntil(lambda: ran == ["first"])
    runner.start(job("second"), delivered.append, delivered.append)
    runner.start(job("third"), delivered.append, delivered.append)
    release.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5_000)
    assert ran == ["first", "third"]  # the second was replaced before it started
    assert delivered == ["third"]
    runner.shutdown()
