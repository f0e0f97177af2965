"""Everything the sandbox knows, behind one lock, optionally saved to a JSON file.

Public API: SandboxState, token_hash().

Held: organisations and their contacts, grants (client, scopes, connections, hashed refresh and
access tokens), pending authorization codes, idempotency records, per-organisation counts of
calls and of committed writes, the faults in force, the demo consent switch and the Xero apps
registered (apps.py; not saved). Saved (after every change, atomically): organisations,
contacts and grants, so a restarted sandbox still knows the app's tokens. Tokens are stored
as SHA-256 hashes, never in clear.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from typing import Any

from .apps import AppRegistration
from .book import ContactBook
from .injection import FaultInjector
from .options import SandboxOptions
from .persistence import read_state_file, write_state_file
from .seed import DEMO_USER_ID, seed_organisations


def token_hash(token: str) -> str:
    """How a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SandboxState:
    """The sandbox's data; hold `lock` while reading or changing any of it."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.lock = threading.RLock()
        self.orgs: dict[str, dict[str, str]] = {}
        self.books: dict[str, ContactBook] = {}
        self.grants: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[tuple[str, str], dict[str, Any]] = {}
        self.calls: Counter[str] = Counter()  # Accounting calls naming each organisation
        self.writes: Counter[str] = Counter()  # write requests that saved at least one contact
        self.faults = FaultInjector(options.faults, options.seed)  # has its own lock
        self.consent = True
        self.apps: dict[str, AppRegistration] = {a.client_id: a for a in options.apps}
        self.user_id = DEMO_USER_ID
        self.issuer = "http://127.0.0.1"  # the server sets its own URL once it listens
        self._refresh_index: dict[str, str] = {}
        self._access_index: dict[str, str] = {}
        saved = read_state_file(options.state_file) if options.state_file else None
        if saved is None:
            self._load_orgs(seed_organisations(options.data))
            self.save()
        else:
            self._load_orgs(saved["orgs"])
            self.user_id = saved.get("user_id", DEMO_USER_ID)
            for grant in saved.get("grants", []):
                self.add_grant(grant)

    def _load_orgs(self, orgs: list[dict[str, Any]]) -> None:
        for org in orgs:
            tenant_id = org["tenantId"].lower()
            self.orgs[tenant_id] = {"tenantId": tenant_id, "tenantName": org["tenantName"]}
            self.books[tenant_id] = ContactBook(org.get("contacts", []))

    def now(self) -> float:
        """The sandbox's time in seconds (options.clock)."""
        return self.options.clock()

    def now_ms(self) -> int:
        """The sandbox's time in whole milliseconds, the precision of UpdatedDateUTC."""
        return int(self.options.clock() * 1000)

    def call_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """(calls, committed writes) per organisation: every organisation, and any other
        tenant id a call named; call with the lock held."""
        zero = dict.fromkeys(self.orgs, 0)
        return {**zero, **self.calls}, {**zero, **self.writes}

    def book(self, tenant_id: str) -> ContactBook | None:
        """The contacts of an organisation, or None if there is no such organisation."""
        return self.books.get(tenant_id.lower())

    # Grants and tokens

    def add_grant(self, grant: dict[str, Any]) -> None:
        """Register a grant and index its tokens."""
        self.grants[grant["id"]] = grant
        for digest in grant["refresh"]:
            self._refresh_index[digest] = grant["id"]
        for digest in grant["access"]:
            self._access_index[digest] = grant["id"]

    def add_refresh_token(self, grant: dict[str, Any], token: str) -> None:
        """Record a newly issued refresh token of `grant`."""
        digest = token_hash(token)
        grant["refresh"][digest] = {"issued": self.now(), "superseded": None}
        self._refresh_index[digest] = grant["id"]

    def add_access_token(self, grant: dict[str, Any], token: str, expires_at: float) -> None:
        """Record a newly issued access token of `grant`, dropping its expired ones."""
        now = self.now()
        for digest, expiry in list(grant["access"].items()):
            if expiry <= now:
                del grant["access"][digest]
                self._access_index.pop(digest, None)
        digest = token_hash(token)
        grant["access"][digest] = expires_at
        self._access_index[digest] = grant["id"]

    def grant_for_access_token(self, token: str) -> dict[str, Any] | None:
        """The grant of a valid, unexpired access token, or None."""
        digest = token_hash(token)
        grant = self.grants.get(self._access_index.get(digest, ""))
        if grant is None or grant["access"].get(digest, 0) <= self.now():
            return None
        return grant

    def refresh_record(self, token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(grant, token record) for a known refresh token, expired or not, or None."""
        digest = token_hash(token)
        grant = self.grants.get(self._refresh_index.get(digest, ""))
        if grant is None or digest not in grant["refresh"]:
            return None
        return grant, grant["refresh"][digest]

    def remove_grant(self, grant_id: str) -> None:
        """Revoke a grant: its tokens stop working and its connections go."""
        grant = self.grants.pop(grant_id, None)
        if grant is None:
            return
        for digest in grant["refresh"]:
            self._refresh_index.pop(digest, None)
        for digest in grant["access"]:
            self._access_index.pop(digest, None)

    # Persistence

    def snapshot(self) -> dict[str, Any]:
        """What the state file holds."""
        return {
            "format": "xero-sandbox",
            "version": 1,
            "user_id": self.user_id,
            "orgs": [{**org, "contacts": list(self.books[tid])} for tid, org in self.orgs.items()],
            "grants": list(self.grants.values()),
        }

    def save(self) -> None:
        """Write the state file, if there is one; call with the lock held after a change."""
        if self.options.state_file is not None:
            write_state_file(self.options.state_file, self.snapshot())
