"""Xero client: the only module that imports xero_python. SDK models and errors in, ours out.

Public API: XeroClient, Organisation, WriteResult, PkceOAuth2Token.

Every call goes through `_call()`, which refreshes the access token once on a 401 and turns
SDK and network failures into UserError sentences; `str(ApiException)` (response headers and
body) is never shown or logged. The urllib3 pool has `retries=False` and every call a
(connect, read) timeout: the stock pool re-sends a PUT after a dropped connection and sleeps
up to six hours on a 429.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import certifi
import urllib3
from xero_python.accounting import AccountingApi
from xero_python.accounting import Address as SdkAddress
from xero_python.accounting import Contact as SdkContact
from xero_python.accounting import Contacts as SdkContacts
from xero_python.accounting import Phone as SdkPhone
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.exceptions import (
    ApiSSLException,
    HTTPStatusException,
    OAuth2Error,
    RateLimitException,
)
from xero_python.identity import IdentityApi

from ..core.model import Contact, ContactDraft, ContactStatus
from ..errors import (
    AuthorizationError,
    OrganisationAccessError,
    RateLimitError,
    XeroError,
    XeroUnavailableError,
)
from .endpoints import XeroEndpoints
from .tokens import TokenVault

log = logging.getLogger(__name__)

T = TypeVar("T")
PAGE_SIZE = 1000  # Xero's largest page
TIMEOUT = (10, 60)  # (connect, read) seconds; the SDK ignores a float


@dataclass(frozen=True)
class Organisation:
    """One Xero organisation the grant covers (a /connections entry)."""

    tenant_id: str
    name: str
    connection_id: str = ""


@dataclass(frozen=True)
class WriteResult:
    """Xero's answer for one contact of a batch, in the order sent."""

    ok: bool
    contact_id: str
    messages: tuple[str, ...] = ()


class PkceOAuth2Token(OAuth2Token):
    """The SDK's token, refreshed without a client secret at this connection's token URL."""

    def __init__(self, client_id: str, token_url: str) -> None:
        super().__init__(client_id=client_id, client_secret=None)
        self.token_url = token_url

    def can_refresh_access_token(self) -> bool:
        return bool(self.refresh_token and self.client_id)

    def call_refresh_token_api(self, token_api: TokenApi) -> dict[str, Any]:
        try:
            response, _, _ = token_api.api_client.call_api(
                self.token_url, "POST",
                header_params={"Accept": "application/json",
                               "Content-Type": "application/x-www-form-urlencoded"},
                post_params={"grant_type": "refresh_token", "refresh_token": self.refresh_token,
                             "client_id": self.client_id},
                auth_settings=None, _preload_content=False, _request_timeout=TIMEOUT)
        except HTTPStatusException as exc:
            status = exc.http_resp.status if exc.http_resp is not None else 0
            log.warning("token refresh refused: HTTP %s", status)
            if status in (400, 401):
                raise AuthorizationError() from None
            raise XeroUnavailableError(
                f"Xero's sign-in service answered with an error (HTTP {status}). Try again in "
                "a few minutes.") from None
        token: dict[str, Any] = token_api.parse_token_response(response)
        return token


