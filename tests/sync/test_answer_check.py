"""A batch's answer is checked before it is trusted: Xero answering in another order.

The sandbox's `reorder` fault executes a write and answers its contacts in reverse order.
Paired by position, every client would be linked to another client's contact; checked by
ContactNumber, the batch is settled by reading Xero back. The tests look at what Xero holds
and at the links stored, never at the engine's insides.
"""

from __future__ import annotations

from pathlib import Path

from xerosync_desktop.sync.events import LogEntry

from .conftest import Demo, assert_xero_consistent, run, stored_links, write_clients


def clients_file(tmp_path: Path, count: int, suffix: str = "") -> Path:
    rows = [(f"R{i:03}", f"Reordered Client {i}{suffix}", "Active") for i in range(1, count + 1)]
    return write_clients(tmp_path / "clients.csv", rows)


def logged(events: list[object], action: str) -> list[LogEntry]:
    return [e for e in events if isinstance(e, LogEntry) and e.action == action]


def assert_linked_by_number(demo: Demo, count: int) -> dict[str, dict]:
    """Each client's stored link is the contact holding its client id; Xero has each once."""
    contacts = assert_xero_consistent(demo)
    by_number = {c["ContactNumber"]: c for c in contacts if c.get("ContactNumber")}
    links = stored_links(demo)
    for i in range(1, count + 1):
        client_id = f"R{i:03}"
        assert links[client_id] == by_number[client_id]["ContactID"], client_id
    with demo.ctx.open_store() as store:
        assert store.intents.open(demo.tenant_id) == []
    return by_number


def test_creates_answered_in_another_order_are_linked_by_client_id(
        demo: Demo, tmp_path: Path) -> None:
    clients = clients_file(tmp_path, 60)
    first_put = demo.sandbox.call_count(demo.tenant_id) + 2  # after the read
    demo.sandbox.inject(f"reorder:calls={first_put}")

    summary, events = run(demo, clients)

    assert [f.kind for f in demo.sandbox.fault_log()] == ["reorder"]
    assert (summary.outcome, summary.created, summary.failed) == ("finished", 60, 0)
    checked = logged(events, "Checked")
    assert len(checked) == 1 and "did not match what was sent" in checked[0].message
    assert "answer 1 of 50 names client ID 'R050' where client ID 'R001' was sent" \
        in checked[0].message
    by_number = assert_linked_by_number(demo, 60)
    created = {e.client_id: e.contact_id for e in logged(events, "Created")}
    assert created["R001"] == by_number["R001"]["ContactID"]
    assert len(created) == 60

    again, _ = run(demo, clients)  # the looked-up creates kept no fingerprint: sent again
    assert (again.created, again.updated, again.failed) == (0, 50, 0)
    third, _ = run(demo, clients)
    assert (third.created, third.updated, third.unchanged) == (0, 0, 60)


def test_updates_answered_in_another_order_go_to_the_right_contacts(
        demo: Demo, tmp_path: Path) -> None:
    run(demo, clients_file(tmp_path, 20))
    renamed = clients_file(tmp_path, 20, suffix=" LLP")
    first_post = demo.sandbox.call_count(demo.tenant_id) + 2
    demo.sandbox.inject(f"reorder:calls={first_post}")

    summary, events = run(demo, renamed)

    assert (summary.outcome, summary.updated, summary.failed) == ("finished", 20, 0)
    assert "names client ID 'R020' where client ID 'R001'" in logged(events, "Checked")[0].message
    by_number = assert_linked_by_number(demo, 20)
    for i in range(1, 21):
        assert by_number[f"R{i:03}"]["Name"] == f"Reordered Client {i} LLP"
    assert all("confirmed by looking it up" in e.message for e in logged(events, "Updated"))


def test_an_answer_in_order_is_trusted_without_reading_back(
        demo: Demo, tmp_path: Path) -> None:
    before = demo.sandbox.call_count(demo.tenant_id)

    summary, events = run(demo, clients_file(tmp_path, 60))

    assert summary.created == 60 and not logged(events, "Checked")
    # one read, two PUTs: no read-back when the answer fits
    assert demo.sandbox.call_count(demo.tenant_id) - before == 3
    assert_linked_by_number(demo, 60)


def test_updates_of_contacts_keeping_their_own_code_are_found_by_contactid(
        demo: Demo, tmp_path: Path) -> None:
    for i in (1, 2):  # the firm's own Contact Codes: the sync leaves them, sends no number
        demo.sandbox.add_contact(demo.tenant_id, Name=f"Coded Client {i}",
                                 ContactNumber=f"CUST-{i}")
    clients = write_clients(tmp_path / "clients.csv", [("K1", "Coded Client 1", "Active"),
                                                        ("K2", "Coded Client 2", "Active")])
    demo.sandbox.inject(f"reorder:calls={demo.sandbox.call_count(demo.tenant_id) + 2}")

    summary, events = run(demo, clients)

    assert (summary.updated, summary.failed) == (2, 0)
    assert len(logged(events, "Checked")) == 1
    codes = {c["Name"]: c["ContactNumber"] for c in demo.sandbox.contacts(demo.tenant_id)
             if c["Name"].startswith("Coded")}
    assert codes == {"Coded Client 1": "CUST-1", "Coded Client 2": "CUST-2"}
