"""The preview of a sync: what it will add, update and skip, before anything is sent.

Public API: Preview, plan_for(), preview_sync(), plan_digest(), differences(),
change_lines(), NO_CHANGE.

A preview is the run's own plan (`plan_for()`, the one call the runner makes too), not a
second planner: the counts, every client that will be sent, and for each update the fields
it changes. The run is handed the preview's digest; if Xero or the client file changed in
between, the run says which clients it now plans otherwise (`differences()`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from ..core.fingerprint import fingerprint
from ..core.model import Status
from ..core.planner import Action, PlannedItem, SyncPlan, plan_sync
from ..store import Store
from .review import Review

Digest = dict[str, tuple[str, str]]  # client id -> (action, fingerprint of its draft)
NO_CHANGE = "No field differs from Xero: sent again to record this sync"


def change_lines(item: PlannedItem) -> list[str]:
    """What an update changes, a line per field (`Email: old -> new`), as the preview, the
    dry run and the log say it; NO_CHANGE when nothing differs."""
    return [change.text for change in item.changes] or [NO_CHANGE]


def plan_for(review: Review, store: Store) -> SyncPlan:
    """The plan a sync of this review runs: what each client's last sync sent decides."""
    return plan_sync(review.rows, store.mappings.fingerprints(review.settings.tenant_id))


def plan_digest(plan: SyncPlan) -> Digest:
    """What a plan does with each client, in a form two plans can be compared in."""
    items = [*(item for batch in plan.batches for item in batch), *plan.settled]
    return {item.client.client_id: (item.action.value,
                                    fingerprint(item.draft) if item.draft else "")
            for item in items}


def differences(previewed: Mapping[str, tuple[str, str]], planned: Digest) -> list[str]:
    """Client ids whose action or content differs between a preview and the run's plan."""
    return sorted(client_id for client_id in previewed.keys() | planned.keys()
                  if previewed.get(client_id) != planned.get(client_id))


@dataclass(frozen=True)
class Preview:
    """A review and the plan a sync of it runs."""

    review: Review
    plan: SyncPlan

    @cached_property
    def sent(self) -> tuple[PlannedItem, ...]:
        """Every client the run sends, updates first (the order the run sends them)."""
        return tuple(item for batch in self.plan.batches for item in batch)

    @cached_property
    def counts(self) -> dict[str, int]:
        """to add, to update, unchanged, skipped (need attention and waiting included),
        need attention, waiting for a decision, would fail."""
        settled = self.plan.settled
        waiting = sum(row.status is Status.POSSIBLE_MATCH for row in self.review.rows)
        attention = len(self.review.problems)
        return {
            "add": sum(len(b) for b in self.plan.creates),
            "update": sum(len(b) for b in self.plan.updates),
            "unchanged": sum(item.action is Action.UNCHANGED for item in settled),
            "skipped": sum(item.action is Action.SKIP for item in settled) + attention,
            "attention": attention,
            "waiting": waiting,
            "fail": sum(item.action is Action.FAIL for item in settled),
        }

    @property
    def digest(self) -> Digest:
        return plan_digest(self.plan)

    @property
    def summary(self) -> str:
        """`25 to add, 7 to update, 120 unchanged, 4 skipped (3 need attention, 1 waiting
        for a decision)`."""
        c = self.counts
        parts = [f"{c['add']} to add", f"{c['update']} to update", f"{c['unchanged']} unchanged",
                 f"{c['skipped']} skipped"]
        why = [f"{c['attention']} need attention" if c["attention"] else "",
               f"{c['waiting']} waiting for a decision" if c["waiting"] else ""]
        if any(why):
            parts[-1] += f" ({', '.join(w for w in why if w)})"
        if c["fail"]:
            parts.append(f"{c['fail']} would fail")
        return ", ".join(parts)

    @property
    def question(self) -> str:
        """`Add 25 and update 7 contacts in Demo Company (US)?`"""
        add, update = self.counts["add"], self.counts["update"]
        name = self.review.settings.tenant_name
        if add and update:
            return f"Add {add} and update {update} contacts in {name}?"
        if add:
            return f"Add {add} contact{'s' if add != 1 else ''} to {name}?"
        if update:
            return f"Update {update} contact{'s' if update != 1 else ''} in {name}?"
        return f"Nothing to add or update in {name}. Record a sync run anyway?"


def preview_sync(review: Review, store: Store) -> Preview:
    """The preview of syncing this review now, its counts and rows worked out here (in the
    job) rather than on the GUI thread when the window shows them."""
    preview = Preview(review, plan_for(review, store))
    _ = preview.counts, preview.sent
    return preview
