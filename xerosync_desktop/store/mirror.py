"""The contact mirror: each organisation's Xero contacts as last read or written.

Public API: ContactMirror.

A run reads only what changed since the last read began (Xero's time, from its Date
header), so the mark advances from reads alone: a contact written by this app but changed
by someone else in the meantime is still re-read. A row never goes back to an older version
of a contact. A contact merged in Xero into another keeps where it went (MergedToContactID),
which Xero returns only on paged reads like these.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from ..core.model import Contact, ContactStatus


class ContactMirror:
    """Contacts per organisation, and how far the reads have got."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def contacts(self, tenant_id: str) -> list[Contact]:
        """Every mirrored contact, oldest change first."""
        rows = self._conn.execute(
            "SELECT contact_id, name, status, contact_number, updated_ms, merged_to, email, "
            "details FROM mirror_contacts WHERE tenant_id = ? ORDER BY updated_ms, contact_id",
            (tenant_id,))
        return [Contact(contact_id=r[0], name=r[1], status=_status(r[2]), contact_number=r[3],
                        updated_ms=r[4], merged_to=r[5], email=r[6], details=r[7])
                for r in rows]

    def read_mark_ms(self, tenant_id: str) -> int | None:
        """Xero's time when the latest read began; None when never read (read all)."""
        row = self._conn.execute("SELECT mark_ms FROM mirror_reads WHERE tenant_id = ?",
                                 (tenant_id,)).fetchone()
        return None if row is None else int(row[0])

    def apply_read(self, tenant_id: str, contacts: Iterable[Contact],
                   started_ms: int | None = None) -> None:
        """Store what a read returned and advance the read mark (call inside a transaction).

        `started_ms` is Xero's time when the read began: every change before it was read.
        Without it the mark stays where it was (a first read leaves it at 0: everything is
        read again), since the contacts' own times, read in ContactID order, could skip an
        edit made during the read.
        """
        rows = list(contacts)
        self._upsert(tenant_id, rows)
        mark = started_ms or 0
        self._conn.execute(
            "INSERT INTO mirror_reads (tenant_id, mark_ms, read_at) VALUES (?, ?, ?) "
            "ON CONFLICT (tenant_id) DO UPDATE SET mark_ms = max(mark_ms, "
            "excluded.mark_ms), read_at = excluded.read_at",
            (tenant_id, mark, datetime.now(UTC).isoformat(timespec="seconds")))

    def apply_written(self, tenant_id: str, contacts: Iterable[Contact]) -> None:
        """Store contacts as a write's answer returned them; the read mark stays."""
        self._upsert(tenant_id, list(contacts))

    def _upsert(self, tenant_id: str, contacts: list[Contact]) -> None:
        self._conn.executemany(
            "INSERT INTO mirror_contacts (tenant_id, contact_id, name, status, contact_number, "
            "updated_ms, merged_to, email, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON "
            "CONFLICT (tenant_id, contact_id) DO UPDATE SET name = excluded.name, status = "
            "excluded.status, contact_number = excluded.contact_number, updated_ms = "
            "excluded.updated_ms, merged_to = excluded.merged_to, email = excluded.email, "
            "details = excluded.details WHERE excluded.updated_ms >= mirror_contacts.updated_ms",
            [(tenant_id, c.contact_id, c.name, c.status.value, c.contact_number, c.updated_ms,
              c.merged_to, c.email, c.details)
             for c in contacts])


def _status(value: str) -> ContactStatus:
    try:
        return ContactStatus(value)
    except ValueError:
        return ContactStatus.ARCHIVED
