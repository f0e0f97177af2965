"""The sync runner against a real sandbox: batches, per-contact failures, and calls that fail.

Each test asserts what Xero (the sandbox) holds and what the store kept afterwards: nothing
created twice, no link forgotten, every client in the log.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from xerosync_desktop.errors import AuthorizationError, SettingsError, XeroUnavailableError
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox
from xerosync_desktop.sync.events import LogEntry, Progress, Waiting
from xerosync_desktop.sync.runner import sync_clients

from .conftest import (
    US_TENANT,
    Clock,
    Demo,
    assert_xero_consistent,
    demo_context,
    run,
    sign_in,
    stored_links,
    write_clients,
)


def test_many_clients_in_batches_of_fifty(demo: Demo, tmp_path: Path) -> None:
    rows = [(f"{i:05}", f"Client Number {i}", "Active") for i in range(1, 121)]
    clients = write_clients(tmp_path / "clients.csv", rows)
    calls_before = demo.sandbox.call_count(demo.tenant_id)

    summary, events = run(demo, clients)

    assert (summary.outcome, summary.created, summary.failed) == ("finished", 120, 0)
    assert demo.sandbox.call_count(demo.tenant_id) - calls_before == 1 + 3  # read + 3 PUTs
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[-1].done == progress[-1].total == 120
    contacts = assert_xero_consistent(demo)
    by_number = {c.get("ContactNumber"): c for c in contacts}
    links = stored_links(demo)
    assert set(links) == {cid for cid, _, _ in rows}
    assert all(by_number[cid]["ContactID"] == links[cid] for cid in links)
    with demo.ctx.open_store() as store:
        assert len(store.runs.entries(summary.run_id)) == 120 + 2

    calls_before = demo.sandbox.call_count(demo.tenant_id)
    again, _ = run(demo, clients)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 120)
    assert demo.sandbox.call_count(demo.tenant_id) - calls_before == 1  # what changed: nothing
    assert len(demo.sandbox.contacts(demo.tenant_id)) == len(contacts)


def test_a_contact_xero_refuses_fails_alone(demo: Demo, tmp_path: Path) -> None:
    run(demo, write_clients(tmp_path / "first.csv", [("1", "Fresh Client", "Active"),
                                                      ("3", "Another Client", "Active")]))
    clients = write_clients(tmp_path / "clients.csv", [
        # renamed in TimeSolv to the name of a contact whose client left the file: the file
        # can't show the clash, so Xero refuses the update, and only it
        ("1", "Another Client", "Active"),
        ("4", "Brand New Client", "Active"),
        ("5", "N" * 256, "Active"),  # set aside before sending: needs attention
    ])
    summary, events = run(demo, clients)
    assert (summary.outcome, summary.created, summary.failed, summary.skipped,
            summary.attention) == ("finished", 1, 1, 1, 1)
    entries = [e for e in events if isinstance(e, LogEntry)]
    failed = {e.client_id: e.message for e in entries if e.action == "Failed"}
    assert "already assigned to another contact" in failed["1"]
    attention = {e.client_id: e.message for e in entries if e.action == "Needs attention"}
    assert attention["5"].startswith("Row 4 of the client file: The name is 256 characters")
    assert set(stored_links(demo)) == {"1", "3", "4"}
    names = {c["Name"] for c in assert_xero_consistent(demo)}
    assert {"Fresh Client", "Another Client", "Brand New Client"} <= names


def test_the_run_paces_itself_inside_the_minute_limit_and_never_gets_a_429(
        paths: AppPaths, clock: Clock, tmp_path: Path) -> None:
    rows = [(f"{i:05}", f"Paced Client {i}", "Active") for i in range(1, 161)]
    clients = write_clients(tmp_path / "clients.csv", rows)
    limited = SandboxOptions(port=0, data="demo", clock=clock, minute_limit=2)
    with XeroSandbox(limited) as sandbox:
        demo = Demo(demo_context(paths, sandbox, clock), sandbox, clock, US_TENANT)
        sign_in(demo.ctx)
        clock.advance(61)  # the sign-in's /connections call leaves the window
        before = sandbox.call_count(US_TENANT)
        started = clock()

        summary, events = run(demo, clients)  # read + 4 PUTs at 2 a minute

        assert (summary.outcome, summary.created, summary.failed) == ("finished", 160, 0)
        assert sandbox.call_count(US_TENANT) - before == 5  # no call refused, none repeated
        assert clock() - started >= 120  # two full minutes waited, on the test's clock
        waits = [e for e in events if isinstance(e, Waiting)]
        assert waits and waits[-1].seconds == 0
        assert any(w.seconds > 1 for w in waits)  # counted down
        waited = [e for e in events if isinstance(e, LogEntry) and e.action == "Waiting"]
        assert waited and "60 calls a minute" in waited[0].message
        assert len(stored_links(demo)) == 160
        assert_xero_consistent(demo)


def test_the_daily_limit_stops_cleanly_and_a_later_run_finishes(
        paths: AppPaths, clock: Clock, tmp_path: Path) -> None:
    rows = [(f"{i:05}", f"Limited Client {i}", "Active") for i in range(1, 161)]
    clients = write_clients(tmp_path / "clients.csv", rows)
    state = tmp_path / "xero-state.json"

    limited = SandboxOptions(port=0, data="demo", clock=clock, day_limit=4, state_file=state)
    with XeroSandbox(limited) as sandbox:
        demo = Demo(demo_context(paths, sandbox, clock), sandbox, clock, US_TENANT)
        sign_in(demo.ctx)
        summary, events = run(demo, clients)  # read + 3 PUTs; the 4th PUT meets the limit
        assert (summary.outcome, summary.stopped_by) == ("stopped", "day_limit")
        assert summary.created == 150
        assert "daily limit" in summary.message and "sync again after" in summary.message
        assert summary.resume_at is not None
        assert any(isinstance(e, LogEntry) and e.action == "Stopped" for e in events)
        assert len(stored_links(demo)) == 150  # every contact created is linked
        assert_xero_consistent(demo)
        with demo.ctx.open_store() as store:
            record = store.runs.get(summary.run_id)
            assert record is not None and record.stopped_by == "day_limit"
            assert record.resume_at == summary.resume_at

    # the next day: Xero (the same state) with its limit renewed; the app signs in again
    clock.advance(86400)
    with XeroSandbox(replace(limited, day_limit=5000)) as sandbox:
        demo = Demo(demo_context(paths, sandbox, clock), sandbox, clock, US_TENANT)
        sign_in(demo.ctx)
        summary, _ = run(demo, clients)
        assert (summary.outcome, summary.created, summary.unchanged) == ("finished", 10, 150)
        contacts = assert_xero_consistent(demo)
        numbers = Counter(c.get("ContactNumber") for c in contacts)
        assert all(numbers[cid] == 1 for cid, _, _ in rows)
        assert len(stored_links(demo)) == 160


def test_an_expired_access_token_is_refreshed_once_and_the_run_goes_on(
        demo: Demo, tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", [("1", "Token Client", "Active")])
    old_refresh = demo.ctx.vault.load()["refresh_token"]
    demo.sandbox.expire_access_tokens()  # Xero answers 401 although the token looks valid
    summary, _ = run(demo, clients)
    assert (summary.outcome, summary.created) == ("finished", 1)
    assert demo.ctx.vault.load()["refresh_token"] != old_refresh  # rotated and kept


def test_a_revoked_grant_asks_to_reconnect_and_loses_nothing(demo: Demo,
                                                              tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", [("1", "Grant Client", "Active")])
    run(demo, clients)
    links = stored_links(demo)
    demo.sandbox.revoke_all_grants()
    demo.sandbox.expire_access_tokens()
    with pytest.raises(AuthorizationError) as refused:
        run(demo, clients)
    assert "Connect to Xero again" in refused.value.message
    assert stored_links(demo) == links


def test_a_grant_revoked_mid_run_stops_it_asking_to_reconnect(demo: Demo,
                                                               tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", [
        (f"R{i:03}", f"Revoked Midway {i}", "Active") for i in range(120)])
    events: list[object] = []

    def report(event: object) -> None:
        events.append(event)
        if isinstance(event, Progress) and event.total == 120 and event.done >= 50:
            demo.sandbox.revoke_all_grants()  # the user disconnects the app in Xero

    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        summary = sync_clients(demo.settings(clients), xero, store, report, lambda: False)
    assert (summary.outcome, summary.stopped_by) == ("stopped", "authorization")
    assert summary.created == 50 and "Connect to Xero again" in summary.message
    created = [c for c in assert_xero_consistent(demo) if c.get("ContactNumber", "")[:1] == "R"]
    assert len(created) == 50
    assert len(stored_links(demo)) == 50  # every contact Xero holds is mapped


def test_xero_unreachable_is_a_clear_message(demo: Demo, tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", [("1", "Offline Client", "Active")])
    demo.sandbox.stop()
    with pytest.raises(XeroUnavailableError) as offline:
        run(demo, clients)
    assert "Could not reach Xero" in offline.value.message
    assert "Traceback" not in offline.value.message and "HTTP" not in offline.value.message


def test_sync_refuses_until_client_sync_is_enabled(demo: Demo, tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", [("1", "Gate Client", "Active")])
    settings = replace(demo.settings(clients), client_sync_enabled=False)
    with demo.ctx.open_store() as store, pytest.raises(SettingsError, match="Enable Client Sync"):
        sync_clients(settings, demo.ctx.open_xero(), store, lambda _: None, lambda: False)
    assert not any(c.get("ContactNumber") == "1" for c in demo.sandbox.contacts(demo.tenant_id))


def test_a_second_run_applies_its_batch_even_when_the_content_is_the_same(
        demo: Demo, tmp_path: Path) -> None:
    """Xero replays an Idempotency-Key's answer for minutes: a new run must not be replayed."""
    clients = write_clients(tmp_path / "clients.csv", [("1", "Zed Widgets", "Active")])
    run(demo, clients)
    run(demo, clients)  # the same update batch as the run before
    (contact,) = [c for c in demo.sandbox.contacts(demo.tenant_id)
                  if c.get("ContactNumber") == "1"]
    demo.sandbox.update_contact(demo.tenant_id, contact["ContactID"],
                                Name="Zed Widgets (edited in Xero)")
    summary, _ = run(demo, clients)
    assert summary.updated == 1
    (after,) = [c for c in demo.sandbox.contacts(demo.tenant_id)
                if c.get("ContactNumber") == "1"]
    assert after["Name"] == "Zed Widgets"
