"""The test-only `/__sandbox/` endpoints, their Python face, and the virtual clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from xerosync_desktop.sandbox import VirtualClock

if TYPE_CHECKING:
    from conftest import MakeSandbox, Xero

    from xerosync_desktop.sandbox import XeroSandbox

US = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
GLOBAL = "b2e9d6c4-1a7f-4c35-8e20-6f4d3b9a7c22"
ENDPOINTS = ["calls", "faults", "fault-log", "clock", "merge"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_endpoints_are_absent_unless_asked_for(xero: Xero, name: str) -> None:
    reply = xero.http("GET", f"/__sandbox/{name}")
    assert reply.status == 404
    assert reply.body == b"The resource you're looking for cannot be found"


def test_calls_counts_every_accounting_call_and_committed_writes(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    sandbox = make_sandbox(test_endpoints=True)
    xero = xero_for(sandbox)
    token = xero.login()
    assert xero.api("GET", "/Contacts", token).status == 200
    assert xero.api("PUT", "/Contacts", token, body={"Name": "Counted Co"}).status == 200
    assert xero.api("PUT", "/Contacts", token, body={"Name": "Counted Co"}).status == 400
    assert xero.api("GET", "/Contacts", {"access_token": "bogus"}).status == 401
    expected = {"calls": {US: 4, GLOBAL: 0}, "writes": {US: 1, GLOBAL: 0}, "total": 4}
    assert xero.http("GET", "/__sandbox/calls").json() == expected
    assert xero.http("GET", "/__sandbox/calls").json() == expected  # counts nothing itself
    assert sandbox.calls() == expected["calls"]
    assert (sandbox.writes(US), sandbox.call_count(US)) == (1, 4)


def test_faults_are_listed_replaced_and_cleared(make_sandbox: MakeSandbox,
                                                xero_for: type[Xero]) -> None:
    sandbox = make_sandbox(test_endpoints=True)
    xero = xero_for(sandbox)
    assert xero.http("GET", "/__sandbox/faults").json() == []
    sent = ["drop:calls=3", "503:rate=0.1,methods=PUT/POST", "hold:calls=4,seconds=30"]
    canonical = ["drop:calls=3", "503:rate=0.1,methods=POST/PUT", "hold:calls=4"]
    assert xero.http("PUT", "/__sandbox/faults", body=sent).json() == canonical
    assert xero.http("GET", "/__sandbox/faults").json() == canonical
    assert [f.spec for f in sandbox.faults()] == canonical

    bad = xero.http("PUT", "/__sandbox/faults", body=["drop:calls=1", "nope"])
    assert bad.status == 400
    assert bad.json()["Message"].startswith("Bad fault 'nope': Unknown fault kind")
    assert xero.http("PUT", "/__sandbox/faults", body={"faults": []}).status == 400
    assert xero.http("GET", "/__sandbox/faults").json() == canonical  # nothing replaced

    sandbox.inject("401:calls=9")
    assert xero.http("GET", "/__sandbox/faults").json() == [*canonical, "401:calls=9"]
    assert xero.http("DELETE", "/__sandbox/faults").json() == []
    assert sandbox.faults() == []
    refused = xero.http("POST", "/__sandbox/faults", body=[])
    assert (refused.status, refused.headers["allow"]) == (405, "GET, PUT, DELETE")


def test_fault_log_lists_every_fault_applied(make_sandbox: MakeSandbox,
                                             xero_for: type[Xero]) -> None:
    sandbox = make_sandbox(test_endpoints=True)
    xero = xero_for(sandbox)
    token = xero.login()
    xero.http("PUT", "/__sandbox/faults", body=["503:calls=2", "429-day:calls=1"])
    statuses = [xero.api("GET", "/Contacts", token, tenant=t).status for t in (US, US, GLOBAL)]
    assert statuses == [429, 503, 429]
    assert xero.http("GET", "/__sandbox/fault-log").json() == [
        {"call": 1, "tenant": US, "method": "GET", "kind": "429-day"},
        {"call": 2, "tenant": US, "method": "GET", "kind": "503"},
        {"call": 1, "tenant": GLOBAL, "method": "GET", "kind": "429-day"}]
    xero.http("DELETE", "/__sandbox/faults")
    assert len(xero.http("GET", "/__sandbox/fault-log").json()) == 3  # the log is kept


def test_clock_moves_only_a_virtual_clock(make_sandbox: MakeSandbox,
                                          xero_for: type[Xero]) -> None:
    real = xero_for(make_sandbox(test_endpoints=True))
    assert real.http("POST", "/__sandbox/clock", body={"advance": 1}).status == 409
    with pytest.raises(RuntimeError):
        real.sandbox.advance_clock(1)

    clock = VirtualClock(start=1_800_000_000.0)
    virtual = xero_for(make_sandbox(test_endpoints=True, clock=clock))
    assert virtual.http("GET", "/__sandbox/clock").json() == {"now": 1_800_000_000.0}
    moved = virtual.http("POST", "/__sandbox/clock", body={"advance": 90.5})
    assert moved.json() == {"now": 1_800_000_090.5} and clock() == 1_800_000_090.5
    assert virtual.sandbox.advance_clock(9.5) == 1_800_000_100.0
    for bad in ({"advance": -1}, {"advance": "60"}, {"advance": True}, [60]):
        assert virtual.http("POST", "/__sandbox/clock", body=bad).status == 400
    assert clock() == 1_800_000_100.0


def test_virtual_clock_counts_the_minute_limit_without_waiting(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    sandbox = make_sandbox(clock=VirtualClock(), test_endpoints=True)
    xero = xero_for(sandbox)
    token = xero.login()
    assert [xero.api("GET", "/Contacts", token).status for _ in range(60)] == [200] * 60
    refused = xero.api("GET", "/Contacts", token)
    assert refused.status == 429
    assert (refused.headers["x-rate-limit-problem"], refused.headers["retry-after"]) == (
        "minute", "60")
    sandbox.advance_clock(59)
    assert xero.api("GET", "/Contacts", token).status == 429
    xero.http("POST", "/__sandbox/clock", body={"advance": 1})
    admitted = xero.api("GET", "/Contacts", token)
    assert admitted.status == 200
    assert admitted.headers["x-minlimit-remaining"] == "59"
    assert xero.http("GET", "/__sandbox/calls").json()["calls"][US] == 63


def test_virtual_clock_starts_now_and_only_moves_forward() -> None:
    clock = VirtualClock()
    start = clock()
    assert clock() == start
    with pytest.raises(ValueError):
        clock.advance(-0.1)
    assert clock.advance(0) == start


def test_sandbox_helpers_set_and_clear_faults(sandbox: XeroSandbox) -> None:
    with pytest.raises(ValueError, match="Bad fault 'drop'"):
        sandbox.inject("drop")
    sandbox.set_faults(["503:calls=1"])
    sandbox.inject("drop:calls=2")
    assert [f.spec for f in sandbox.faults()] == ["503:calls=1", "drop:calls=2"]
    sandbox.set_faults(["401:calls=3"])
    assert [f.spec for f in sandbox.faults()] == ["401:calls=3"]
    sandbox.clear_faults()
    assert sandbox.faults() == []


def test_merge_archives_the_contact_merged_away_and_points_it_at_the_kept_one(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    sandbox = make_sandbox(test_endpoints=True)
    xero = xero_for(sandbox)
    token = xero.login()
    gone = xero.api("PUT", "/Contacts", token, body={"Name": "Gone Co", "ContactNumber": "G1"}
                    ).json()["Contacts"][0]["ContactID"]
    kept = xero.api("PUT", "/Contacts", token, body={"Name": "Kept Co"}
                    ).json()["Contacts"][0]["ContactID"]

    reply = xero.http("POST", "/__sandbox/merge",
                      body={"tenant": US, "from": gone, "into": kept.upper()})

    assert reply.status == 200 and reply.json()["Name"] == "Kept Co"
    paged = {c["ContactID"]: c for c in xero.api(
        "GET", "/Contacts?page=1&includeArchived=true", token).json()["Contacts"]}
    assert paged[gone]["ContactStatus"] == "ARCHIVED"
    assert paged[gone]["MergedToContactID"] == kept
    assert paged[gone]["ContactNumber"] == "G1"  # undocumented; the sandbox leaves it
    assert "MergedToContactID" not in paged[kept]
    unpaged = xero.api("GET", "/Contacts?includeArchived=true", token).json()["Contacts"]
    assert all("MergedToContactID" not in c for c in unpaged)  # Xero: paged reads only

    again = xero.http("POST", "/__sandbox/merge", body={"tenant": US, "from": gone, "into": kept})
    assert (again.status, again.json()["Message"]) == (
        400, f"Contact {gone} was already merged into another contact.")
    into_archived = xero.http("POST", "/__sandbox/merge",
                              body={"tenant": US, "from": kept, "into": gone})
    assert into_archived.json()["Message"] == "Xero merges only into an active contact."
    assert xero.http("POST", "/__sandbox/merge",
                     body={"tenant": US, "from": "nope", "into": kept}).status == 404
    assert xero.http("POST", "/__sandbox/merge", body={"tenant": US}).status == 400
