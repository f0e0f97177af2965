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
from xerosync_desktop.gui.review_model import (
    ReviewColumn,
    ReviewTableModel,
    RowRole,
    SortRole,
)
from xerosync_desktop.review_columns import COLUMNS
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
    model.set_search("a")
    model.sort(ReviewColumn.CLIENT, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    model.set_search("")
    model.sort(-1)
    assert model.index(0, ReviewColumn.STATUS).data() == "Matched"
    assert model.index(0, ReviewColumn.CONTACT).data() == "ACME"
    assert model.index(0, ReviewColumn.SOURCE_ROW).data() == "2"
    assert model.index(3, 0).data(RowRole).status is Status.UNMATCHED


def test_model_filters_by_status_and_words() -> None:
    model = ReviewTableModel()
    model.set_rows(sample_rows())
    model.set_status(Status.NEW)
    assert [model.index(r, ReviewColumn.CLIENT).data() for r in range(model.rowCount())] == [
        "Beta"]
    model.set_status(None)
    model.set_search("acm")
    assert model.rowCount() == 1
    model.set_search("c9")
    assert [model.index(r, ReviewColumn.CONTACT).data() for r in range(model.rowCount())] == [
        "Old"]
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Status"


def test_review_model_headers_are_the_shared_columns() -> None:
    model = ReviewTableModel()
    headers = [model.headerData(i, Qt.Orientation.Horizontal)
               for i in range(model.columnCount())]
    assert headers == [column.header for column in COLUMNS]
    assert headers[ReviewColumn.NOTE:ReviewColumn.NOTE + 3] == [
        "Note", "Suggested Xero contact", "Suggestion reason"]
    assert ReviewColumn.STATUS == 0 and ReviewColumn.SOURCE_ROW == 9


def shown(model: ReviewTableModel, column: ReviewColumn) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_model_sorts_source_rows_as_numbers_and_empty_cells_last(
        qtmodeltester: ModelTester) -> None:
    clients = [Client(str(n), name, ClientStatus.ACTIVE, n)
               for n, name in ((10, "delta"), (2, "Bravo"), (100, "alpha"), (9, "Charlie"))]
    model = ReviewTableModel()
    model.set_rows(build_review(clients, [Contact("c1", "Zulu")], {}))
    qtmodeltester.check(model)
    assert model.index(0, ReviewColumn.SOURCE_ROW).data(SortRole) == 10
    model.sort(ReviewColumn.SOURCE_ROW, Qt.SortOrder.AscendingOrder)
    assert shown(model, ReviewColumn.SOURCE_ROW) == ["2", "9", "10", "100", ""]
    model.sort(ReviewColumn.SOURCE_ROW, Qt.SortOrder.DescendingOrder)
    assert shown(model, ReviewColumn.SOURCE_ROW) == ["", "100", "10", "9", "2"]
    model.sort(ReviewColumn.CLIENT, Qt.SortOrder.AscendingOrder)  # case set aside
    assert shown(model, ReviewColumn.CLIENT) == ["alpha", "Bravo", "Charlie", "delta", ""]
    model.sort(ReviewColumn.CONTACT, Qt.SortOrder.AscendingOrder)  # stable: file order after
    assert shown(model, ReviewColumn.CONTACT) == ["Zulu", "", "", "", ""]
    model.sort(ReviewColumn.SOURCE_ROW, Qt.SortOrder.AscendingOrder)
    model.set_search("a")  # the order holds through a filter change
    assert shown(model, ReviewColumn.SOURCE_ROW) == ["2", "9", "10", "100"]


def test_possible_match_row_shows_its_suggestion_in_its_own_colour() -> None:
    clients = [Client("1", "Acme Holdings", ClientStatus.ACTIVE, 2),
               Client("2", "Beta Partners", ClientStatus.ACTIVE, 3),
               Client("3", "Gamma", ClientStatus.ACTIVE, 4)]
    contacts = [Contact("c1", "Acme Holdings Ltd"),
                Contact("c2", "Partners, Beta", ContactStatus.ARCHIVED)]
    model = ReviewTableModel()
    model.set_rows(build_review(clients, contacts, {}))

    def cells(row: int) -> tuple[str, str, str]:
        return (model.index(row, ReviewColumn.STATUS).data(),
                model.index(row, ReviewColumn.SUGGESTED_CONTACT).data(),
                model.index(row, ReviewColumn.SUGGESTION_REASON).data())

    assert cells(0) == ("Possible match", "Acme Holdings Ltd",
                        "Same name apart from case, accents, punctuation and legal form")
    assert cells(1) == ("Possible match", "Partners, Beta",
                        "Same words in another order (archived in Xero)")
    assert cells(2) == ("New", "", "")

    def background(row: int) -> str:
        return model.index(row, ReviewColumn.STATUS).data(Qt.ItemDataRole.BackgroundRole) \
            .color().name()

    assert background(0) == background(1) != background(2)
    model.set_search("PUNCTUATION")  # the reason is searched, as the suggested contact is
    assert shown(model, ReviewColumn.CLIENT) == ["Acme Holdings"]
    model.set_search("archived in xero")
    assert shown(model, ReviewColumn.CLIENT) == ["Beta Partners"]
    model.set_search("partners, beta")
    assert shown(model, ReviewColumn.CLIENT) == ["Beta Partners", ""]


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_every_status_colour_is_distinct_and_its_text_readable() -> None:
    model = ReviewTableModel()
    model.set_rows([ReviewRow(status) for status in Status])
    colours = []
    for row in range(model.rowCount()):
        index = model.index(row, ReviewColumn.STATUS)
        back = index.data(Qt.ItemDataRole.BackgroundRole).color().name()
        text = index.data(Qt.ItemDataRole.ForegroundRole).color().name()
        lighter, darker = sorted((_luminance(back), _luminance(text)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 7, (Status(index.data()), back)  # AAA
        colours.append(back)
    assert len(set(colours)) == len(Status)


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


def test_rows_between_are_the_rows_shown_at_those_lines_after_a_sort_and_a_filter() -> None:
    clients = [Client(str(n), name, ClientStatus.ACTIVE, n)
               for n, name in ((2, "delta"), (3, "Bravo"), (4, "alpha"), (5, "Charlie"))]
    model = ReviewTableModel()
    model.set_rows(build_review(clients, [], {}))
    model.sort(ReviewColumn.CLIENT, Qt.SortOrder.DescendingOrder)
    model.set_search("a")  # delta, Charlie, Bravo, alpha: all hold an "a"
    assert [row.client_name for row in model.rows_between([(0, 0), (2, 3), (3, 3)])] == \
        ["delta", "Bravo", "alpha"]
    model.set_search("ha")
    assert shown(model, ReviewColumn.CLIENT) == ["Charlie", "alpha"]
    assert [row.client_name for row in model.rows_between([(1, 1)])] == ["alpha"]
    assert [row.client_name for row in model.shown_rows()] == ["Charlie", "alpha"]
    assert [row.client_name for row in model.rows()] == ["delta", "Bravo", "alpha", "Charlie"]
