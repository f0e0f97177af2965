"""The sync engine through Xero's faults, injected at the sandbox; then what Xero holds.

Each test injects faults by call number (the organisation's Nth Accounting call), runs the
real engine over HTTP with the real SDK, and checks the sandbox afterwards: every client
once, no name or ContactNumber twice, every created contact linked, every failure logged.
Waits for Xero's limits and back-off move the test's clock (the app's Pacing sleeps on it).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import urllib3
from xero_python.api_client import ApiClient

from xerosync_desktop.core.model import Status
from xerosync_desktop.errors import SyncBusyError
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sync.events import LogEntry, Waiting
from xerosync_desktop.sync.review import confirm_mappings, load_review, refresh_mirror

from .conftest import (
    Demo,
    assert_xero_consistent,
    demo_context,
    run,
    sign_in,
    stored_links,
    write_clients,
)


def new_clients(tmp_path: Path, count: int, prefix: str = "Faulty") -> Path:
    rows = [(f"F{i:04}", f"{prefix} Client {i}", "Active") for i in range(1, count + 1)]
    return write_clients(tmp_path / "clients.csv", rows)


def next_call(demo: Demo) -> int:
    """The number the organisation's next Accounting call will have at the sandbox."""
    return demo.sandbox.call_count(demo.tenant_id) + 1


def entries(events: list[object], action: str) -> list[LogEntry]:
    return [e for e in events if isinstance(e, LogEntry) and e.action == action]


def assert_each_client_once(demo: Demo, client_ids: list[str]) -> None:
    """Every client has one contact holding its id, and its stored link points there."""
    contacts = assert_xero_consistent(demo)
    by_number = {c.get("ContactNumber"): c["ContactID"] for c in contacts}
    links = stored_links(demo)
    for client_id in client_ids:
        assert links[client_id] == by_number[client_id], client_id
    with demo.ctx.open_store() as store:
        assert store.intents.open(demo.tenant_id) == []


def test_a_batch_committed_then_dropped_is_retried_with_its_key_and_created_once(
        demo: Demo, tmp_path: Path) -> None:
    clients = new_clients(tmp_path, 120)
    read = next_call(demo)
    demo.sandbox.inject(f"drop:calls={read + 1}")  # the first PUT: saved, never answered

    summary, events = run(demo, clients)

    assert (summary.outcome, summary.created, summary.failed) == ("finished", 120, 0)
    assert [(f.call, f.kind) for f in demo.sandbox.fault_log()] == [(read + 1, "drop")]
    assert demo.sandbox.call_count(demo.tenant_id) == read + 4  # read, 3 PUTs, 1 retry
    assert demo.sandbox.writes(demo.tenant_id) == 3  # the retry was replayed, not applied
    assert any("connection to Xero failed" in w.reason for w in events
               if isinstance(w, Waiting))
    assert_each_client_once(demo, [f"F{i:04}" for i in range(1, 121)])


def test_server_errors_are_retried_with_back_off_and_logged(demo: Demo, tmp_path: Path) -> None:
    clients = new_clients(tmp_path, 60)
    read = next_call(demo)
    demo.sandbox.inject(f"503:calls={read + 1}", f"500:calls={read + 2}")
    started = demo.clock()

    summary, events = run(demo, clients)

    assert (summary.outcome, summary.created) == ("finished", 60)
    waited = entries(events, "Waiting")
    assert [("HTTP 503" in w.message, "HTTP 500" in w.message) for w in waited] == [
        (True, False), (False, True)]
    assert "retry 1 of 5" in waited[0].message and "retry 2 of 5" in waited[1].message
    assert demo.clock() - started >= 0.5 + 1  # back-off grows: half to all of 1 s, then 2 s
    assert_each_client_once(demo, [f"F{i:04}" for i in range(1, 61)])


