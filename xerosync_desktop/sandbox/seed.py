"""The sandbox's starting data: fixed organisations and contacts, so every run starts alike.

Public API: seed_organisations(), DEMO_US_TENANT_ID, DEMO_GLOBAL_TENANT_ID, EMPTY_TENANT_ID,
SEED_UPDATED_MS, DEMO_USER_ID.

ContactIDs are uuid5(tenantId, Name). The Demo Company (US) names are matched against the
product's sample TimeSolv clients: case (`DELTA Dental Group`), accents (`Cafe Lumiere`), the
two-spaces rule (`John _Smith` beside a different `John Smith`), archived contacts.
"""

from __future__ import annotations

import calendar
import time
import uuid
from typing import Any

DEMO_US_TENANT_ID = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
DEMO_GLOBAL_TENANT_ID = "b2e9d6c4-1a7f-4c35-8e20-6f4d3b9a7c22"
EMPTY_TENANT_ID = "0f5d8e3a-6c21-4b97-a4e8-9d1c7b2f3e33"
DEMO_USER_ID = "5b1e7d2c-3a4f-4e6b-9c8d-0a1b2c3d4e55"
SEED_UPDATED_MS = calendar.timegm(time.strptime("2026-01-15T09:30:00", "%Y-%m-%dT%H:%M:%S")) * 1000

# (Name, archived, FirstName, LastName, EmailAddress, phone, city, region, postal code)
_Row = tuple[str, bool, str, str, str, str, str, str, str]
_US_CONTACTS: tuple[_Row, ...] = (
    ("Acme Holdings LLC", False, "Alice", "Morgan", "billing@acmeholdings.example",
     "512-555-0101", "Austin", "TX", "78701"),
    ("Baker & Sons Plumbing", False, "Bob", "Baker", "office@bakerplumbing.example",
     "312-555-0102", "Chicago", "IL", "60601"),
    ("Carter Family Trust", False, "Carol", "Carter", "trustee@cartertrust.example",
     "617-555-0103", "Boston", "MA", "02108"),
    ("DELTA Dental Group", False, "Dana", "Lee", "accounts@deltadental.example",
     "303-555-0104", "Denver", "CO", "80202"),
    ("Cafe Lumiere", False, "Claire", "Dubois", "hello@cafelumiere.example",
     "504-555-0105", "New Orleans", "LA", "70112"),
    ("Evergreen Landscaping", False, "Evan", "Green", "evan@evergreenland.example",
     "206-555-0106", "Seattle", "WA", "98101"),
    ("John _Smith", False, "John", "Smith", "john.smith@smithlaw.example",
     "415-555-0107", "San Francisco", "CA", "94105"),
    ("John Smith", False, "John", "Smith", "jsmith@mailbox.example",
     "415-555-0108", "Oakland", "CA", "94612"),
    ("Mary Jones", False, "Mary", "Jones", "mary.jones@mailbox.example",
     "602-555-0109", "Phoenix", "AZ", "85004"),
    ("Old Town Bakery", True, "Oscar", "Town", "orders@oldtownbakery.example",
     "916-555-0110", "Sacramento", "CA", "95814"),
    ("Harbor View Dental", False, "Hannah", "View", "frontdesk@harborview.example",
     "619-555-0111", "San Diego", "CA", "92101"),
    ("Office Depot", False, "", "", "", "", "", "", ""),
    ("City Water Utility", False, "", "", "", "", "", "", ""),
    ("Internal Revenue Service", False, "", "", "", "", "", "", ""),
    ("Legacy Supplies Co", True, "", "", "", "", "", "", ""),
)
_GLOBAL_CONTACTS: tuple[_Row, ...] = (
    ("Acme Holdings LLC", False, "Alice", "Morgan", "billing@acmeholdings.example",
     "512-555-0101", "Austin", "TX", "78701"),
    ("Kiwi Consulting Ltd", False, "Kiri", "Walker", "kiri@kiwiconsulting.example",
     "09-555-0201", "Auckland", "", "1010"),
    ("Southern Cross Freight", False, "Sam", "Cross", "dispatch@southerncross.example",
     "02-555-0202", "Sydney", "NSW", "2000"),
)


def _contact(tenant_id: str, row: _Row) -> dict[str, Any]:
    name, archived, first, last, email, phone, city, region, postal = row
    contact: dict[str, Any] = {
        "ContactID": str(uuid.uuid5(uuid.UUID(tenant_id), name)),
        "ContactStatus": "ARCHIVED" if archived else "ACTIVE",
        "Name": name,
        "Addresses": [],
        "Phones": [],
        "ContactPersons": [],
        "UpdatedDateUTC": SEED_UPDATED_MS,
    }
    for key, value in (("FirstName", first), ("LastName", last), ("EmailAddress", email)):
        if value:
            contact[key] = value
    if phone:
        contact["Phones"].append({"PhoneType": "DEFAULT", "PhoneNumber": phone})
    if city:
        address = {"AddressType": "POBOX", "AddressLine1": "PO Box 100", "City": city,
                   "PostalCode": postal}
        if region:
            address["Region"] = region
        contact["Addresses"].append(address)
    return contact


def seed_organisations(data: str) -> list[dict[str, Any]]:
    """Organisations with their contacts: [{"tenantId", "tenantName", "contacts": [...]}]."""
    if data == "empty":
        return [{"tenantId": EMPTY_TENANT_ID, "tenantName": "Empty Company", "contacts": []}]
    return [
        {"tenantId": DEMO_US_TENANT_ID, "tenantName": "Demo Company (US)",
         "contacts": [_contact(DEMO_US_TENANT_ID, row) for row in _US_CONTACTS]},
        {"tenantId": DEMO_GLOBAL_TENANT_ID, "tenantName": "Demo Company (Global)",
         "contacts": [_contact(DEMO_GLOBAL_TENANT_ID, row) for row in _GLOBAL_CONTACTS]},
    ]
