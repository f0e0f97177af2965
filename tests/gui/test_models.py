"""The Qt models on their own: Qt's model tester, the live log cap, filtering."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.modeltest import ModelTester

from PySide6.QtCore import Qt

from xerosync_desktop.core.matcher import build_review
from xerosync_desktop.core.model import (
    Client,
    ClientStatus,
    Contact,
    ContactStatus,
    ReviewRow,
    Status,
)
from xerosync_desktop.gui.log_model import LiveLogModel
from xerosync_desktop.gui.review_model import ReviewFilterProxy, ReviewTableModel, RowRole
from xerosync_desktop.sync.events import Level, LogEntry


def sample_rows() -> list[ReviewRow]:
    clients = [Client("1", "Acme", ClientStatus.ACTIVE, 2),
               Client("2", "Beta", ClientStatus.ACTIVE, 3),
               Client("3", "Gamma", ClientStatus.PROSPECT, 4)]
    contacts = [Contact("c1", "ACME"), Contact("c9", "Old", ContactStatus.ARCHIVED)]
    return build_review(clients, contacts, {})


def test_review_model_passes_qt_model_tester(qtmodeltester: ModelTester) -> None:
    model = ReviewTableModel()
    model.set_rows(sample_rows())
    qtmodeltester.check(model)
    proxy = ReviewFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    assert model.index(0, 6).data() == "Matched"
    assert model.index(0, 4).data() == "ACME"
    assert model.index(0, 0).data() == "2"
    assert model.index(3, 0).data(RowRole).status is Status.UNMATCHED


def test_proxy_filters_by_status_and_words() -> None:
    model = ReviewTableModel()
    model.set_rows(sample_rows())
    proxy = ReviewFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_status(Status.NEW)
    assert [proxy.index(r, 2).data() for r in range(proxy.rowCount())] == ["Beta"]
    proxy.set_status(None)
    proxy.set_search("acm")
    assert proxy.rowCount() == 1
    proxy.set_search("c9")
    assert [proxy.index(r, 4).data() for r in range(proxy.rowCount())] == ["Old"]
    assert proxy.headerData(6, Qt.Orientation.Horizontal) == "Status"


def test_live_log_keeps_the_newest_fifty(qtmodeltester: ModelTester) -> None:
    model = LiveLogModel()
    qtmodeltester.check(model)
    now = datetime(2026, 11, 24, 10, tzinfo=UTC)
    for i in range(120):
        model.append(LogEntry(now, Level.INFO, "Created", f"entry {i}", str(i), f"Client {i}"))
    assert model.rowCount() == 50
    assert model.entries()[0].message == "entry 70"
    assert "entry 119" in model.index(49, 0).data()
    assert "Client 119 (119)" in model.index(49, 0).data()


def test_live_log_takes_a_batch_and_counts_down_below_it(qtmodeltester: ModelTester) -> None:
    model = LiveLogModel()
    qtmodeltester.check(model)
    now = datetime(2026, 11, 24, 10, tzinfo=UTC)
    model.extend(LogEntry(now, Level.INFO, "Created", f"entry {i}") for i in range(10))
    model.set_countdown("Waiting 30 s  Xero's per-minute limit was reached")
    model.set_countdown("Waiting 29 s  Xero's per-minute limit was reached")
    assert model.rowCount() == 11
    assert model.index(10, 0).data().startswith("Waiting 29 s")
    model.extend(LogEntry(now, Level.WARNING, "Waiting", f"late {i}") for i in range(200))
    assert model.rowCount() == 51  # the newest 50, then the countdown
    assert [e.message for e in model.entries()][:1] == ["late 150"]
    assert model.index(50, 0).data().startswith("Waiting 29 s")
    model.set_countdown("")
    assert model.rowCount() == 50 and model.countdown == ""
    assert "late 199" in model.index(49, 0).data()