def test_xero_down_stops_the_run_and_the_next_one_reconciles_by_contact_number(
        demo: Demo, tmp_path: Path) -> None:
    clients = new_clients(tmp_path, 120)
    read = next_call(demo)
    # the second PUT is saved by Xero on its first try, and no answer ever comes back
    demo.sandbox.inject(f"drop:calls={read + 2}-{read + 7}")

    summary, _ = run(demo, clients)

    assert (summary.outcome, summary.stopped_by, summary.created) == ("stopped", "error", 50)
    assert "Could not reach Xero while adding contacts" in summary.message
    assert len(demo.sandbox.contacts(demo.tenant_id)) == 15 + 100  # Xero has the 2nd batch
    with demo.ctx.open_store() as store:
        [pending] = store.intents.open(demo.tenant_id)
        assert pending.verb == "create" and len(pending.client_ids) == 50
    assert len(stored_links(demo)) == 50

    demo.sandbox.clear_faults()
    demo.clock.advance(3600)  # long past Xero's idempotency window: no replay can help
    again, events = run(demo, clients)

    assert (again.outcome, again.created, again.failed) == ("finished", 20, 0)
    reconciled = entries(events, "Reconciled")
    assert sorted(e.client_id for e in reconciled) == [f"F{i:04}" for i in range(51, 101)]
    assert len(demo.sandbox.contacts(demo.tenant_id)) == 15 + 120
    assert_each_client_once(demo, [f"F{i:04}" for i in range(1, 121)])


def test_an_access_token_expiring_mid_run_is_refreshed_and_the_run_goes_on(
        demo: Demo, tmp_path: Path) -> None:
    clients = new_clients(tmp_path, 100)
    old_refresh = demo.ctx.vault.load()["refresh_token"]
    demo.sandbox.inject(f"401:calls={next_call(demo) + 1}")

    summary, _ = run(demo, clients)

    assert (summary.outcome, summary.created) == ("finished", 100)
    assert demo.ctx.vault.load()["refresh_token"] != old_refresh
    assert_each_client_once(demo, [f"F{i:04}" for i in range(1, 101)])


def test_a_minute_limit_burst_is_waited_out_with_a_countdown(demo: Demo, tmp_path: Path,
                                                            ) -> None:
    clients = new_clients(tmp_path, 100)
    read = next_call(demo)
    demo.sandbox.inject(f"429-minute:calls={read + 1}-{read + 2},retry_after=30")
    started = demo.clock()

    summary, events = run(demo, clients)

    assert (summary.outcome, summary.created) == ("finished", 100)
    countdown = [w.seconds for w in events if isinstance(w, Waiting)]
    assert countdown[:31] == list(range(30, -1, -1))  # each second, down to 0
    assert len(entries(events, "Waiting")) == 2
    assert demo.clock() - started >= 60
    assert_each_client_once(demo, [f"F{i:04}" for i in range(1, 101)])


@pytest.mark.parametrize("kind", ["429-concurrent", "429-other"])
def test_a_429_without_retry_after_backs_off_briefly_and_is_never_the_daily_limit(
        demo: Demo, tmp_path: Path, kind: str) -> None:
    """Xero's concurrent-limit 429 has no Retry-After, and a problem the app does not know
    is no reason to stop for the day: a short back-off with jitter, then on."""
    clients = new_clients(tmp_path, 100)
    read = next_call(demo)
    demo.sandbox.inject(f"{kind}:calls={read + 1}-{read + 3}")
    started = demo.clock()

    summary, events = run(demo, clients)

    assert (summary.outcome, summary.created) == ("finished", 100)
    waits = entries(events, "Waiting")
    assert len(waits) == 3
    assert demo.clock() - started < 15  # about 1 + 2 + 4 s with jitter, not three minutes
    assert_each_client_once(demo, [f"F{i:04}" for i in range(1, 101)])


