"""The JSON Xero sends back: contacts, envelopes, error bodies, dates.

Public API: ms_date(), envelope(), render_contact(), echo_element(), validation_error(),
problem(), json_bytes().

Output rules (the SDK's deserializer): never a null (omit the key), JSON booleans, UpdatedDateUTC
as `/Date(ms+0000)/`, the two address slots (POBOX, STREET) and four phone slots (DDI, DEFAULT,
FAX, MOBILE) always present.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .rules import ADDRESS_TYPES, PHONE_TYPES, STRING_FIELDS

PROVIDER_NAME = "xerosync"
FIXED_ADDRESS_SLOTS = ("POBOX", "STREET")
FIXED_PHONE_SLOTS = ("DDI", "DEFAULT", "FAX", "MOBILE")
READ_ONLY_FIELDS = frozenset({
    "HasAttachments", "HasValidationErrors", "IsCustomer", "IsSupplier", "UpdatedDateUTC",
    "ValidationErrors", "Warnings", "StatusAttributeString", "Balances", "Attachments",
    "ContactGroups", "Website", "Discount", "MergedToContactID", "BatchPayments",
    "BrandingTheme", "PaymentTerms",
})
_TEXT_FIELDS = (*STRING_FIELDS, "TaxNumberType")


def json_bytes(data: Any) -> bytes:
    """Compact UTF-8 JSON, as Xero writes it."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ms_date(ms: int, offset: bool = True) -> str:
    """Microsoft JSON date: `/Date(ms+0000)/`, or `/Date(ms)/` for envelope timestamps."""
    return f"/Date({ms}+0000)/" if offset else f"/Date({ms})/"


def envelope(correlation_id: str, now_ms: int, key: str, items: list[dict[str, Any]],
             pagination: dict[str, int] | None = None) -> dict[str, Any]:
    """Xero's response wrapper around a list of records."""
    body: dict[str, Any] = {
        "Id": correlation_id,
        "Status": "OK",
        "ProviderName": PROVIDER_NAME,
        "DateTimeUTC": ms_date(now_ms, offset=False),
    }
    if pagination is not None:
        body["pagination"] = pagination
    body[key] = items
    return body


def _slots(stored: list[dict[str, Any]], kind: str, fixed: tuple[str, ...],
           allowed: tuple[str, ...]) -> list[dict[str, Any]]:
    by_type = {item[f"{kind}Type"]: item for item in stored}
    order = [*fixed, *(t for t in allowed if t not in fixed and t in by_type)]
    return [dict(by_type.get(slot_type, {f"{kind}Type": slot_type})) for slot_type in order]


def render_contact(stored: dict[str, Any], *, detail: bool = True,
                   summary: bool = False) -> dict[str, Any]:
    """One contact as Xero returns it; `detail` adds what only paging or a single GET shows."""
    out: dict[str, Any] = {"ContactID": stored["ContactID"]}
    if detail and stored.get("MergedToContactID"):
        out["MergedToContactID"] = stored["MergedToContactID"]
    for key in ("ContactNumber", "AccountNumber"):
        if stored.get(key):
            out[key] = stored[key]
    out["ContactStatus"] = stored["ContactStatus"]
    for key in _TEXT_FIELDS:
        if key not in ("ContactNumber", "AccountNumber") and stored.get(key):
            out[key] = stored[key]
    if not summary:
        out["Addresses"] = _slots(stored.get("Addresses", []), "Address", FIXED_ADDRESS_SLOTS,
                                  ADDRESS_TYPES)
        out["Phones"] = _slots(stored.get("Phones", []), "Phone", FIXED_PHONE_SLOTS, PHONE_TYPES)
    out["UpdatedDateUTC"] = ms_date(stored["UpdatedDateUTC"])
    if not summary:
        out["ContactGroups"] = []
        out["IsSupplier"] = False
        out["IsCustomer"] = False
        out["ContactPersons"] = [dict(p) for p in stored.get("ContactPersons", [])]
    out["HasAttachments"] = False
    out["HasValidationErrors"] = False
    return out


def without_nulls(value: Any) -> Any:
    """`value` with every null dropped from objects and lists, recursively."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value if v is not None]
    return value


def echo_element(sent: dict[str, Any], contact_id: str, messages: list[str],
                 status_attribute: bool) -> dict[str, Any]:
    """A failed element: what was sent, the ContactID it referred to, and why it failed."""
    out: dict[str, Any] = {"ContactID": contact_id}
    for key, value in without_nulls(sent).items():
        if key not in READ_ONLY_FIELDS and key != "ContactID":
            out[key] = value
    if status_attribute:
        out["StatusAttributeString"] = "ERROR"
    out["HasValidationErrors"] = True
    out["ValidationErrors"] = [{"Message": message} for message in messages]
    return out


def validation_error(message: str, elements: list[dict[str, Any]] | None = None,
                     number: int = 10, kind: str = "ValidationException") -> dict[str, Any]:
    """Xero's 400 body (the `Error` schema)."""
    body: dict[str, Any] = {"ErrorNumber": number, "Type": kind, "Message": message}
    if elements is not None:
        body["Elements"] = elements
    return body


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    """The problem-details body Xero sends with 401 and 403 (its `Type` really is null)."""
    return {"Type": None, "Title": title, "Status": status, "Detail": detail,
            "Instance": str(uuid.uuid4()), "Extensions": {}}
