"""The run in progress: its counters and the log entries not stored yet.

Public API: RunState.

Everything a run learns from Xero is stored through `RunState.commit()`: links, what was
sent (fingerprints), the contacts Xero answered, the intents settled and the log so far, in
one transaction, so a run stopped at any point loses nothing it was told.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..core.model import Contact
from ..core.planner import Action, PlannedItem
from ..store import Store
from .events import Level, LogEntry
from .review import Report


@dataclass
class RunState:
    """The counters and unsaved log entries of the run in progress."""

    run_id: int
    store: Store
    report: Report
    tenant_id: str
    counts: dict[Action, int] = field(default_factory=lambda: dict.fromkeys(Action, 0))
    pending: list[LogEntry] = field(default_factory=list)
    written: int = 0
    read_mark: int = 0  # Xero's time when this run's read began: part of each batch's key

    def entry(self, level: Level, action: str, message: str, item: PlannedItem | None = None,
              contact_id: str = "", client: tuple[str, str] | None = None,
              changes: tuple[str, ...] = ()) -> None:
        if item is not None:
            client = (item.client.client_id, item.client.name)
        entry = LogEntry(time=datetime.now(UTC), level=level, action=action, message=message,
                         client_id=client[0] if client else "",
                         client_name=client[1] if client else "", contact_id=contact_id,
                         changes=changes)
        self.pending.append(entry)
        self.report(entry)

    def commit(self, links: dict[str, str] | None = None,
               fingerprints: dict[str, str] | None = None, saved: Sequence[Contact] = (),
               settle: Sequence[int] = (), source: str = "synced",
               forget: Sequence[str] = ()) -> None:
        """Store what Xero confirmed, the intents it settles and the log so far, together.

        `forget` names clients whose last-sent fingerprint no longer holds.
        """
        with self.store.transaction():
            if forget:
                self.store.mappings.forget_fingerprints(self.tenant_id, forget)
            if links:
                self.store.mappings.save(self.tenant_id, links, source, fingerprints)
            if saved:
                self.store.mirror.apply_written(self.tenant_id, saved)
            if settle:
                self.store.intents.settle(settle)
            self.store.runs.add_entries(self.run_id, self.pending)
        self.pending.clear()
