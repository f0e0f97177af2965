"""One organisation's contacts, indexed the ways Xero looks them up.

Public API: ContactBook.

Stored contacts are plain dicts with Xero's field names; `UpdatedDateUTC` is kept as integer
milliseconds. The book does no locking: the sandbox state's lock guards it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .rules import name_key


class ContactBook:
    """Contacts by ContactID, by ContactNumber and by name key."""

    def __init__(self, contacts: list[dict[str, Any]] | None = None) -> None:
        self._by_id: dict[str, dict[str, Any]] = {}
        self._by_number: dict[str, str] = {}
        self._by_key: dict[str, set[str]] = {}
        for contact in contacts or []:
            self.put(contact)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(list(self._by_id.values()))

    def get(self, contact_id: str) -> dict[str, Any] | None:
        """The contact with this ContactID (any spelling of the GUID), or None."""
        return self._by_id.get(contact_id.lower())

    def by_number(self, number: str) -> dict[str, Any] | None:
        """The contact holding this ContactNumber (exact match), or None."""
        contact_id = self._by_number.get(number)
        return self._by_id.get(contact_id) if contact_id else None

    def by_name(self, name: str) -> list[dict[str, Any]]:
        """Contacts whose name equals `name` under the name key, oldest first."""
        ids = self._by_key.get(name_key(name), set())
        return sorted((self._by_id[i] for i in ids), key=lambda c: (c["UpdatedDateUTC"],
                                                                    c["ContactID"]))

    def active_namesake(self, name: str, exclude: str = "") -> dict[str, Any] | None:
        """An ACTIVE contact (other than `exclude`) whose name equals `name`, or None."""
        for contact in self.by_name(name):
            if contact["ContactStatus"] == "ACTIVE" and contact["ContactID"] != exclude:
                return contact
        return None

    def put(self, contact: dict[str, Any]) -> None:
        """Insert or replace a contact, keeping the indexes right."""
        contact_id = contact["ContactID"].lower()
        contact["ContactID"] = contact_id
        self._unindex(contact_id)
        self._by_id[contact_id] = contact
        if contact.get("ContactNumber"):
            self._by_number[contact["ContactNumber"]] = contact_id
        self._by_key.setdefault(name_key(contact["Name"]), set()).add(contact_id)

    def _unindex(self, contact_id: str) -> None:
        old = self._by_id.get(contact_id)
        if old is None:
            return
        if old.get("ContactNumber") and self._by_number.get(old["ContactNumber"]) == contact_id:
            del self._by_number[old["ContactNumber"]]
        ids = self._by_key.get(name_key(old["Name"]))
        if ids is not None:
            ids.discard(contact_id)
            if not ids:
                del self._by_key[name_key(old["Name"])]
