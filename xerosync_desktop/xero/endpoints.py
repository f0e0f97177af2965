"""Where one Xero connection talks to: real Xero or a sandbox, never both.

Public API: XeroEndpoints.

The SDK keeps its token URLs as class attributes; the product never relies on them. Each
connection carries its own endpoints, so a demo and a real connection share no state.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class XeroEndpoints:
    """Authorize, token, revocation, connections and Accounting API addresses."""

    authorize_url: str
    token_url: str
    revocation_url: str
    identity_base: str  # GET {identity_base}/connections
    api_base: str  # {api_base}/Contacts
    is_demo: bool = False

    @classmethod
    def xero(cls) -> XeroEndpoints:
        """Xero itself."""
        return cls(
            authorize_url="https://login.xero.com/identity/connect/authorize",
            token_url="https://identity.xero.com/connect/token",
            revocation_url="https://identity.xero.com/connect/revocation",
            identity_base="https://api.xero.com",
            api_base="https://api.xero.com/api.xro/2.0",
        )

    @classmethod
    def sandbox(cls, base_url: str) -> XeroEndpoints:
        """A local Xero sandbox, which mirrors Xero's paths under one base URL."""
        base = base_url.rstrip("/")
        return cls(
            authorize_url=f"{base}/identity/connect/authorize",
            token_url=f"{base}/connect/token",
            revocation_url=f"{base}/connect/revocation",
            identity_base=base,
            api_base=f"{base}/api.xro/2.0",
            is_demo=True,
        )
