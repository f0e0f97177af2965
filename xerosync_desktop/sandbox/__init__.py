"""A local Xero for tests and demo mode: identity (OAuth2 + PKCE) and Accounting Contacts.

Public API: XeroSandbox, SandboxOptions, Fault, parse_fault(), VirtualClock, AppRegistration,
parse_app().

    with XeroSandbox(SandboxOptions(data="demo")) as sb:
        sb.url                      # http://127.0.0.1:PORT
        sb.organisations(); sb.contacts(tenant_id); sb.add_contact(tenant_id, Name="X")
        sb.inject("drop:calls=3"); sb.fault_log(); sb.calls()

It plays Xero as Xero documents itself (see /work/shared/xero-api.md), not as the product
expects, and imports nothing from the rest of the product. Standard library only.
"""

from __future__ import annotations

from .apps import AppRegistration, parse_app
from .clock import VirtualClock
from .faults import Fault, parse_fault
from .options import SandboxOptions
from .server import XeroSandbox

__all__ = ["AppRegistration", "Fault", "SandboxOptions", "VirtualClock", "XeroSandbox",
           "parse_app", "parse_fault"]