def test_an_unknown_limit_asking_for_hours_stops_the_run_but_is_not_the_daily_one(
        demo: Demo, tmp_path: Path) -> None:
    clients = new_clients(tmp_path, 60)
    read = next_call(demo)
    demo.sandbox.inject(f"429-other:calls={read + 2},retry_after=7200")
    started = demo.clock()

    summary, _ = run(demo, clients)

    assert (summary.outcome, summary.stopped_by, summary.created) == (
        "stopped", "minute_limit", 50)
    assert "A Xero rate limit was reached while adding contacts, and Xero asks to wait about " \
           "2 hours" in summary.message
    assert demo.clock() - started < 5  # stopped at once: no countdown of hours
    summary, _ = run(demo, clients)
    assert (summary.outcome, summary.created) == ("finished", 10)
    assert_each_client_once(demo, [f"F{i:04}" for i in range(1, 61)])


def test_the_daily_limit_met_mid_run_stops_with_when_to_resume_and_loses_nothing(
        demo: Demo, tmp_path: Path) -> None:
    clients = new_clients(tmp_path, 120)
    read = next_call(demo)
    demo.sandbox.inject(f"429-day:calls={read + 2},retry_after=7200")

    summary, _ = run(demo, clients)

    assert (summary.outcome, summary.stopped_by, summary.created) == (
        "stopped", "day_limit", 50)
    assert "sync again after" in summary.message and "(in about 2 hours)" in summary.message
    assert summary.resume_at is not None
    assert 7100 < (summary.resume_at - summary.finished_at).total_seconds() <= 7200

    demo.sandbox.clear_faults()
    again, _ = run(demo, clients)
    assert (again.outcome, again.created, again.unchanged) == ("finished", 70, 50)
    assert_each_client_once(demo, [f"F{i:04}" for i in range(1, 121)])


def test_a_second_run_for_the_organisation_is_refused_while_one_runs(
        demo: Demo, tmp_path: Path) -> None:
    clients = new_clients(tmp_path, 10)
    held = threading.Event()
    demo.sandbox.on_fault(lambda applied: held.set())
    demo.sandbox.inject(f"hold:calls={next_call(demo) + 1},when=before,seconds=30")
    first: list[object] = []
    running = threading.Thread(target=lambda: first.append(run(demo, clients)[0]))
    running.start()
    try:
        assert held.wait(10), "the first run never reached its write"
        with pytest.raises(SyncBusyError, match=r"A sync to Demo Company \(US\) is already "
                                                r"running: the xerosync app \(process \d+"):
            run(demo, clients)
    finally:
        demo.sandbox.release_holds()
        running.join(30)
    assert first and first[0].created == 10  # type: ignore[attr-defined]
    again, _ = run(demo, clients)  # the lock was given back
    assert (again.outcome, again.unchanged) == ("finished", 10)


def test_a_mapped_contact_archived_later_is_blocked_and_never_updated(
        demo: Demo, tmp_path: Path) -> None:
    clients = new_clients(tmp_path, 3)
    run(demo, clients)
    archived_id = stored_links(demo)["F0002"]
    archived = demo.sandbox.update_contact(demo.tenant_id, archived_id, ContactStatus="ARCHIVED")
    clients.write_text(clients.read_text().replace("Faulty Client 2", "Renamed Client 2"))

    summary, events = run(demo, clients)

    assert (summary.updated, summary.unchanged, summary.skipped) == (0, 2, 1)
    [skipped] = entries(events, "Skipped")
    assert skipped.client_id == "F0002" and "is archived in Xero" in skipped.message
    contact = next(c for c in demo.sandbox.contacts(demo.tenant_id)
                   if c["ContactID"] == archived_id)
    assert contact == archived  # untouched
    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        review = load_review(demo.settings(clients), xero, store, lambda event: None)
        row = next(r for r in review.rows if r.client_id == "F0002")
        assert row.status is Status.BLOCKED
        confirmed = confirm_mappings(review, store)
    assert next(r for r in confirmed.rows if r.client_id == "F0002").status is Status.BLOCKED


