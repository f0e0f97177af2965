"""Mappings: which Xero ContactID each TimeSolv client is linked to, per organisation.

Public API: Mappings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime


class Mappings:
    """Client id -> ContactID links of each Xero organisation."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def for_tenant(self, tenant_id: str) -> dict[str, str]:
        rows = self._conn.execute(
            "SELECT client_id, contact_id FROM mappings WHERE tenant_id = ?", (tenant_id,))
        return {row[0]: row[1] for row in rows}

    def count(self, tenant_id: str) -> int:
        """How many clients are linked to a contact in the organisation (Setup says it)."""
        row = self._conn.execute("SELECT count(*) FROM mappings WHERE tenant_id = ?",
                                 (tenant_id,)).fetchone()
        return int(row[0]) if row else 0

    def fingerprints(self, tenant_id: str) -> dict[str, str]:
        """Client id -> fingerprint of what the last successful sync sent ('' if none)."""
        rows = self._conn.execute(
            "SELECT client_id, fingerprint FROM mappings WHERE tenant_id = ?", (tenant_id,))
        return {row[0]: row[1] for row in rows if row[1]}

    def save(self, tenant_id: str, links: Mapping[str, str], source: str,
             fingerprints: Mapping[str, str] | None = None) -> None:
        """Store or replace links; `source` says why ('confirmed', 'linked' by a person,
        'synced', 'reconciled', 'merged').

        `fingerprints` holds what a sync sent for each client; a link saved without one
        (Confirm Mappings) is sent again by the next sync.
        """
        now = datetime.now(UTC).isoformat(timespec="seconds")
        sent = fingerprints or {}
        self._conn.executemany(
            "INSERT INTO mappings (tenant_id, client_id, contact_id, source, updated_at, "
            "fingerprint) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, client_id) DO "
            "UPDATE SET contact_id = excluded.contact_id, source = excluded.source, "
            "updated_at = excluded.updated_at, fingerprint = excluded.fingerprint",
            [(tenant_id, client_id, contact_id, source, now, sent.get(client_id, ""))
             for client_id, contact_id in links.items()])

    def remove(self, tenant_id: str, client_ids: Sequence[str]) -> None:
        """Unlink these clients: the matcher's word counts for them again."""
        self._conn.executemany("DELETE FROM mappings WHERE tenant_id = ? AND client_id = ?",
                               [(tenant_id, client_id) for client_id in client_ids])

    def forget_fingerprints(self, tenant_id: str, client_ids: Sequence[str]) -> None:
        """What was sent for these clients is unknown: the next sync sends them again."""
        self._conn.executemany(
            "UPDATE mappings SET fingerprint = '' WHERE tenant_id = ? AND client_id = ?",
            [(tenant_id, client_id) for client_id in client_ids])
