"""Injected faults against a running sandbox, as the SDK and raw HTTP clients see them."""

from __future__ import annotations

import http.client
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest
import urllib3
from xero_python.accounting import Contact, Contacts
from xero_python.exceptions import ApiException, RateLimitException

from xerosync_desktop.sandbox import parse_fault
from xerosync_desktop.sandbox.injection import AppliedFault

if TYPE_CHECKING:
    from conftest import MakeSandbox, Session, Xero

    from xerosync_desktop.sandbox import XeroSandbox

US = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
GLOBAL = "b2e9d6c4-1a7f-4c35-8e20-6f4d3b9a7c22"
WRITE = "/Contacts?summarizeErrors=false"


def _names(sandbox: XeroSandbox, tenant: str = US) -> list[str]:
    return [c["Name"] for c in sandbox.contacts(tenant)]


def _batch(*names: str) -> Contacts:
    return Contacts(contacts=[Contact(name=name) for name in names])


# Every kind, selected by call number and by rate, on a PUT that is the organisation's first call
KINDS = [  # spec without selection, status seen (None: connection dropped), contact created
    ("drop", None, True),
    ("500", 500, False),
    ("503", 503, False),
    ("latency:seconds=0.01", 200, True),
    ("401", 401, False),
    ("429-minute", 429, False),
    ("429-day", 429, False),
    ("429-concurrent", 429, False),
    ("429-other", 429, False),
    ("hold:seconds=0.01", 200, True),
    ("hold:seconds=0.01,when=before", 200, True),
]


@pytest.mark.parametrize("selection", ["calls=1", "rate=1"])
@pytest.mark.parametrize(("spec", "status", "created"), KINDS)
def test_each_kind_applies_to_the_calls_it_selects(
        sandbox: XeroSandbox, xero: Xero, spec: str, status: int | None, created: bool,
        selection: str) -> None:
    token = xero.login()
    kind, _, params = spec.partition(":")
    sandbox.inject(f"{kind}:{selection}" + (f",{params}" if params else ""))
    body = {"Contacts": [{"Name": "Faulted Co"}]}
    if status is None:
        with pytest.raises(http.client.RemoteDisconnected):
            xero.api("PUT", WRITE, token, body=body)
    else:
        assert xero.api("PUT", WRITE, token, body=body).status == status
    assert ("Faulted Co" in _names(sandbox)) is created
    assert sandbox.writes(US) == int(created)
    assert sandbox.fault_log() == [AppliedFault(1, US, "PUT", kind)]
    sandbox.clear_faults()
    assert xero.api("GET", "/Contacts", token).status == 200
    assert len(sandbox.fault_log()) == 1
    assert sandbox.calls() == {US: 2, GLOBAL: 0}


def test_drop_commits_and_a_retry_with_the_same_key_replays(sandbox: XeroSandbox,
                                                             session: Session, xero: Xero) -> None:
    sandbox.inject("drop:calls=2,methods=PUT")
    session.accounting.get_contacts(US)
    body = _batch("Dropped Co")
    with pytest.raises(urllib3.exceptions.ProtocolError) as caught:
        session.accounting.create_contacts(US, body, summarize_errors=False,
                                           idempotency_key="batch-1")
    assert isinstance(caught.value.args[1], http.client.RemoteDisconnected)  # no byte answered
    stored = [c for c in sandbox.contacts(US) if c["Name"] == "Dropped Co"]
    assert len(stored) == 1 and sandbox.writes(US) == 1

    retry = session.accounting.create_contacts(US, body, summarize_errors=False,
                                               idempotency_key="batch-1")
    assert [str(c.contact_id) for c in retry.contacts] == [stored[0]["ContactID"]]
    assert _names(sandbox).count("Dropped Co") == 1 and sandbox.writes(US) == 1

    other = xero.api("PUT", WRITE, session.token, body={"Contacts": [{"Name": "Other Co"}]},
                     headers={"Idempotency-Key": "batch-1"})
    assert other.status == 400
    assert "is used with a different request" in other.json()["Message"]
    assert "Other Co" not in _names(sandbox)
    assert sandbox.fault_log() == [AppliedFault(2, US, "PUT", "drop")]


@pytest.mark.parametrize(("kind", "title"), [("500", "Internal Server Error"),
                                             ("503", "Service Unavailable")])
def test_server_errors_execute_nothing_and_are_not_replayed(
        sandbox: XeroSandbox, xero: Xero, kind: str, title: str) -> None:
    token = xero.login()
    sandbox.inject(f"{kind}:calls=1")
    body = {"Contacts": [{"Name": "Retried Co"}]}
    key = {"Idempotency-Key": "batch-2"}
    failed = xero.api("PUT", WRITE, token, body=body, headers=key)
    assert failed.status == int(kind)
    problem = failed.json()
    assert (problem["Status"], problem["Title"]) == (int(kind), title)
    assert failed.headers["x-minlimit-remaining"] == "59"  # admitted, so it counts
    assert failed.headers["xero-correlation-id"]
    assert "Retried Co" not in _names(sandbox)

    retried = xero.api("PUT", WRITE, token, body=body, headers=key)
    assert retried.status == 200
    assert _names(sandbox).count("Retried Co") == 1 and sandbox.writes(US) == 1


