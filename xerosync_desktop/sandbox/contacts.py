"""The Accounting API's Contacts endpoints for one organisation.

Public API: get_contacts(), get_contact(), write_contacts().

GET /Contacts filters, in this order: includeArchived (default false), IDs, where, searchTerm,
If-Modified-Since (contacts with UpdatedDateUTC >= the header's instant: `>=` so that a client
re-reading from its last sync time never misses a contact saved in that same second). Then
`order` (default UpdatedDateUTC ASC, ContactID ASC) and, with `page`, paging. summaryOnly drops
the heavy fields and forces paging (page 1 when no page is given).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from .exchange import NOT_FOUND_TEXT, Request, Response, json_response, text_response
from .query import QueryError, parse_if_modified_since, parse_order, parse_where, sort_contacts
from .rules import fold, is_guid
from .shapes import echo_element, envelope, render_contact, validation_error
from .state import SandboxState
from .writes import apply_elements

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_SEARCHED = ("Name", "FirstName", "LastName", "ContactNumber", "CompanyNumber", "EmailAddress")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def get_contacts(state: SandboxState, tenant_id: str, request: Request,
                 correlation_id: str) -> Response:
    """GET /Contacts."""
    params = request.params()
    try:
        predicate = parse_where(params.get("where", ""))
        order = parse_order(params.get("order", "")) or [("UpdatedDateUTC", False)]
    except QueryError as exc:
        return json_response(400, validation_error(str(exc), number=16,
                                                   kind="QueryParseException"))
    include_archived = params.get("includearchived", "").lower() == "true"
    summary = params.get("summaryonly", "").lower() == "true"
    ids = {i.strip().lower() for i in params.get("ids", "").split(",") if i.strip()}
    term = fold(params.get("searchterm", ""))
    header = request.header("if-modified-since")
    since = parse_if_modified_since(header) if header else None
    page = _int(params.get("page"), 1) if "page" in params or summary else None
    with state.lock:
        rows = [c for c in state.books[tenant_id]
                if (include_archived or c["ContactStatus"] != "ARCHIVED")
                and (not ids or c["ContactID"] in ids)
                and predicate(c)
                and (not term or any(term in fold(str(c.get(f) or "")) for f in _SEARCHED))
                and (since is None or c["UpdatedDateUTC"] * 1000 >= since)]
        rows = sort_contacts(rows, order)
        pagination = None
        if page is not None:
            page = max(1, page)
            size = min(MAX_PAGE_SIZE, state.options.max_page_size,
                       max(1, _int(params.get("pagesize"), DEFAULT_PAGE_SIZE)))
            pagination = {"page": page, "pageSize": size,
                          "pageCount": -(-len(rows) // size), "itemCount": len(rows)}
            if state.options.ignore_page:
                page, pagination = 1, None
            rows = rows[(page - 1) * size: page * size]
        items = [render_contact(c, detail=page is not None, summary=summary) for c in rows]
        body = envelope(correlation_id, state.now_ms(), "Contacts", items, pagination)
    return json_response(200, body)


def _find(state: SandboxState, tenant_id: str, key: str) -> dict[str, Any] | None:
    book = state.books[tenant_id]
    key = unquote(key)
    found = book.get(key) if is_guid(key) else None
    return found or book.by_number(key)


def get_contact(state: SandboxState, tenant_id: str, key: str,
                correlation_id: str) -> Response:
    """GET /Contacts/{ContactID} or /Contacts/{ContactNumber}."""
    with state.lock:
        contact = _find(state, tenant_id, key)
        if contact is None:
            return text_response(404, NOT_FOUND_TEXT)
        body = envelope(correlation_id, state.now_ms(), "Contacts", [render_contact(contact)])
    return json_response(200, body)


def _post_data_invalid(detail: str) -> Response:
    return json_response(400, validation_error(f"JSON for post data was invalid,{detail}",
                                               number=14, kind="PostDataInvalidException"))


def _elements(body: bytes) -> list[dict[str, Any]] | str:
    """The sent contacts, or why the body cannot be read."""
    try:
        data = json.loads(body.decode("utf-8") if body else "null")
    except (UnicodeDecodeError, ValueError) as exc:
        return f"Could not read the request body as JSON: {exc}"
    if isinstance(data, dict) and "Contacts" in data:
        data = data["Contacts"]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        return "Expected {\"Contacts\":[...]} or a single contact object."
    return data


def write_contacts(state: SandboxState, tenant_id: str, request: Request, mode: str,
                   correlation_id: str, key: str = "") -> Response:
    """PUT /Contacts (create), POST /Contacts (update or create), POST /Contacts/{id}."""
    elements = _elements(request.body)
    if isinstance(elements, str):
        return _post_data_invalid(elements)
    summarize = request.params().get("summarizeerrors", "true").lower() != "false"
    with state.lock:
        target_id = None
        if mode == "update":
            target = _find(state, tenant_id, key)
            if target is None:
                return text_response(404, NOT_FOUND_TEXT)
            target_id = target["ContactID"]
        outcomes = apply_elements(
            state.books[tenant_id], elements, mode=mode, now_ms=state.now_ms(),
            archived_name_blocks_create=state.options.archived_name_blocks_create,
            target_id=target_id)
        if any(o.contact is not None for o in outcomes):
            state.writes[tenant_id] += 1
            state.save()
        failed = [o for o in outcomes if o.errors]
        if summarize and failed:
            return json_response(400, validation_error(
                "A validation exception occurred",
                [echo_element(o.sent, o.contact_id, o.errors, False) for o in failed]))
        items = []
        for outcome in outcomes:
            if outcome.contact is None:
                items.append(echo_element(outcome.sent, outcome.contact_id, outcome.errors, True))
            else:
                item = render_contact(outcome.contact)
                if not summarize:
                    item["StatusAttributeString"] = "OK"
                items.append(item)
        body = envelope(correlation_id, state.now_ms(), "Contacts", items)
    return json_response(200, body)
