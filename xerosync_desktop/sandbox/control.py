"""Test-only endpoints under `/__sandbox/`, served only with `SandboxOptions.test_endpoints`.

Public API: control().

- `GET /__sandbox/calls`: `{"calls": {tenantId: n}, "writes": {tenantId: n}, "total": n}`, the
  Accounting calls received per organisation (every status; each organisation listed, and any
  other tenant id a call named) and the write requests that saved something. These endpoints
  are not Accounting calls and count nothing.
- `GET /__sandbox/faults`: the faults in force as a JSON list of specs; `PUT` replaces them from
  such a list (400 naming a bad spec, nothing replaced); `DELETE` clears them.
- `GET /__sandbox/fault-log`: `[{"call", "tenant", "method", "kind"}]`, oldest first.
- `POST /__sandbox/merge` with `{"tenant": id, "from": ContactID, "into": ContactID}`: merge
  one contact into another as a person does in Xero's web app (merges.py); answers the kept
  contact (404 for an unknown organisation or contact, 400 for a merge Xero refuses).
- `GET /__sandbox/clock`: `{"now": seconds}`; `POST` with `{"advance": seconds}` moves a virtual
  clock and answers the new time (409 when the sandbox runs on another clock).
"""

from __future__ import annotations

import json
from typing import Any

from .clock import VirtualClock
from .exchange import NOT_FOUND_TEXT, Request, Response, json_response, text_response
from .faults import Fault, parse_fault
from .merges import merge_contacts
from .shapes import render_contact
from .state import SandboxState

_ALLOWED = {"calls": "GET", "faults": "GET, PUT, DELETE", "fault-log": "GET",
            "clock": "GET, POST", "merge": "POST"}


def _error(status: int, message: str) -> Response:
    return json_response(status, {"Message": message})


def _json_body(request: Request) -> Any:
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _calls(state: SandboxState) -> Response:
    with state.lock:
        calls, writes = state.call_counts()
    return json_response(200, {"calls": calls, "writes": writes, "total": sum(calls.values())})


def _faults(state: SandboxState, request: Request) -> Response:
    injector = state.faults
    if request.method == "PUT":
        specs = _json_body(request)
        if not isinstance(specs, list) or not all(isinstance(s, str) for s in specs):
            return _error(400, "Send a JSON list of fault specs, e.g. [\"drop:calls=3\"].")
        try:
            faults: list[Fault] = [parse_fault(spec) for spec in specs]
        except ValueError as exc:
            return _error(400, str(exc))
        injector.replace(faults)
    elif request.method == "DELETE":
        injector.replace(())
    return json_response(200, [fault.spec for fault in injector.faults()])


def _clock(state: SandboxState, request: Request) -> Response:
    clock = state.options.clock
    if request.method == "POST":
        if not isinstance(clock, VirtualClock):
            return _error(409, "The sandbox is not running on a virtual clock.")
        body = _json_body(request)
        seconds = body.get("advance") if isinstance(body, dict) else None
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            return _error(400, "Send {\"advance\": seconds}.")
        try:
            clock.advance(seconds)
        except ValueError as exc:
            return _error(400, str(exc))
    return json_response(200, {"now": clock()})


def _merge(state: SandboxState, request: Request) -> Response:
    body = _json_body(request)
    names = ("tenant", "from", "into")
    if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in names):
        return _error(400, "Send {\"tenant\": id, \"from\": ContactID, \"into\": ContactID}.")
    with state.lock:
        book = state.book(body["tenant"].strip().lower())
        if book is None:
            return _error(404, f"No organisation {body['tenant']}.")
        try:
            kept = merge_contacts(book, body["from"], body["into"], state.now_ms())
        except KeyError as exc:
            return _error(404, f"No contact {exc.args[0].removeprefix('no contact ')}.")
        except ValueError as exc:
            return _error(400, str(exc))
        state.save()
        return json_response(200, render_contact(kept))


def control(state: SandboxState, request: Request, name: str) -> Response:
    """Answer `/__sandbox/<name>`."""
    allowed = _ALLOWED.get(name)
    if allowed is None:
        return text_response(404, NOT_FOUND_TEXT)
    if request.method not in allowed.split(", "):
        return json_response(405, {"Message": f"Use {allowed} on /__sandbox/{name}."},
                             {"Allow": allowed})
    if name == "calls":
        return _calls(state)
    if name == "faults":
        return _faults(state, request)
    if name == "merge":
        return _merge(state, request)
    if name == "fault-log":
        return json_response(200, [entry.as_json() for entry in state.faults.log()])
    return _clock(state, request)
