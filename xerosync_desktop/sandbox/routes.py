"""Routing one request to its handler, with Xero's checks around the Accounting API.

Public API: Router.

Accounting calls go through, in order: call counting (every call naming an organisation),
injected 401/429 faults, bearer token (401), organisation connected to the grant and scope
(403), limits (429, nothing executed), injected latency, hold before and 500/503, body size
(413), Idempotency-Key replay, the handler, then an injected hold after and drop. Every
Accounting response carries the three limit headers and an Xero-Correlation-Id. Paths match
case-insensitively. `/__sandbox/...` is served only with the test endpoints on (control.py).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from typing import Any
from urllib.parse import unquote

from . import contacts, identity
from .clock import VirtualClock
from .control import control
from .exchange import NOT_FOUND_TEXT, Request, Response, json_response, text_response
from .injection import FaultPlan
from .limits import RateLimiter, too_many_requests
from .shapes import problem, validation_error
from .state import SandboxState

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY = 128
_READ_SCOPES = ("accounting.contacts", "accounting.contacts.read")


def _not_allowed(method: str, allowed: str) -> Response:
    message = f"The requested resource does not support http method '{method}'."
    return json_response(405, {"Message": message}, {"Allow": allowed})


class Router:
    """Turns a Request into a Response; shared by all server threads."""

    def __init__(self, state: SandboxState, limiter: RateLimiter,
                 signer: identity.TokenSigner) -> None:
        self.state = state
        self.limiter = limiter
        self.signer = signer

    def dispatch(self, request: Request) -> Response:
        """Answer one request; an unexpected failure becomes a 500, never a dropped socket."""
        try:
            return self._route(request)
        except Exception:
            log.exception("sandbox failed on %s %s", request.method, request.path)
            return json_response(500, problem(500, "Internal Server Error",
                                              "The sandbox failed on this request."))

    def _route(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/") if p]
        lowered = [p.lower() for p in parts]
        method = request.method
        if lowered[:2] == ["api.xro", "2.0"]:
            return self._accounting(request, parts[2:])
        if len(lowered) == 2 and lowered[0] == "__sandbox" and self.state.options.test_endpoints:
            return control(self.state, request, lowered[1])
        if lowered == ["identity", "connect", "authorize"]:
            if method != "GET":
                return _not_allowed(method, "GET")
            return identity.authorize(self.state, request)
        if lowered in (["connect", "token"], ["connect", "revocation"]):
            if method != "POST":
                return _not_allowed(method, "POST")
            if lowered[1] == "token":
                return identity.token(self.state, self.signer, request)
            return identity.revoke(self.state, request)
        if lowered == ["connections"]:
            if method != "GET":
                return _not_allowed(method, "GET")
            return identity.list_connections(self.state, request)
        if len(lowered) == 2 and lowered[0] == "connections":
            if method != "DELETE":
                return _not_allowed(method, "DELETE")
            return identity.delete_connection(self.state, request, unquote(parts[1]))
        return text_response(404, NOT_FOUND_TEXT)

    def _accounting(self, request: Request, parts: list[str]) -> Response:
        state = self.state
        tenant = (request.header("xero-tenant-id") or "").strip().lower()
        call = 0
        with state.lock:
            if tenant:
                state.calls[tenant] += 1
                call = state.calls[tenant]
                if isinstance(state.options.clock, VirtualClock):
                    state.options.clock.call_made()
            grant = state.grant_for_access_token(request.bearer())
            connected = grant is not None and tenant in state.orgs and any(
                c["tenantId"] == tenant for c in grant["connections"])
        app = grant["client_id"] if grant else ""
        plan = state.faults.plan(call, tenant, request.method)
        response = plan.refusal() or self._refused(grant, connected, request.method)
        if response is None:
            return self._admitted(request, parts, tenant, app, plan)
        for name, value in self.limiter.remaining(tenant, app).items():
            response.headers.setdefault(name, value)  # a 429 fault zeroes its own limit
        response.headers["Xero-Correlation-Id"] = str(uuid.uuid4())
        return response

    @staticmethod
    def _refused(grant: dict[str, Any] | None, connected: bool, method: str) -> Response | None:
        """401 without a valid token, 403 for an organisation or scope it lacks, else None."""
        if grant is None:
            return identity.unauthorized()
        scopes = set(grant["scopes"])
        wanted = _READ_SCOPES if method == "GET" else _READ_SCOPES[:1]
        if not connected or not any(scope in scopes for scope in wanted):
            return json_response(403, problem(403, "Forbidden", "AuthorizationUnsuccessful"))
        return None

    def _admitted(self, request: Request, parts: list[str], tenant: str, app: str,
                  plan: FaultPlan) -> Response:
        admission = self.limiter.admit(tenant, app)
        correlation_id = str(uuid.uuid4())
        if not admission.admitted:
            response = too_many_requests(admission.problem, admission.retry_after)
        else:
            try:
                if self.state.options.latency > 0:
                    time.sleep(self.state.options.latency)
                failure = plan.before_handler()
                if failure is not None:
                    response = failure  # executed nothing, so nothing to replay
                else:
                    response = self._idempotent(request, parts, tenant, correlation_id)
                    plan.after_handler(response)
            finally:
                self.limiter.release(tenant)
        response.headers.update(admission.headers)
        response.headers.setdefault("Xero-Correlation-Id", correlation_id)
        return response

    def _idempotent(self, request: Request, parts: list[str], tenant: str,
                    correlation_id: str) -> Response:
        if request.too_large:
            response = json_response(413, problem(413, "Payload Too Large",
                                                  "The request body is larger than 10 MB."))
            response.close = True
            return response
        key = request.header("idempotency-key")
        if not key or request.method not in ("PUT", "POST"):
            return self._contacts(request, parts, tenant, correlation_id)
        if len(key) > MAX_IDEMPOTENCY_KEY:
            return json_response(400, validation_error(
                f"The Idempotency-Key must be {MAX_IDEMPOTENCY_KEY} characters or fewer."))
        digest = hashlib.sha256(b"\n".join([request.method.encode(), request.path.encode(),
                                            request.query_string.encode(), request.body]))
        state = self.state
        with state.lock:
            now = state.now()
            window = state.options.idempotency_window
            for stale in [k for k, r in state.idempotency.items() if now - r["at"] >= window]:
                del state.idempotency[stale]
            record = state.idempotency.get((tenant, key))
            if record is not None:
                if record["fingerprint"] != digest.hexdigest():
                    return json_response(400, validation_error(
                        f"Idempotency Key {key} is used with a different request"))
                return Response(record["status"], record["body"], record["type"],
                                dict(record["headers"]))
            response = self._contacts(request, parts, tenant, correlation_id)
            response.headers.setdefault("Xero-Correlation-Id", correlation_id)
            state.idempotency[(tenant, key)] = {
                "fingerprint": digest.hexdigest(), "at": now, "status": response.status,
                "body": response.body, "type": response.content_type,
                "headers": dict(response.headers)}
            return response

    def _contacts(self, request: Request, parts: list[str], tenant: str,
                  correlation_id: str) -> Response:
        method = request.method
        if not parts or parts[0].lower() != "contacts" or len(parts) > 2:
            return text_response(404, NOT_FOUND_TEXT)
        if len(parts) == 1:
            if method == "GET":
                return contacts.get_contacts(self.state, tenant, request, correlation_id)
            if method in ("PUT", "POST"):
                mode = "create" if method == "PUT" else "upsert"
                return contacts.write_contacts(self.state, tenant, request, mode, correlation_id)
            return _not_allowed(method, "GET, PUT, POST")
        if method == "GET":
            return contacts.get_contact(self.state, tenant, parts[1], correlation_id)
        if method == "POST":
            return contacts.write_contacts(self.state, tenant, request, "update",
                                           correlation_id, parts[1])
        return _not_allowed(method, "GET, POST")
