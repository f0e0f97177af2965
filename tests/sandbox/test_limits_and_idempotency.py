"""Auth failures, API limits (429) with their headers, call counts, Idempotency-Key."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest
from xero_python.accounting import Contact, Contacts
from xero_python.exceptions import RateLimitException

if TYPE_CHECKING:
    from conftest import FakeClock, MakeSandbox, Reply, Xero

    from xerosync_desktop.sandbox import XeroSandbox

US = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
GLOBAL = "b2e9d6c4-1a7f-4c35-8e20-6f4d3b9a7c22"


def _limit_headers(reply: Reply) -> dict[str, str]:
    return {k: v for k, v in reply.headers.items() if k.endswith("limit-remaining")}


def test_every_accounting_response_carries_limit_headers(sandbox: XeroSandbox, xero: Xero) -> None:
    token = xero.login()
    replies = [xero.api("GET", "/Contacts", token),
               xero.api("GET", "/Contacts/00000", token),
               xero.api("GET", "/Contacts", token, tenant="11111111-1111-1111-1111-111111111111"),
               xero.api("GET", "/Contacts", {"access_token": "bogus"})]
    assert [r.status for r in replies] == [200, 404, 403, 401]
    for reply in replies:
        assert set(_limit_headers(reply)) == {"x-daylimit-remaining", "x-minlimit-remaining",
                                              "x-appminlimit-remaining"}
        assert reply.headers["xero-correlation-id"]
    assert replies[0].headers["x-minlimit-remaining"] == "59"
    assert replies[1].headers["x-daylimit-remaining"] == "4998"
    assert replies[0].headers["xero-correlation-id"] == replies[0].json()["Id"]


def test_unknown_or_missing_tenant_is_403(xero: Xero) -> None:
    token = xero.login()
    for tenant in ("11111111-1111-1111-1111-111111111111", None):
        reply = xero.api("GET", "/Contacts", token, tenant=tenant)
        assert reply.status == 403
        body = reply.json()
        assert (body["Title"], body["Status"], body["Detail"]) == (
            "Forbidden", 403, "AuthorizationUnsuccessful")


def test_minute_limit_gives_429_with_retry_after_and_executes_nothing(
        make_sandbox: MakeSandbox, xero_for: type[Xero], clock: FakeClock) -> None:
    sandbox = make_sandbox(clock=clock, minute_limit=3)
    session = xero_for(sandbox).session()
    for _ in range(3):
        session.accounting.get_contacts(US)
    clock.advance(20)
    body = Contacts(contacts=[Contact(name="Never Created")])
    with pytest.raises(RateLimitException) as caught:
        session.accounting.create_contacts(US, body, summarize_errors=False)
    assert caught.value.rate_limit == "minute"
    headers = caught.value.headers
    assert headers.get("Retry-After") == "40"
    assert headers.get("X-MinLimit-Remaining") == "0"
    assert "Never Created" not in [c["Name"] for c in sandbox.contacts(US)]
    assert sandbox.call_count(US) == 4
    session.accounting.get_contacts(GLOBAL)  # the limit is per organisation
    clock.advance(40)
    session.accounting.create_contacts(US, body, summarize_errors=False)
    assert "Never Created" in [c["Name"] for c in sandbox.contacts(US)]


def test_day_limit(make_sandbox: MakeSandbox, xero_for: type[Xero], clock: FakeClock) -> None:
    sandbox = make_sandbox(clock=clock, day_limit=2, token_lifetime=2 * 86400)
    xero = xero_for(sandbox)
    token = xero.login()
    assert xero.api("GET", "/Contacts", token).status == 200
    clock.advance(3600)
    assert xero.api("GET", "/Contacts", token).status == 200
    refused = xero.api("GET", "/Contacts", token)
    assert refused.status == 429
    assert refused.headers["x-rate-limit-problem"] == "day"
    assert refused.headers["retry-after"] == str(86400 - 3600)
    assert refused.headers["x-daylimit-remaining"] == "0"
    clock.advance(86400 - 3600)
    assert xero.api("GET", "/Contacts", token).status == 200


def test_app_minute_limit_spans_organisations(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    xero = xero_for(make_sandbox(app_minute_limit=2))
    token = xero.login()
    assert xero.api("GET", "/Contacts", token, tenant=US).status == 200
    assert xero.api("GET", "/Contacts", token, tenant=GLOBAL).status == 200
    refused = xero.api("GET", "/Contacts", token, tenant=GLOBAL)
    assert (refused.status, refused.headers["x-rate-limit-problem"]) == (429, "appminute")


def test_concurrent_limit(make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    sandbox = make_sandbox(concurrent_limit=2, latency=0.5)
    xero = xero_for(sandbox)
    token = xero.login()
    statuses: list[int] = []
    problems: list[str] = []
    retry_after: list[str | None] = []
    together = threading.Barrier(4)

    def call() -> None:
        together.wait(timeout=5)
        reply = xero.api("GET", "/Contacts", token)
        statuses.append(reply.status)
        problems.append(reply.headers.get("x-rate-limit-problem", ""))
        if reply.status == 429:
            retry_after.append(reply.headers.get("retry-after"))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 429, 429]
    assert problems.count("concurrent") == 2
    assert retry_after == [None, None]  # as Xero: the concurrent limit names no wait


def test_call_count_includes_401_and_429(make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    sandbox = make_sandbox(minute_limit=1)
    xero = xero_for(sandbox)
    token = xero.login()
    xero.api("GET", "/Contacts", {"access_token": "bogus"})
    xero.api("GET", "/Contacts", token)
    xero.api("GET", "/Contacts", token)
    assert sandbox.call_count(US) == 3
    assert sandbox.call_count(GLOBAL) == 0


def test_idempotency_key_replays_the_first_response(sandbox: XeroSandbox, xero: Xero) -> None:
    token = xero.login()
    body = {"Contacts": [{"Name": "Once Only Co"}]}
    key = {"Idempotency-Key": "batch-1"}
    first = xero.api("PUT", "/Contacts?summarizeErrors=false", token, body=body, headers=key)
    again = xero.api("PUT", "/Contacts?summarizeErrors=false", token, body=body, headers=key)
    assert (again.status, again.body) == (first.status, first.body)
    assert again.headers["xero-correlation-id"] == first.headers["xero-correlation-id"]
    assert [c["Name"] for c in sandbox.contacts(US)].count("Once Only Co") == 1
    other_tenant = xero.api("PUT", "/Contacts?summarizeErrors=false", token, body=body,
                            headers=key, tenant=GLOBAL)
    assert other_tenant.body != first.body  # keys are per organisation

    changed = xero.api("PUT", "/Contacts?summarizeErrors=false", token,
                       body={"Contacts": [{"Name": "Different Co"}]}, headers=key)
    assert changed.status == 400
    assert "is used with a different request" in changed.json()["Message"]
    too_long = xero.api("PUT", "/Contacts", token, body=body,
                        headers={"Idempotency-Key": "k" * 129})
    assert too_long.status == 400


def test_idempotency_replays_errors_and_expires(
        make_sandbox: MakeSandbox, xero_for: type[Xero], clock: FakeClock) -> None:
    sandbox = make_sandbox(clock=clock)
    xero = xero_for(sandbox)
    token = xero.login()
    body = {"Contacts": [{"Name": "Acme Holdings LLC"}]}
    key = {"Idempotency-Key": "retry-me"}
    first = xero.api("PUT", "/Contacts", token, body=body, headers=key)
    assert first.status == 400
    assert xero.api("PUT", "/Contacts", token, body=body, headers=key).body == first.body
    clock.advance(361)
    fresh = xero.api("PUT", "/Contacts", token, body={"Contacts": [{"Name": "Later Co"}]},
                     headers=key)
    assert fresh.status == 200


def test_a_429_is_not_kept_for_replay(
        make_sandbox: MakeSandbox, xero_for: type[Xero], clock: FakeClock) -> None:
    sandbox = make_sandbox(clock=clock, minute_limit=1)
    xero = xero_for(sandbox)
    token = xero.login()
    assert xero.api("GET", "/Contacts", token).status == 200
    body = {"Contacts": [{"Name": "Limited Co"}]}
    key = {"Idempotency-Key": "limited"}
    assert xero.api("PUT", "/Contacts", token, body=body, headers=key).status == 429
    clock.advance(60)
    assert xero.api("PUT", "/Contacts", token, body=body, headers=key).status == 200
    assert [c["Name"] for c in sandbox.contacts(US)].count("Limited Co") == 1


def test_the_idempotency_window_is_configurable(
        make_sandbox: MakeSandbox, xero_for: type[Xero], clock: FakeClock) -> None:
    sandbox = make_sandbox(clock=clock, idempotency_window=10)
    xero = xero_for(sandbox)
    token = xero.login()
    key = {"Idempotency-Key": "short"}
    first = xero.api("PUT", "/Contacts", token, body={"Contacts": [{"Name": "Short Co"}]},
                     headers=key)
    clock.advance(9.5)
    replayed = xero.api("PUT", "/Contacts", token, body={"Contacts": [{"Name": "Short Co"}]},
                        headers=key)
    assert replayed.body == first.body
    clock.advance(0.5)
    fresh = xero.api("PUT", "/Contacts", token, body={"Contacts": [{"Name": "Later Co"}]},
                     headers=key)
    assert fresh.status == 200
    assert {"Short Co", "Later Co"} <= {c["Name"] for c in sandbox.contacts(US)}