@pytest.mark.parametrize(("kind", "problem", "zeroed"), [
    ("429-minute", "minute", "X-MinLimit-Remaining"),
    ("429-day", "day", "X-DayLimit-Remaining")])
def test_429_burst_executes_nothing_and_counts_nothing(
        sandbox: XeroSandbox, session: Session, xero: Xero, kind: str, problem: str,
        zeroed: str) -> None:
    sandbox.inject(f"{kind}:calls=2-3,retry_after=7")
    session.accounting.get_contacts(US)
    for _ in range(2):
        with pytest.raises(RateLimitException) as caught:
            session.accounting.create_contacts(US, _batch("Burst Co"), summarize_errors=False,
                                               idempotency_key="batch-3")
        assert caught.value.rate_limit == problem
        assert caught.value.headers.get("Retry-After") == "7"
        assert caught.value.headers.get(zeroed) == "0"
    assert "Burst Co" not in _names(sandbox)

    after = xero.api("GET", "/Contacts", session.token)
    assert after.status == 200
    assert (after.headers["x-minlimit-remaining"], after.headers["x-daylimit-remaining"]) == (
        "58", "4998")  # calls 1 and 4 only
    session.accounting.create_contacts(US, _batch("Burst Co"), summarize_errors=False,
                                       idempotency_key="batch-3")
    assert _names(sandbox).count("Burst Co") == 1
    assert [(e.call, e.kind) for e in sandbox.fault_log()] == [(2, kind), (3, kind)]


def test_401_fault_answers_as_an_expired_token_and_a_refresh_recovers(
        sandbox: XeroSandbox, session: Session, xero: Xero) -> None:
    sandbox.inject("401:calls=1/3")
    faulted = xero.api("GET", "/Contacts", session.token)
    sandbox.expire_access_tokens()
    expired = xero.api("GET", "/Contacts", session.token)
    assert faulted.status == expired.status == 401
    assert faulted.headers["www-authenticate"] == expired.headers["www-authenticate"]
    any_instance = {"Instance": None}
    assert {**faulted.json(), **any_instance} == {**expired.json(), **any_instance}

    session.client.refresh_oauth2_token()
    with pytest.raises(ApiException) as caught:
        session.accounting.get_contacts(US)
    assert caught.value.status == 401
    old_access = session.token["access_token"]
    session.client.refresh_oauth2_token()
    assert session.token["access_token"] != old_access
    assert session.accounting.get_contacts(US).contacts
    assert [e.call for e in sandbox.fault_log()] == [1, 3]


def test_faults_select_by_organisation_and_method(sandbox: XeroSandbox, xero: Xero) -> None:
    token = xero.login()
    sandbox.inject(f"503:calls=1-2,tenant={GLOBAL.upper()}", "500:rate=1,methods=POST")
    assert xero.api("GET", "/Contacts", token, tenant=US).status == 200
    assert xero.api("GET", "/Contacts", token, tenant=GLOBAL).status == 503
    bogus = {"access_token": "bogus"}
    assert xero.api("GET", "/Contacts", bogus, tenant=GLOBAL).status == 401  # call 2: auth first
    assert xero.api("GET", "/Contacts", token, tenant=GLOBAL).status == 200
    assert xero.api("POST", WRITE, token, body={"Contacts": [{"Name": "Posted Co"}]}).status == 500
    assert "Posted Co" not in _names(sandbox)
    assert sandbox.fault_log() == [AppliedFault(1, GLOBAL, "GET", "503"),
                                   AppliedFault(2, US, "POST", "500")]
    assert sandbox.calls() == {US: 2, GLOBAL: 3}
    assert [f.spec for f in sandbox.faults()] == [f"503:calls=1-2,tenant={GLOBAL}",
                                                  "500:rate=1,methods=POST"]


def _faulted_calls(make_sandbox: MakeSandbox, xero_for: type[Xero], seed: int) -> list[int]:
    sandbox = make_sandbox(seed=seed, faults=(parse_fault("503:rate=0.3"),))
    xero = xero_for(sandbox)
    token = xero.login()
    statuses = [xero.api("GET", "/Contacts", token).status for _ in range(40)]
    faulted = [number for number, status in enumerate(statuses, 1) if status == 503]
    assert faulted == [entry.call for entry in sandbox.fault_log()]
    assert set(statuses) == {200, 503}
    return faulted


def test_rate_faults_are_reproducible_from_the_seed(make_sandbox: MakeSandbox,
                                                    xero_for: type[Xero]) -> None:
    first = _faulted_calls(make_sandbox, xero_for, seed=7)
    assert 2 <= len(first) <= 24
    assert _faulted_calls(make_sandbox, xero_for, seed=7) == first
    assert _faulted_calls(make_sandbox, xero_for, seed=8) != first


