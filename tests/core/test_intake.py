"""The intake screen: every client ends up kept or set aside, never both, never lost."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xerosync_desktop.core.intake import screen_clients
from xerosync_desktop.core.model import Client, ClientProblem, ClientStatus
from xerosync_desktop.core.names import name_key, xero_name


def client(row: int, client_id: str, name: str,
           status: ClientStatus = ClientStatus.ACTIVE) -> Client:
    return Client(client_id, name, status, source_row=row)


def test_table_of_reasons() -> None:
    clients = [client(2, "1", "Acme"), client(3, " 1 ", "Other"), client(4, "2", "Twin"),
               client(5, "3", "TWIN"), client(6, "4", "Twin", ClientStatus.PROSPECT),
               client(7, "5", "\u200b\x00"), client(8, "6", "X" * 256),
               client(9, "7", "Y" * 256, ClientStatus.PROSPECT), client(10, "8" * 51, "Long id"),
               client(11, "9\x07", "Bell id"), client(12, "10", "Kept")]
    listed = screen_clients(clients, [ClientProblem(1, "10", "", "earlier")])
    assert [c.source_row for c in listed.clients] == [6, 9]
    reasons = {p.source_row: p.reason for p in listed.problems}
    assert "also used on row 3" in reasons[2] and "also used on row 2" in reasons[3]
    assert "for the same contact" in reasons[4] and "for the same contact" in reasons[5]
    assert "no visible characters" in reasons[7]
    assert "256 characters long" in reasons[8]
    assert "51 characters long" in reasons[10]
    assert "invisible control characters" in reasons[11]
    assert "also used on row 1" in reasons[12]
    assert listed.summary == "12 clients: 0 to sync, 2 prospects, 10 need attention"


names = st.sampled_from(["Acme", "ACME", "Acme  Ltd", "Café", "Cafe\u0301", "Beta", " beta ",
                         "\u200b", "Gamma", "Delta\x00"])
ids = st.sampled_from(["1", "01", " 1", "A", "a", "B", "C", "D"])
statuses = st.sampled_from(list(ClientStatus))


@given(st.lists(st.tuples(ids, names, statuses), max_size=12))
def test_nothing_lost_and_what_is_kept_can_be_synced(rows: list[tuple[str, str, ClientStatus]],
                                                     ) -> None:
    clients = [client(i + 2, cid, name, status) for i, (cid, name, status) in enumerate(rows)]
    listed = screen_clients(clients)
    kept = {c.source_row for c in listed.clients}
    aside = {p.source_row for p in listed.problems}
    assert kept | aside == {c.source_row for c in clients} and not kept & aside
    keys = [c.client_id.strip().casefold() for c in listed.clients]
    assert len(keys) == len(set(keys))
    sent = [name_key(xero_name(c.name)) for c in listed.clients
            if c.status is not ClientStatus.PROSPECT]
    assert len(sent) == len(set(sent)) and all(sent)