def test_a_fresh_data_folder_on_a_synced_organisation_creates_nothing(
        demo: Demo, tmp_path: Path) -> None:
    clients = new_clients(tmp_path, 70)
    first, _ = run(demo, clients)
    assert first.created == 70
    contacts = demo.sandbox.contacts(demo.tenant_id)

    elsewhere = Demo(demo_context(AppPaths.under(tmp_path / "new-workstation").ensure(),
                                  demo.sandbox, demo.clock), demo.sandbox, demo.clock,
                     demo.tenant_id)
    sign_in(elsewhere.ctx)
    summary, _ = run(elsewhere, clients)

    assert (summary.outcome, summary.created, summary.failed) == ("finished", 0, 0)
    assert len(demo.sandbox.contacts(demo.tenant_id)) == len(contacts)
    assert stored_links(elsewhere) == stored_links(demo)  # each client found by its id
    again, _ = run(elsewhere, clients)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 70)



def test_an_edit_in_xero_during_a_paged_read_is_neither_skipped_nor_lost(
        demo: Demo, tmp_path: Path) -> None:
    for i in range(1100):
        demo.sandbox.add_contact(demo.tenant_id, Name=f"Paged Contact {i:04}")
    in_xero = {c["ContactID"]: c for c in demo.sandbox.contacts(demo.tenant_id)}
    first_page = sorted(in_xero)[:1000]
    edited = first_page[10]  # read on page 1, then edited before page 2 is read
    held = threading.Event()
    demo.sandbox.on_fault(lambda applied: held.set())
    demo.sandbox.inject(f"hold:calls={next_call(demo) + 1},when=before,seconds=30")
    clients = new_clients(tmp_path, 1)

    def review() -> dict[str, str]:
        with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
            loaded = load_review(demo.settings(clients), xero, store, lambda event: None)
        return {c.contact_id: c.name for c in loaded.contacts}

    first: list[dict[str, str]] = []
    reading = threading.Thread(target=lambda: first.append(review()))
    reading.start()
    try:
        assert held.wait(10), "the read never reached its second page"
        demo.clock.advance(5)
        demo.sandbox.update_contact(demo.tenant_id, edited, Name="Edited While Reading")
    finally:
        demo.sandbox.release_holds()
        reading.join(30)
    assert set(first[0]) == set(in_xero)  # every contact, none slipped between pages

    demo.clock.advance(5)
    assert review()[edited] == "Edited While Reading"  # the next read picks the edit up


def contact_in_xero(demo: Demo, contact_id: str) -> dict:
    return next(c for c in demo.sandbox.contacts(demo.tenant_id)
                if c["ContactID"] == contact_id)


def one_client(path: Path, email: str, client_id: str = "R001",
               name: str = "Replay Client") -> Path:
    path.write_text(f"Client ID,Client Name,Status,Email\n{client_id},{name},Active,{email}\n",
                    encoding="utf-8")
    return path


def test_a_rename_in_xero_is_put_back_by_a_run_minutes_later(demo: Demo, tmp_path: Path,
                                                             ) -> None:
    clients = one_client(tmp_path / "clients.csv", "a@example.com")
    run(demo, clients)
    one_client(clients, "b@example.com")
    run(demo, clients)  # an update, whose answer Xero keeps for replay for minutes
    contact_id = stored_links(demo)["R001"]
    demo.clock.advance(5)
    demo.sandbox.update_contact(demo.tenant_id, contact_id, Name="Renamed In Xero")
    demo.clock.advance(5)

    summary, _ = run(demo, clients)  # the same update again: a new request, not a replay

    assert summary.updated == 1
    assert contact_in_xero(demo, contact_id)["Name"] == "Replay Client"


