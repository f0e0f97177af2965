"""Contacts merged in Xero's web app: a client linked to a merged-away contact follows it.

Xero archives the contact merged away and points it at the one it went into
(MergedToContactID). A client linked to it is linked to where the merges ended, logged with
both names, and synced there; a merge into another client's contact blocks the client with
the reason instead of adding it again. The tests merge through the sandbox's test endpoint
and look at what Xero holds and at the review the bookkeeper sees.
"""

from __future__ import annotations

from pathlib import Path

from xerosync_desktop.core.model import ReviewRow, Status
from xerosync_desktop.sync.decide import unlink
from xerosync_desktop.sync.events import LogEntry
from xerosync_desktop.sync.review import load_review

from .conftest import Demo, assert_xero_consistent, run, stored_links, write_clients


def clients_file(tmp_path: Path) -> Path:
    rows = [("M1", "Merged Client One", "Active"), ("M2", "Merged Client Two", "Active"),
            ("M3", "Merged Client Three", "Active")]
    return write_clients(tmp_path / "clients.csv", rows)


def review_row(demo: Demo, clients: Path, client_id: str) -> ReviewRow:
    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        review = load_review(demo.settings(clients), xero, store, lambda event: None)
    return next(row for row in review.rows if row.client_id == client_id)


def logged(events: list[object], action: str) -> list[LogEntry]:
    return [e for e in events if isinstance(e, LogEntry) and e.action == action]


def contact(demo: Demo, contact_id: str) -> dict:
    return next(c for c in demo.sandbox.contacts(demo.tenant_id) if c["ContactID"] == contact_id)


def test_a_client_follows_its_contact_merged_into_another_and_is_synced_there(
        demo: Demo, tmp_path: Path) -> None:
    clients = clients_file(tmp_path)
    run(demo, clients)
    merged_away = stored_links(demo)["M1"]
    keeper = demo.sandbox.add_contact(demo.tenant_id, Name="Keeper Holdings")["ContactID"]
    demo.sandbox.merge_contacts(demo.tenant_id, merged_away, keeper)

    row = review_row(demo, clients, "M1")
    assert (row.status, row.contact_id) == (Status.MAPPED, keeper)
    assert "'Merged Client One' was merged in Xero into 'Keeper Holdings'" in row.note
    assert "Sync will rename the Xero contact to 'Merged Client One'" in row.note

    summary, events = run(demo, clients)

    assert (summary.outcome, summary.updated, summary.skipped, summary.failed) == \
        ("finished", 1, 0, 0)
    relinked = logged(events, "Relinked")
    assert [(e.client_id, e.contact_id) for e in relinked] == [("M1", keeper)]
    assert "'Merged Client One' was merged in Xero into 'Keeper Holdings'" \
        in relinked[0].message
    assert stored_links(demo)["M1"] == keeper
    kept = contact(demo, keeper)
    assert kept["Name"] == "Merged Client One"
    assert "ContactNumber" not in kept  # the merged-away contact still holds M1
    assert contact(demo, merged_away)["ContactStatus"] == "ARCHIVED"
    assert_xero_consistent(demo)

    again, _ = run(demo, clients)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 3, 0)


def test_a_chain_of_merges_is_followed_to_its_end(demo: Demo, tmp_path: Path) -> None:
    clients = clients_file(tmp_path)
    run(demo, clients)
    first = stored_links(demo)["M2"]
    middle = demo.sandbox.add_contact(demo.tenant_id, Name="Middle Co")["ContactID"]
    end = demo.sandbox.add_contact(demo.tenant_id, Name="End Co",
                                   ContactNumber="END-1")["ContactID"]
    demo.sandbox.merge_contacts(demo.tenant_id, first, middle)
    demo.sandbox.merge_contacts(demo.tenant_id, middle, end)

    summary, events = run(demo, clients)

    assert (summary.updated, summary.created, summary.failed) == (1, 0, 0)
    assert stored_links(demo)["M2"] == end
    kept = contact(demo, end)
    assert (kept["Name"], kept["ContactNumber"]) == ("Merged Client Two", "END-1")
    assert [e.contact_id for e in logged(events, "Relinked")] == [end]


def test_a_merge_into_another_clients_contact_blocks_the_client_and_adds_nothing(
        demo: Demo, tmp_path: Path) -> None:
    clients = clients_file(tmp_path)
    run(demo, clients)
    links = stored_links(demo)
    contacts_before = len(demo.sandbox.contacts(demo.tenant_id))
    demo.sandbox.merge_contacts(demo.tenant_id, links["M3"], links["M1"])

    row = review_row(demo, clients, "M3")
    assert row.status is Status.BLOCKED
    assert ("'Merged Client Three' was merged in Xero into 'Merged Client One', which is "
            "linked to client M1") in row.note
    assert review_row(demo, clients, "M1").status is Status.MAPPED

    summary, events = run(demo, clients)

    assert (summary.created, summary.skipped, summary.failed) == (0, 1, 0)
    skipped = [e for e in events if isinstance(e, LogEntry) and e.client_id == "M3"]
    assert "two clients cannot share one Xero contact" in skipped[-1].message
    assert "Restore it" not in skipped[-1].message
    assert len(demo.sandbox.contacts(demo.tenant_id)) == contacts_before
    assert stored_links(demo)["M1"] == links["M1"]


def test_a_client_blocked_by_a_merge_is_paired_again_once_unlinked(
        demo: Demo, tmp_path: Path) -> None:
    clients = clients_file(tmp_path)
    run(demo, clients)
    links = stored_links(demo)
    demo.sandbox.merge_contacts(demo.tenant_id, links["M3"], links["M1"])
    own = demo.sandbox.add_contact(demo.tenant_id, Name="Merged Client Three")["ContactID"]
    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        review = load_review(demo.settings(clients), xero, store, lambda event: None)
        assert "M3" in review.links  # so the Mapping tab offers Unlink on the Blocked row
        after = unlink(review, store, ["M3"])
    row = after.row_of("M3")
    assert row is not None and (row.status, row.contact_id) == (Status.MATCHED, own)

    summary, _ = run(demo, clients)

    assert (summary.created, summary.skipped, summary.failed) == (0, 0, 0)
    assert stored_links(demo)["M3"] == own
