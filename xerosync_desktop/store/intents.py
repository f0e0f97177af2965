"""Write-ahead intents: every batch is recorded before it is sent, and settled after.

Public API: Intents, Intent.

An intent still open at the start of a run is a batch whose answer never arrived (a crash,
a killed process, a dropped connection): Xero may or may not hold its contacts. The run
looks them up by ContactNumber before it creates anything.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Intent:
    """A batch sent (or about to be) that has not been settled."""

    intent_id: int
    run_id: int
    verb: str  # 'create' or 'update'
    idempotency_key: str
    client_ids: tuple[str, ...]
    created_at: datetime


class Intents:
    """Record, list and settle the batches of each organisation."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def record(self, tenant_id: str, run_id: int, verb: str, idempotency_key: str,
               client_ids: Sequence[str]) -> int:
        """Write the intent of a batch about to be sent; its id."""
        payload = json.dumps(list(client_ids))
        cursor = self._conn.execute(
            "INSERT INTO intents (tenant_id, run_id, verb, idempotency_key, items, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (tenant_id, run_id, verb, idempotency_key, payload,
             datetime.now(UTC).isoformat()))
        return int(cursor.lastrowid or 0)

    def open(self, tenant_id: str) -> list[Intent]:
        """The unsettled intents of an organisation, oldest first."""
        rows = self._conn.execute(
            "SELECT id, run_id, verb, idempotency_key, items, created_at FROM intents "
            "WHERE tenant_id = ? AND settled_at IS NULL ORDER BY id", (tenant_id,))
        return [Intent(intent_id=r[0], run_id=r[1], verb=r[2], idempotency_key=r[3],
                       client_ids=tuple(json.loads(r[4])),
                       created_at=datetime.fromisoformat(r[5])) for r in rows]

    def settle(self, intent_ids: Sequence[int]) -> None:
        """Mark intents done: their outcome is stored."""
        now = datetime.now(UTC).isoformat()
        self._conn.executemany("UPDATE intents SET settled_at = ? WHERE id = ?",
                               [(now, intent_id) for intent_id in intent_ids])
