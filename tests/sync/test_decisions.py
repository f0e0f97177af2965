"""Suggestions and the decisions a person makes on them, against the sandbox.

Each decision is made on a review, stored, and must survive a new connection to the store
(a restart) and a fresh read of the client file and Xero (a Reload); what reaches Xero is
checked in the sandbox: one contact per client, a possible match never created.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from xerosync_desktop.core.model import Status
from xerosync_desktop.errors import DecisionError, SyncBusyError
from xerosync_desktop.sync.decide import accept_suggestions, add_as_new, link_client, unlink
from xerosync_desktop.sync.events import LogEntry
from xerosync_desktop.sync.review import Review, load_review
from xerosync_desktop.sync.runner import run_plan

from .conftest import Demo, assert_xero_consistent, stored_links


@pytest.fixture
def near_misses(demo: Demo, tmp_path: Path) -> Path:
    """Xero contacts a person typed differently from TimeSolv, and a client for each."""
    for name, email in (("Northwind Traders Ltd", ""), ("Jane Doe", "jane@doe.example"),
                        ("Smith, Wilhelmina", ""), ("Pinnacle Accountancy", ""),
                        ("Quarry Plumbing", "")):
        demo.sandbox.add_contact(demo.tenant_id, Name=name, EmailAddress=email or None)
    path = tmp_path / "clients.csv"
    path.write_text("Client ID,Client Name,Status,Email\n"
                    "N1,Northwind Traders,Active,\n"
                    "N2,Doe Consulting,Active,JANE@doe.example\n"
                    "N3,Wilhelmina Smith,Active,\n"
                    "N4,Pinacle Accountancy,Active,\n"
                    "N5,Quarry Holdings,Active,\n", encoding="utf-8")
    return path


def reload(demo: Demo, clients: Path, **settings: object) -> Review:
    """A fresh review from a new store connection: what a restart and Reload show."""
    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        return load_review(replace(demo.settings(clients), **settings), xero, store,
                           lambda event: None)


def statuses(review: Review) -> dict[str, tuple[str, str, str]]:
    return {row.client_id: (row.status.label,
                            row.suggestion.contact.name if row.suggestion else row.contact_name,
                            row.suggestion.reason if row.suggestion else "")
            for row in review.rows if row.client is not None}


def sync(demo: Demo, review: Review) -> tuple[object, list[object]]:
    events: list[object] = []
    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        summary = run_plan(review, xero, store, events.append, lambda: False)
    return summary, events


def named(demo: Demo, name: str) -> list[dict]:
    return [c for c in demo.sandbox.contacts(demo.tenant_id) if c["Name"] == name]


def test_each_reason_is_suggested_and_a_possible_match_is_never_created(
        demo: Demo, near_misses: Path) -> None:
    review = reload(demo, near_misses)
    assert statuses(review) == {
        "N1": ("Possible match", "Northwind Traders Ltd",
               "Same name apart from case, accents, punctuation and legal form"),
        "N2": ("Possible match", "Jane Doe", "Same email address"),
        "N3": ("Possible match", "Smith, Wilhelmina", "Same words in another order"),
        "N4": ("Possible match", "Pinnacle Accountancy", "Close spelling (97% alike)"),
        "N5": ("New", "", ""),  # Quarry Plumbing is another firm
    }
    before = len(demo.sandbox.contacts(demo.tenant_id))

    summary, events = sync(demo, review)

    assert (summary.created, summary.skipped) == (1, 4)  # only Quarry Holdings
    assert len(demo.sandbox.contacts(demo.tenant_id)) == before + 1
    waiting = [e for e in events if isinstance(e, LogEntry) and e.client_id == "N1"]
    assert waiting[-1].message.startswith("Waiting for a decision: possibly Xero's "
                                          "'Northwind Traders Ltd'")
    assert named(demo, "Northwind Traders") == []


def test_accept_link_add_as_new_and_unlink_survive_a_restart_and_reach_xero_once(
        demo: Demo, near_misses: Path) -> None:
    review = reload(demo, near_misses)
    pinnacle = named(demo, "Pinnacle Accountancy")[0]["ContactID"]
    plumbing = named(demo, "Quarry Plumbing")[0]["ContactID"]
    with demo.ctx.open_store() as store:
        review = accept_suggestions(review, store, ["N1", "n2 "])
        review = add_as_new(review, store, ["N3"])
        review = link_client(review, store, "N4", pinnacle.upper())
        review = link_client(review, store, "N5", plumbing)
        review = unlink(review, store, ["N5"])
    after_restart = reload(demo, near_misses)
    assert {k: v[0] for k, v in statuses(after_restart).items()} == {
        "N1": "Mapped", "N2": "Mapped", "N3": "New", "N4": "Mapped", "N5": "New"}
    assert statuses(after_restart)["N1"][1] == "Northwind Traders Ltd"
    assert stored_links(demo)["N4"] == pinnacle and "N5" not in stored_links(demo)

    summary, _ = sync(demo, after_restart)

    assert (summary.created, summary.updated, summary.skipped, summary.failed) == (2, 3, 0, 0)
    assert len(named(demo, "Northwind Traders")) == 1  # renamed, the article's default
    assert named(demo, "Northwind Traders Ltd") == []
    assert [c["ContactNumber"] for c in named(demo, "Wilhelmina Smith")] == ["N3"]  # new
    assert len(named(demo, "Smith, Wilhelmina")) == 1  # the dismissed suggestion untouched
    assert named(demo, "Pinacle Accountancy")[0]["ContactID"] == pinnacle
    assert_xero_consistent(demo)


def test_keeping_the_name_in_xero_never_renames(demo: Demo, near_misses: Path) -> None:
    review = reload(demo, near_misses, keep_xero_names=True)
    with demo.ctx.open_store() as store:
        review = accept_suggestions(review, store, ["N1"])
    row = review.row_of("N1")
    assert row is not None and (row.status, row.xero_name) == (Status.MAPPED,
                                                               "Northwind Traders Ltd")

    summary, _ = sync(demo, review)

    assert summary.updated == 1
    kept = named(demo, "Northwind Traders Ltd")
    assert len(kept) == 1 and kept[0]["ContactNumber"] == "N1"
    assert named(demo, "Northwind Traders") == []
    again, _ = sync(demo, reload(demo, near_misses, keep_xero_names=True))
    assert again.updated == 0 and named(demo, "Northwind Traders") == []


def test_a_decision_that_cannot_be_made_changes_nothing(demo: Demo, near_misses: Path) -> None:
    review = reload(demo, near_misses)
    taken = named(demo, "Jane Doe")[0]["ContactID"]
    with demo.ctx.open_store() as store:
        review = accept_suggestions(review, store, ["N2"])
        for attempt, message in (
                (lambda: accept_suggestions(review, store, ["N5"]),
                 "Client N5 has no suggestion to accept (New)."),
                (lambda: link_client(review, store, "N9", taken),
                 "There is no client with ID 'N9' in the client file."),
                (lambda: link_client(review, store, "N1", "no-such-contact"),
                 "There is no contact with ContactID 'no-such-contact' in Demo Company (US)."),
                (lambda: link_client(review, store, "N1", taken),
                 "'Jane Doe' is already paired with client N2 (Mapped)"),
                (lambda: add_as_new(review, store, ["N2"]),
                 "Client N2 is Mapped to 'Jane Doe'"),
                (lambda: unlink(review, store, ["N5"]),
                 "Client N5 is not linked (New)")):
            with pytest.raises(DecisionError) as refused:
                attempt()
            assert refused.value.message.startswith(message)
    assert stored_links(demo) == {"N2": taken}


def test_a_link_made_after_an_interrupted_sync_stands(demo: Demo, tmp_path: Path) -> None:
    clients = tmp_path / "clients.csv"
    clients.write_text("Client ID,Client Name,Status\nR1,Rita Ramirez Designs,Active\n",
                       encoding="utf-8")
    chosen = demo.sandbox.add_contact(demo.tenant_id, Name="Ramirez Design Studio")["ContactID"]
    with demo.ctx.open_store() as store, store.transaction():  # a sync killed after Xero
        run_id = store.runs.start(demo.tenant_id, demo.tenant_name, str(clients),  # saved
                                  datetime.now(UTC))
        store.intents.record(demo.tenant_id, run_id, "create", "k" * 64, ["R1"])
    saved = demo.sandbox.add_contact(demo.tenant_id, Name="Rita Ramirez Designs",
                                     ContactNumber="R1")["ContactID"]
    with demo.ctx.open_store() as store:  # then the bookkeeper links R1 herself
        link_client(reload(demo, clients), store, "R1", chosen)

    summary, events = sync(demo, reload(demo, clients))

    assert stored_links(demo)["R1"] == chosen
    checked = [e for e in events if isinstance(e, LogEntry) and e.action == "Checked"]
    assert "that link stands" in checked[0].message and checked[0].contact_id == saved
    assert summary.created == 0
    with demo.ctx.open_store() as store:
        assert store.intents.open(demo.tenant_id) == []


def test_a_decision_waits_while_the_organisation_syncs(demo: Demo, near_misses: Path) -> None:
    review = reload(demo, near_misses)
    with demo.ctx.open_store() as syncing, \
            syncing.run_lock(demo.tenant_id, demo.tenant_name, "the xerosync command"):
        with demo.ctx.open_store() as store, pytest.raises(SyncBusyError) as busy:
            accept_suggestions(review, store, ["N1"])
    assert busy.value.message.startswith("A sync to Demo Company (US) is already running: "
                                         "the xerosync command")
    assert stored_links(demo) == {}