class XeroClient:
    """Contacts and connections of one grant, through the official SDK."""

    def __init__(self, endpoints: XeroEndpoints, client_id: str, vault: TokenVault) -> None:
        config = Configuration()  # never pass arguments: only the first instance takes them
        config.oauth2_token = PkceOAuth2Token(client_id, endpoints.token_url)
        self._api_client = ApiClient(config, pool_threads=1)
        self._api_client.oauth2_token_getter(vault.load)
        self._api_client.oauth2_token_saver(vault.save)
        self._api_client.rest_client.pool_manager = urllib3.PoolManager(
            num_pools=4, maxsize=4, cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
            retries=False)
        self._accounting = AccountingApi(self._api_client, base_url=endpoints.api_base)
        self._identity = IdentityApi(self._api_client, base_url=endpoints.identity_base)

    def close(self) -> None:
        self._api_client.rest_client.pool_manager.clear()

    def __enter__(self) -> XeroClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connections(self) -> list[Organisation]:
        """Every organisation the grant covers."""
        found = self._call("listing your Xero organisations", self._identity.get_connections)
        return [Organisation(tenant_id=str(c.tenant_id), name=c.tenant_name or "",
                             connection_id=str(c.id))
                for c in found if (c.tenant_type or "ORGANISATION") == "ORGANISATION"]

    def remove_connection(self, organisation: Organisation) -> None:
        """DELETE /connections/{id}: the app loses access to this organisation only."""
        self._call(f"disconnecting {organisation.name}", self._identity.delete_connection,
                   organisation.connection_id)

    def list_contacts(self, tenant_id: str,
                      on_page: Callable[[int, int], None] | None = None) -> list[Contact]:
        """Every contact, archived included, in pages of 1,000; `on_page(read, total)`."""
        contacts: list[Contact] = []
        page = 1
        while True:
            result = self._call("reading the contacts", self._accounting.get_contacts,
                                tenant_id, page=page, page_size=PAGE_SIZE,
                                include_archived=True)
            batch = result.contacts or []
            contacts.extend(_contact(c) for c in batch)
            total = getattr(result.pagination, "item_count", None) or len(contacts)
            if on_page:
                on_page(len(contacts), max(total, len(contacts)))
            page_count = getattr(result.pagination, "page_count", None)
            if len(batch) < PAGE_SIZE or (page_count is not None and page >= page_count):
                return contacts
            page += 1

    def create_contacts(self, tenant_id: str, drafts: Sequence[ContactDraft],
                        run_key: str) -> list[WriteResult]:
        """PUT: create only, never overwriting a namesake; one result per draft.

        `run_key` names the run: a batch re-sent within the run carries the same
        Idempotency-Key, while another run's identical batch is a new request to Xero.
        """
        return self._write("adding contacts", "PUT", self._accounting.create_contacts,
                           tenant_id, drafts, run_key)

    def update_contacts(self, tenant_id: str, drafts: Sequence[ContactDraft],
                        run_key: str) -> list[WriteResult]:
        """POST with a ContactID on every draft: updates only; one result per draft."""
        if any(not d.contact_id for d in drafts):
            raise ValueError("an update needs a ContactID on every draft")
        return self._write("updating contacts", "POST",
                           self._accounting.update_or_create_contacts, tenant_id, drafts,
                           run_key)

    def _write(self, doing: str, verb: str, method: Callable[..., SdkContacts],
               tenant_id: str, drafts: Sequence[ContactDraft],
               run_key: str) -> list[WriteResult]:
        """One batch, always with summarizeErrors=false and this run's Idempotency-Key."""
        body = SdkContacts(contacts=[_sdk_contact(d) for d in drafts])
        key = _idempotency_key(tenant_id, run_key, verb, drafts)
        result = self._call(doing, method, tenant_id, body, summarize_errors=False,
                            idempotency_key=key)
        return _results(result, drafts)

    def _call(self, doing: str, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`method(*args, **kwargs)` with a timeout, one refresh on a 401, errors as ours."""
        refresh = False
        while True:
            try:
                if refresh and self._api_client.refresh_oauth2_token() is None:
                    raise AuthorizationError()
                return method(*args, _request_timeout=TIMEOUT, **kwargs)
            except HTTPStatusException as exc:
                status = exc.http_resp.status if exc.http_resp is not None else 0
                if status != 401 or refresh:
                    raise _translate(exc, status, doing) from None
            except ApiSSLException:
                log.warning("TLS failure while %s", doing)
                raise XeroUnavailableError(
                    f"The secure connection to Xero failed while {doing}: its certificate "
                    "could not be checked. If your network uses a proxy that inspects "
                    "secure traffic, ask your IT team to allow xero.com.") from None
            except OAuth2Error:
                log.warning("no usable token while %s", doing)
                raise AuthorizationError() from None
            except urllib3.exceptions.HTTPError as exc:
                log.warning("network failure while %s: %s", doing, type(exc).__name__)
                raise XeroUnavailableError(
                    f"Could not reach Xero while {doing} (the connection failed or timed "
                    "out). Check the internet connection, then try again.") from None
            log.info("Xero answered 401 while %s; refreshing the token once", doing)
            refresh = True


def _translate(exc: HTTPStatusException, status: int, doing: str) -> Exception:
    """Xero's answer as a sentence; never `str(exc)`, which holds headers and body."""
    log.warning("Xero answered HTTP %s while %s", status, doing)
    if isinstance(exc, RateLimitException) or status == 429:
        headers = exc.http_resp.getheaders() if exc.http_resp is not None else {}
        problem = (headers.get("X-Rate-Limit-Problem") or "day").lower()
        try:
            retry_after = int(headers.get("Retry-After") or 60)
        except ValueError:
            retry_after = 60
        if problem == "day":
            text = (f"Xero's daily limit of calls for this organisation was reached while "
                    f"{doing}. Nothing was lost; sync again in {_duration(retry_after)}.")
        else:
            text = (f"Xero's per-{problem} limit of calls was reached while {doing}. Nothing "
                    f"was lost; try again in {_duration(retry_after)}.")
        return RateLimitError(text, problem, retry_after)
    if status == 401:
        return AuthorizationError()
    if status == 403:
        return OrganisationAccessError(
            "Xero refused access to this organisation; it may have been disconnected from "
            "the app in Xero. Open Setup: connect again and tick it, or pick another one.")
    if status >= 500:
        return XeroUnavailableError(f"Xero had a problem while {doing} (HTTP {status}). "
                                    "Nothing was lost; try again in a few minutes.")
    detail = _error_text(exc)
    return XeroError(f"Xero refused the request while {doing}: {detail}" if detail else
                     f"Xero refused the request while {doing} (HTTP {status}).")


def _error_text(exc: HTTPStatusException) -> str:
    try:
        data = json.loads(exc.http_resp.data) if exc.http_resp is not None else {}
    except (ValueError, TypeError):
        return ""
    if not isinstance(data, dict):
        return ""
    for element in data.get("Elements") or []:
        for error in element.get("ValidationErrors") or []:
            if error.get("Message"):
                return str(error["Message"])
    return str(data.get("Message") or data.get("Detail") or "")


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 7200:
        return f"{round(seconds / 60)} minutes"
    return f"about {round(seconds / 3600)} hours"


def _contact(sdk: SdkContact) -> Contact:
    status = str(sdk.contact_status or "ACTIVE")
    return Contact(
        contact_id=str(sdk.contact_id),
        name=sdk.name or "",
        status=ContactStatus(status) if status in ContactStatus._value2member_map_
        else ContactStatus.ARCHIVED,
        contact_number=sdk.contact_number or "",
    )


def _sdk_contact(draft: ContactDraft) -> SdkContact:
    phones = [SdkPhone(phone_type=p.phone_type, phone_number=p.number) for p in draft.phones]
    addresses = []
    if not draft.address.is_empty():
        lines = dict(zip(("address_line1", "address_line2", "address_line3", "address_line4"),
                         draft.address.lines, strict=False))
        addresses.append(SdkAddress(
            address_type="POBOX", city=draft.address.city or None,
            region=draft.address.region or None, postal_code=draft.address.postal_code or None,
            country=draft.address.country or None, **lines))
    return SdkContact(
        contact_id=draft.contact_id or None,
        name=draft.name,
        contact_number=draft.contact_number or None,
        first_name=draft.first_name or None,
        last_name=draft.last_name or None,
        email_address=draft.email or None,
        contact_status=draft.status.value,
        phones=phones or None,
        addresses=addresses or None,
    )


def _results(result: SdkContacts, drafts: Sequence[ContactDraft]) -> list[WriteResult]:
    """Pair Xero's answers with the drafts, by position (Xero keeps the order sent)."""
    answers = list(result.contacts or [])
    if len(answers) != len(drafts):
        raise XeroError(f"Xero answered {len(answers)} contacts for {len(drafts)} sent; the "
                        "batch's outcome is unknown. Review the mapping again before syncing.")
    results = []
    for answer in answers:
        errors = tuple(e.message for e in (answer.validation_errors or []) if e.message)
        failed = bool(answer.has_validation_errors) or answer.status_attribute_string == "ERROR"
        results.append(WriteResult(ok=not failed,
                                   contact_id="" if failed else str(answer.contact_id or ""),
                                   messages=errors or (("Xero refused this contact.",)
                                                       if failed else ())))
    return results


def _idempotency_key(tenant_id: str, run_key: str, method: str,
                     drafts: Sequence[ContactDraft]) -> str:
    """One batch of one run: Xero replays its answer to a retry instead of applying it twice.

    Xero replays a key's first answer (errors too) for minutes, so the run is part of the
    key: a later run sending the same content must be applied, not answered from the replay.
    """
    payload = json.dumps([tenant_id, run_key, method, [repr(d) for d in drafts]],
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()
