"""Decisions a person made in Mapping that automatic matching must never undo.

Public API: Decisions.

A link chosen by a person (Accept suggestion, Link to Xero contact) is a mapping like any
other (source 'linked'); what needs its own record is *Add as new contact*: the suggestion is
dismissed, and the client is New from then on, whatever contact looks like it later. Unlink
forgets both, so the matcher's word (and its suggestions) come back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

ADD_AS_NEW = "new"


class Decisions:
    """Per organisation: the clients a person decided to add as new contacts."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def added_as_new(self, tenant_id: str) -> set[str]:
        """Client ids to add as new contacts, with no suggestion."""
        rows = self._conn.execute(
            "SELECT client_id FROM decisions WHERE tenant_id = ? AND decision = ?",
            (tenant_id, ADD_AS_NEW))
        return {row[0] for row in rows}

    def add_as_new(self, tenant_id: str, dismissed: Mapping[str, str]) -> None:
        """Client id -> the ContactID of the suggestion dismissed ('' if none)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self._conn.executemany(
            "INSERT INTO decisions (tenant_id, client_id, decision, contact_id, decided_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, client_id) DO UPDATE SET "
            "decision = excluded.decision, contact_id = excluded.contact_id, "
            "decided_at = excluded.decided_at",
            [(tenant_id, client_id, ADD_AS_NEW, contact_id, now)
             for client_id, contact_id in dismissed.items()])

    def forget(self, tenant_id: str, client_ids: Sequence[str]) -> None:
        """These clients' decisions are undone (Unlink, or a link chosen instead)."""
        self._conn.executemany("DELETE FROM decisions WHERE tenant_id = ? AND client_id = ?",
                               [(tenant_id, client_id) for client_id in client_ids])