def _log_by_tenant(sandbox: XeroSandbox) -> dict[str, list[int]]:
    result: dict[str, list[int]] = {US: [], GLOBAL: []}
    for entry in sandbox.fault_log():
        result[entry.tenant].append(entry.call)
    return {tenant: sorted(calls) for tenant, calls in result.items()}


def _get_each(xero: Xero, token: dict[str, Any], tenants: list[str]) -> None:
    for tenant in tenants:
        xero.api("GET", "/Contacts", token, tenant=tenant)


def test_rate_draws_do_not_depend_on_the_order_of_calls(make_sandbox: MakeSandbox,
                                                        xero_for: type[Xero]) -> None:
    """Each organisation's faulted call numbers are the same whether its calls come one
    organisation after the other, interleaved, or racing on four threads."""
    logs = []
    for order in ("sequential", "interleaved", "threads"):
        sandbox = make_sandbox(seed=3, faults=(parse_fault("503:rate=0.3"),),
                               concurrent_limit=40)
        xero = xero_for(sandbox)
        token = xero.login()
        tenants = [US] * 20 + [GLOBAL] * 20 if order == "sequential" else [US, GLOBAL] * 20
        parts = [tenants[i::4] for i in range(4)] if order == "threads" else [tenants]
        threads = [threading.Thread(target=_get_each, args=(xero, token, part))
                   for part in parts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sandbox.calls() == {US: 20, GLOBAL: 20}
        logs.append(_log_by_tenant(sandbox))
    assert logs[0][US] and logs[0][GLOBAL] and logs[0][US] != logs[0][GLOBAL]
    assert logs[0] == logs[1] == logs[2]


class _Put:
    """A create_contacts call on its own thread, so the test can watch it being held."""

    def __init__(self, session: Session, name: str) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self._thread = threading.Thread(target=self._run, args=(session, name), daemon=True)
        self._thread.start()

    def _run(self, session: Session, name: str) -> None:
        try:
            self.result = session.accounting.create_contacts(
                US, _batch(name), summarize_errors=False, idempotency_key=f"hold-{name}")
        except Exception as exc:  # reported to the test
            self.result = exc
        finally:
            self.done.set()


@pytest.mark.parametrize("when", ["after", "before"])
def test_hold_keeps_the_answer_after_or_before_the_commit(
        sandbox: XeroSandbox, session: Session, when: str) -> None:
    started = threading.Event()
    sandbox.on_fault(lambda applied: started.set() if applied.kind == "hold" else None)
    sandbox.inject(f"hold:calls=1,seconds=60,when={when}")
    put = _Put(session, "Held Co")
    assert started.wait(10)
    assert ("Held Co" in _names(sandbox)) is (when == "after")
    assert sandbox.writes(US) == (1 if when == "after" else 0)
    assert not put.done.is_set()  # held for 60 s unless released
    sandbox.release_holds()
    assert put.done.wait(10)
    assert [c.name for c in put.result.contacts] == ["Held Co"]
    assert _names(sandbox).count("Held Co") == 1
    assert sandbox.fault_log() == [AppliedFault(1, US, "PUT", "hold")]


@pytest.mark.parametrize("spec", ["latency:calls=1,seconds=0.3", "hold:calls=1,seconds=0.3",
                                  "hold:calls=1,seconds=0.3,when=before"])
def test_latency_and_short_holds_end_on_their_own(sandbox: XeroSandbox, session: Session,
                                                 spec: str) -> None:
    sandbox.inject(spec)
    began = time.monotonic()
    session.accounting.get_contacts(US)
    assert time.monotonic() - began >= 0.3
    began = time.monotonic()
    session.accounting.get_contacts(US)
    assert time.monotonic() - began < 0.3
    assert len(sandbox.fault_log()) == 1


def test_stop_ends_a_hold(make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    sandbox = make_sandbox()
    session = xero_for(sandbox).session()
    started = threading.Event()
    sandbox.on_fault(lambda applied: started.set())
    sandbox.inject("hold:calls=1,seconds=60")
    put = _Put(session, "Stopped Co")
    assert started.wait(10)
    sandbox.stop()
    assert put.done.wait(10)
    assert "Stopped Co" in _names(sandbox)  # committed before the hold


@pytest.mark.parametrize(("spec", "problem", "retry_after"), [
    ("429-minute:calls=1", "minute", "60"), ("429-concurrent:calls=1", "concurrent", None),
    ("429-other:calls=1", "other", None), ("429-other:calls=1,retry_after=3", "other", "3")])
def test_429_faults_name_their_problem_and_retry_after_only_when_xero_would(
        sandbox: XeroSandbox, xero: Xero, spec: str, problem: str,
        retry_after: str | None) -> None:
    token = xero.login()
    sandbox.inject(spec)
    reply = xero.api("GET", "/Contacts", token)
    assert reply.status == 429
    assert (reply.headers.get("x-rate-limit-problem"), reply.headers.get("retry-after")) == (
        problem, retry_after)
    assert reply.headers.get("x-daylimit-remaining") != "0"  # only the daily limit says so
