"""Fingerprints of what is sent to Xero, and the Idempotency-Key of a batch.

Public API: fingerprint(), batch_key().

Pure functions of the drafts. A client whose draft has the fingerprint stored at its last
successful sync has nothing new to send. A batch's key depends only on the organisation, the
kind of call and the exact drafts, so a retry of the same batch (in this run or the next)
carries the same key and Xero replays its first answer instead of applying it twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict

from .model import ContactDraft


def fingerprint(draft: ContactDraft) -> str:
    """A short hash of every field the draft sends, its ContactID included."""
    fields = asdict(draft)
    fields["status"] = draft.status.value
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def batch_key(tenant_id: str, verb: str, drafts: Sequence[ContactDraft]) -> str:
    """The Idempotency-Key of one batch (64 characters; Xero allows 128)."""
    text = json.dumps([tenant_id.lower(), verb, [fingerprint(d) for d in drafts]])
    return hashlib.sha256(text.encode()).hexdigest()
