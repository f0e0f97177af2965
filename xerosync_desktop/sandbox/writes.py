"""Applying sent contacts to an organisation: create, update, overwrite, archive.

Public API: Outcome, apply_elements(), merged(), new_contact(), conflicts().

Modes: "create" (PUT /Contacts), "upsert" (POST /Contacts), "update" (POST /Contacts/{id}).
Elements are applied in order, so an element sees what the ones before it saved. An element with
a ContactID updates that contact in every mode (Xero's PUT does the same); without one, "upsert"
overwrites the contact holding its ContactNumber, else the active contact with its name (an
archived namesake answers "matched an archived contact"), else creates; "create" creates or fails.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import rules
from .book import ContactBook
from .rules import ADDRESS_FIELDS, PERSON_FIELDS, PHONE_FIELDS, STRING_FIELDS, ZERO_GUID

_TEXT_FIELDS = (*STRING_FIELDS, "TaxNumberType")


@dataclass
class Outcome:
    """What became of one sent element: the saved contact, or the errors and the ID it meant."""

    sent: dict[str, Any]
    contact: dict[str, Any] | None = None
    contact_id: str = ZERO_GUID
    errors: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _merge_slots(stored: list[dict[str, Any]], sent: list[dict[str, Any]], kind: str,
                 fields: dict[str, int]) -> list[dict[str, Any]]:
    slots = {item[f"{kind}Type"]: dict(item) for item in stored}
    for item in sent:
        slot_type = item[f"{kind}Type"]
        slot = slots.setdefault(slot_type, {f"{kind}Type": slot_type})
        for key in fields:
            if item.get(key) is None:
                continue
            if item[key] == "":
                slot.pop(key, None)
            else:
                slot[key] = item[key]
    return [slot for slot in slots.values() if len(slot) > 1]


def merged(stored: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """A copy of `stored` with the sent writable fields applied; omitted fields are kept."""
    result = copy.deepcopy(stored)
    for key in _TEXT_FIELDS:
        value = sent.get(key)
        if value is None:
            continue
        if value == "" and key != "Name":
            result.pop(key, None)
        else:
            result[key] = value
    if sent.get("ContactStatus") is not None:
        result["ContactStatus"] = sent["ContactStatus"]
    if sent.get("Addresses") is not None:
        result["Addresses"] = _merge_slots(result.get("Addresses", []), sent["Addresses"],
                                           "Address", ADDRESS_FIELDS)
    if sent.get("Phones") is not None:
        result["Phones"] = _merge_slots(result.get("Phones", []), sent["Phones"], "Phone",
                                        PHONE_FIELDS)
    if sent.get("ContactPersons") is not None:
        result["ContactPersons"] = [
            {k: p[k] for k in (*PERSON_FIELDS, "IncludeInEmails") if p.get(k) is not None}
            for p in sent["ContactPersons"]
        ]
    return result


def new_contact(sent: dict[str, Any], now_ms: int, contact_id: str | None = None) -> dict[str, Any]:
    """A stored contact built from sent fields, ACTIVE unless told otherwise."""
    blank = {"ContactID": contact_id or str(uuid.uuid4()), "ContactStatus": "ACTIVE", "Name": "",
             "Addresses": [], "Phones": [], "ContactPersons": [], "UpdatedDateUTC": now_ms}
    return merged(blank, sent)


def conflicts(book: ContactBook, contact: dict[str, Any], blocks_archived: bool) -> list[str]:
    """Name and ContactNumber clashes of `contact` (as it would be saved) with the others."""
    errors = []
    own_id = contact["ContactID"]
    if not _text(contact.get("Name")):
        errors.append(rules.NAME_REQUIRED)
    elif contact["ContactStatus"] == "ACTIVE":
        clash = book.active_namesake(contact["Name"], exclude=own_id)
        if clash is None and blocks_archived:
            clash = next((c for c in book.by_name(contact["Name"]) if c["ContactID"] != own_id),
                         None)
        if clash is not None:
            errors.append(rules.duplicate_name(contact["Name"]))
    number = contact.get("ContactNumber")
    if number:
        holder = book.by_number(number)
        if holder is not None and holder["ContactID"] != own_id:
            errors.append(rules.duplicate_number(number))
    return errors


def _find_target(book: ContactBook, sent: dict[str, Any], mode: str,
                 outcome: Outcome) -> dict[str, Any] | None:
    contact_id = _text(sent.get("ContactID"))
    if contact_id:
        outcome.contact_id = contact_id
        target = book.get(contact_id)
        if target is None:
            outcome.errors.append(rules.unknown_contact(contact_id))
        return target
    if mode != "upsert":
        return None
    number = _text(sent.get("ContactNumber"))
    target = book.by_number(number) if number else None
    if target is None and _text(sent.get("Name")):
        namesakes = book.by_name(sent["Name"])
        active = [c for c in namesakes if c["ContactStatus"] == "ACTIVE"]
        candidates = active or namesakes
        target = candidates[0] if candidates else None
    return target


def _apply(book: ContactBook, sent: dict[str, Any], mode: str, now_ms: int,
           blocks_archived: bool, target: dict[str, Any] | None) -> Outcome:
    outcome = Outcome(sent=sent)
    if target is None and not any(_text(sent.get(k)) for k in ("Name", "ContactID",
                                                                "ContactNumber")):
        outcome.errors.append(rules.NO_IDENTIFIER)
        return outcome
    outcome.errors += rules.field_errors(sent)
    if outcome.errors:
        if rules.is_guid(sent.get("ContactID")):
            outcome.contact_id = sent["ContactID"]
        return outcome
    if target is None:
        target = _find_target(book, sent, mode, outcome)
        if outcome.errors:
            return outcome
    if sent.get("ContactStatus") == "GDPRREQUEST":
        outcome.errors.append(rules.GDPR_STATUS)
    if target is not None:
        outcome.contact_id = target["ContactID"]
        if target["ContactStatus"] != "ACTIVE":
            outcome.errors.append(rules.ARCHIVED_CONTACT)
            return outcome
        candidate = merged(target, sent)
    else:
        candidate = new_contact(sent, now_ms)
    outcome.errors += conflicts(book, candidate, blocks_archived and target is None)
    if outcome.errors:
        return outcome
    candidate["UpdatedDateUTC"] = now_ms
    book.put(candidate)
    outcome.contact = candidate
    return outcome


def apply_elements(book: ContactBook, elements: list[dict[str, Any]], *, mode: str, now_ms: int,
                   archived_name_blocks_create: bool = False,
                   target_id: str | None = None) -> list[Outcome]:
    """Apply each element in order; each one is saved or fails on its own.

    `target_id` (mode "update") names the contact every element updates.
    """
    return [_apply(book, sent, mode, now_ms, archived_name_blocks_create,
                   book.get(target_id) if target_id else None)
            for sent in elements]
