"""Xero's contact rules as the sandbox plays them: name key, field limits, messages.

Public API: name_key(), fold(), is_guid(), field_errors(), the message constants and builders,
STRING_FIELDS, ADDRESS_TYPES, PHONE_TYPES, CONTACT_STATUSES, ZERO_GUID.

Name equality (Xero's uniqueness check; the exact rule is unverified): case-insensitive,
accent-insensitive (NFKD, combining marks dropped), trimmed, runs of whitespace collapsed to one
space. An underscore is not whitespace: that is why TimeSolv sends `John  Smith` as `John _Smith`.
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
CONTACT_STATUSES = ("ACTIVE", "ARCHIVED", "GDPRREQUEST")
ADDRESS_TYPES = ("POBOX", "STREET")
PHONE_TYPES = ("DDI", "DEFAULT", "FAX", "MOBILE", "OFFICE")
TAX_NUMBER_TYPES = ("SSN", "EIN", "ITIN", "ATIN")

# Writable top-level string fields and their maximum lengths (None: no documented limit).
STRING_FIELDS: dict[str, int | None] = {
    "ContactNumber": 50,
    "AccountNumber": 50,
    "Name": 255,
    "FirstName": 255,
    "LastName": 255,
    "CompanyNumber": 50,
    "EmailAddress": 255,
    "BankAccountDetails": None,
    "TaxNumber": 50,
    "AccountsReceivableTaxType": None,
    "AccountsPayableTaxType": None,
}
ADDRESS_FIELDS: dict[str, int] = {
    "AddressLine1": 500,
    "AddressLine2": 500,
    "AddressLine3": 500,
    "AddressLine4": 500,
    "City": 255,
    "Region": 255,
    "PostalCode": 50,
    "Country": 50,
    "AttentionTo": 255,
}
PHONE_FIELDS: dict[str, int] = {"PhoneNumber": 50, "PhoneAreaCode": 10, "PhoneCountryCode": 20}
PERSON_FIELDS = ("FirstName", "LastName", "EmailAddress")

NO_IDENTIFIER = (
    "The Contact must contain at least 1 of the following elements to identify the contact: "
    "Name, ContactID, ContactNumber"
)
ARCHIVED_CONTACT = (
    "The specified contact details matched an archived contact. Archived contacts cannot "
    "currently be edited via the API."
)
# The texts below are the sandbox's own: Xero's wording for these cases is unverified.
NAME_REQUIRED = "The contact name must be specified when creating a contact."
GDPR_STATUS = "The contact status GDPRREQUEST cannot be set via the API."


def duplicate_name(name: str) -> str:
    """Xero's message for a name that an active contact already has."""
    return (
        f"The contact name {name} is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    )


def duplicate_number(number: str) -> str:
    """The sandbox's message for a ContactNumber another contact already has."""
    return f"The contact number {number} is already assigned to another contact."


def unknown_contact(contact_id: str) -> str:
    """The sandbox's message for a ContactID that names no contact of the organisation."""
    return f"The contact with ContactID {contact_id} could not be found."


def too_long(field: str, limit: int) -> str:
    """The sandbox's message for an over-long field."""
    return f"{field} must not be more than {limit} characters long."


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_key(name: str) -> str:
    """The key under which two contact names count as the same name."""
    return " ".join(_strip_marks(name).casefold().split())


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a value, for equality and search."""
    return _strip_marks(text).casefold().strip()


def is_guid(value: object) -> bool:
    """True if `value` is a GUID string in any of the usual spellings."""
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _string_errors(data: dict[str, Any], limits: dict[str, int | None], where: str) -> list[str]:
    errors = []
    for key, limit in limits.items():
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            errors.append(f"{where}{key} must be a string.")
        elif limit is not None and len(value) > limit:
            errors.append(too_long(f"{where}{key}", limit))
    return errors


def _slot_errors(items: Any, kind: str, types: tuple[str, ...],
                 limits: dict[str, int]) -> list[str]:
    if not isinstance(items, list):
        return [f"{kind}s must be a list."]
    errors = []
    for item in items:
        if not isinstance(item, dict):
            errors.append(f"Each of {kind}s must be an object.")
            continue
        slot_type = item.get(f"{kind}Type")
        if slot_type not in types:
            errors.append(f"{kind}Type {slot_type} is not valid. Use one of: {', '.join(types)}.")
        errors += _string_errors(item, dict(limits), f"{kind} ")
    return errors


def _person_errors(persons: Any) -> list[str]:
    if not isinstance(persons, list):
        return ["ContactPersons must be a list."]
    errors = []
    for person in persons:
        if not isinstance(person, dict):
            errors.append("Each of ContactPersons must be an object.")
            continue
        errors += _string_errors(person, dict.fromkeys(PERSON_FIELDS, 255), "ContactPerson ")
        include = person.get("IncludeInEmails")
        if include is not None and not isinstance(include, bool):
            errors.append("ContactPerson IncludeInEmails must be true or false.")
    return errors


def field_errors(element: dict[str, Any]) -> list[str]:
    """Type, length and enum errors of one sent contact, in a stable order."""
    errors = _string_errors(element, STRING_FIELDS, "")
    contact_id = element.get("ContactID")
    if contact_id not in (None, "") and not is_guid(contact_id):
        errors.append(f"ContactID {contact_id} is not a valid identifier.")
    status = element.get("ContactStatus")
    if status is not None and status not in CONTACT_STATUSES:
        errors.append(f"ContactStatus {status} is not valid. Use ACTIVE or ARCHIVED.")
    tax_type = element.get("TaxNumberType")
    if tax_type is not None and tax_type not in TAX_NUMBER_TYPES:
        errors.append(f"TaxNumberType {tax_type} is not valid.")
    if element.get("Addresses") is not None:
        errors += _slot_errors(element["Addresses"], "Address", ADDRESS_TYPES, ADDRESS_FIELDS)
    if element.get("Phones") is not None:
        errors += _slot_errors(element["Phones"], "Phone", PHONE_TYPES, PHONE_FIELDS)
    if element.get("ContactPersons") is not None:
        errors += _person_errors(element["ContactPersons"])
    return errors
