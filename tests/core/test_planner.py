"""Planner rules on plain data: what is created, updated, skipped, and how it is batched."""

from __future__ import annotations

from xerosync_desktop.core.matcher import build_review
from xerosync_desktop.core.model import Client, ClientStatus, Contact, ContactStatus
from xerosync_desktop.core.planner import Action, plan_sync


def client(cid: str, name: str, status: ClientStatus = ClientStatus.ACTIVE, **kw: str) -> Client:
    return Client(client_id=cid, name=name, status=status, **kw)


def test_actions_per_status() -> None:
    clients = [
        client("1", "Acme"),
        client("2", "Mary  Jones", ClientStatus.INACTIVE, phone=" 555-0100 ", email="m@j.example"),
        client("3", "Old Town Bakery"),
        client("4", "Granite Peak", ClientStatus.PROSPECT),
    ]
    contacts = [Contact("c-acme", "Acme"),
                Contact("c-otb", "Old Town Bakery", ContactStatus.ARCHIVED),
                Contact("c-x", "Unrelated")]
    plan = plan_sync(build_review(clients, contacts, {}))

    (update,), = plan.updates
    assert (update.action, update.draft.contact_id, update.draft.contact_number) == (
        Action.UPDATE, "c-acme", "1")
    (create,), = plan.creates
    assert create.action is Action.CREATE
    assert create.draft.name == "Mary _Jones"
    assert create.draft.contact_id == ""
    assert create.draft.status is ContactStatus.ACTIVE  # inactive client, active contact
    assert [(p.phone_type, p.number) for p in create.draft.phones] == [("DEFAULT", "555-0100")]
    assert [(s.client.client_id, s.action) for s in plan.settled] == [
        ("3", Action.SKIP), ("4", Action.SKIP)]
    assert "archived in Xero" in plan.settled[0].reason
    assert plan.client_count == 4
    assert plan.batches == plan.updates + plan.creates


def test_batches_of_fifty() -> None:
    clients = [client(str(i), f"Client {i}") for i in range(120)]
    plan = plan_sync(build_review(clients, [], {}))
    assert [len(b) for b in plan.creates] == [50, 50, 20]
    assert [i.client.client_id for b in plan.creates for i in b] == [str(i) for i in range(120)]


def test_values_xero_would_refuse_fail_alone() -> None:
    clients = [client("1", "A" * 256), client("2", "Fine"), client("X" * 51, "Long Id"),
               client("4", "Phone", phone="9" * 51)]
    plan = plan_sync(build_review(clients, [], {}))
    assert [i.client.client_id for b in plan.creates for i in b] == ["2"]
    failed = {i.client.client_id: i.reason for i in plan.settled}
    assert set(failed) == {"1", "X" * 51, "4"}
    assert "256 characters long; Xero allows at most 255" in failed["1"]
    assert "client ID" in failed["X" * 51]
    assert "phone number" in failed["4"]
    assert all(i.action is Action.FAIL for i in plan.settled)


def test_update_keeps_a_foreign_contact_number() -> None:
    clients = [client("7", "Acme")]
    plan = plan_sync(build_review(clients, [Contact("c", "Acme", contact_number="ERP-1")], {}))
    assert plan.updates[0][0].draft.contact_number == ""


def test_unmatched_contacts_plan_nothing() -> None:
    plan = plan_sync(build_review([], [Contact("c", "Lonely")], {}))
    assert plan.client_count == 0 and plan.batches == ()
