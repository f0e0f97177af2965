"""The review's columns on plain data: order, values, and sort keys Python and Qt agree on."""

from __future__ import annotations

import pytest

from xerosync_desktop.core.matcher import build_review
from xerosync_desktop.core.model import Client, ClientStatus, Contact, ReviewRow
from xerosync_desktop.review_columns import COLUMNS, LAST_NUMBER, Kind, ReviewColumn


def rows() -> list[ReviewRow]:
    clients = [Client(str(n), name, ClientStatus.ACTIVE, n)
               for n, name in ((10, "delta"), (2, "Bravo"), (100, "alpha"), (9, "Acme Holdings"))]
    return build_review(clients, [Contact("c1", "Zulu"), Contact("c2", "Acme Holdings Ltd")], {})


def test_columns_in_order_with_their_headers() -> None:
    assert [(column.name, column.header) for column in COLUMNS] == [
        ("STATUS", "Status"), ("CLIENT", "TimeSolv Client"), ("CLIENT_ID", "Client ID"),
        ("CONTACT", "Xero Contact"), ("XERO_NAME", "Name in Xero"), ("NOTE", "Note"),
        ("SUGGESTED_CONTACT", "Suggested Xero contact"),
        ("SUGGESTION_REASON", "Suggestion reason"), ("CONTACT_ID", "Xero ContactID"),
        ("SOURCE_ROW", "Source Row")]
    assert list(COLUMNS) == list(ReviewColumn) and all(COLUMNS[i] == i for i in range(10))


def test_cells_and_text() -> None:
    acme, unpaired = rows()[3], rows()[-1]
    assert [column.cell(acme) for column in COLUMNS] == [
        "Possible match", "Acme Holdings", "9", "", "Acme Holdings", acme.note,
        "Acme Holdings Ltd", "Same name apart from case, accents, punctuation and legal form",
        "", 9]
    assert ReviewColumn.SOURCE_ROW.cell(unpaired) is None
    assert [ReviewColumn.SOURCE_ROW.text(row) for row in (unpaired, acme)] == ["", "9"]


@pytest.mark.parametrize(("column", "ascending"), [
    (ReviewColumn.SOURCE_ROW, ["2", "9", "10", "100", "", ""]),
    (ReviewColumn.CLIENT, ["Acme Holdings", "alpha", "Bravo", "delta", "", ""]),
    (ReviewColumn.CONTACT, ["Acme Holdings Ltd", "Zulu", "", "", "", ""]),
])
def test_sort_keys_order_numbers_as_numbers_text_by_case_folded_and_empty_last(
        column: ReviewColumn, ascending: list[str]) -> None:
    keys = [column.sort_key(row) for row in rows()]
    assert len({type(key) for key in keys}) == 1  # one type per column: Qt compares it
    assert [column.text(row) for row in sorted(rows(), key=column.sort_key)] == ascending


def test_searched_columns_and_the_empty_number() -> None:
    assert [c.name for c in COLUMNS if c.kind is Kind.SEARCHED] == [
        "CLIENT", "CLIENT_ID", "CONTACT", "XERO_NAME", "SUGGESTED_CONTACT",
        "SUGGESTION_REASON", "CONTACT_ID"]
    assert ReviewColumn.SOURCE_ROW.sort_key(rows()[-1]) == LAST_NUMBER < 2**31