def test_an_update_whose_answer_was_lost_is_sent_again_even_if_the_file_goes_back(
        demo: Demo, tmp_path: Path) -> None:
    clients = one_client(tmp_path / "clients.csv", "a@example.com")
    run(demo, clients)
    contact_id = stored_links(demo)["R001"]
    read = next_call(demo)
    demo.sandbox.inject(f"drop:calls={read + 1}-{read + 6}")  # saved, never answered
    stopped, _ = run(demo, one_client(clients, "b@example.com"))
    assert stopped.outcome == "stopped"
    assert contact_in_xero(demo, contact_id)["EmailAddress"] == "b@example.com"
    demo.sandbox.clear_faults()
    demo.clock.advance(3600)

    summary, _ = run(demo, one_client(clients, "a@example.com"))

    assert (summary.updated, summary.unchanged) == (1, 0)
    assert contact_in_xero(demo, contact_id)["EmailAddress"] == "a@example.com"


def test_client_ids_differing_only_in_case_are_never_sent(demo: Demo, tmp_path: Path) -> None:
    """Xero's ContactNumber lookups ignore case, so `ab1` and `AB1` are one id: neither is
    guessed at, both need attention, and Xero gets nothing (reconciling after a lost answer
    could not tell them apart)."""
    clients = write_clients(tmp_path / "clients.csv", [("ab1", "Lower Co", "Active"),
                                                        ("AB1", "Upper Co", "Active")])
    before = len(demo.sandbox.contacts(demo.tenant_id))

    summary, events = run(demo, clients)

    assert (summary.created, summary.failed, summary.attention) == (0, 0, 2)
    assert sorted(e.client_id for e in entries(events, "Needs attention")) == ["AB1", "ab1"]
    assert len(assert_xero_consistent(demo)) == before
    assert stored_links(demo) == {}


def test_an_edit_while_xero_prepares_the_first_page_is_read_next_time(demo: Demo) -> None:
    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        refresh_mirror(demo.tenant_id, xero, store, lambda event: None)
        demo.clock.advance(60)
        first = min(c["ContactID"] for c in demo.sandbox.contacts(demo.tenant_id))
        held = threading.Event()
        demo.sandbox.on_fault(lambda applied: held.set())
        demo.sandbox.inject(f"hold:calls={next_call(demo)},when=after,seconds=30")
        def read_again() -> None:
            with demo.ctx.open_store() as own_store, demo.ctx.open_xero() as own_xero:
                refresh_mirror(demo.tenant_id, own_xero, own_store, lambda event: None)

        reading = threading.Thread(target=read_again)
        reading.start()
        try:
            assert held.wait(10)
            demo.clock.advance(1)  # the page is ready, its answer not yet sent
            demo.sandbox.update_contact(demo.tenant_id, first, Name="Edited During The Read")
            demo.clock.advance(5)  # the answer leaves six seconds after the query
        finally:
            demo.sandbox.release_holds()
            reading.join(30)
        demo.sandbox.clear_faults()
        demo.clock.advance(60)
        refresh_mirror(demo.tenant_id, xero, store, lambda event: None)
        names = {c.contact_id: c.name for c in store.mirror.contacts(demo.tenant_id)}
    assert names[first] == "Edited During The Read"


def test_a_token_refresh_whose_connection_drops_is_tried_again_not_a_reconnect(
        demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clients = new_clients(tmp_path, 5)
    demo.sandbox.expire_access_tokens()  # the next call answers 401: refresh, then retry
    refresh = ApiClient.refresh_oauth2_token
    attempts: list[int] = []

    def dropped_once(self: ApiClient, *args: object, **kwargs: object) -> object:
        attempts.append(1)
        if len(attempts) == 1:  # the network, not Xero: the SDK raises urllib3's error
            raise urllib3.exceptions.ProtocolError("Connection aborted.")
        return refresh(self, *args, **kwargs)

    monkeypatch.setattr(ApiClient, "refresh_oauth2_token", dropped_once)

    summary, _ = run(demo, clients)

    assert (summary.outcome, summary.created) == ("finished", 5)
    assert len(attempts) == 2
