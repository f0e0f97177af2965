"""Xero client: the only module that imports xero_python. SDK models and errors in, ours out.

Public API: XeroClient, Organisation, ContactRead, WriteResult, PkceOAuth2Token,
PAGE_SIZE.

Every call goes through `_call()`, which paces on Xero's limit headers, refreshes the access
token once on a 401, waits out a per-minute 429 (Retry-After) and retries a 5xx or a dropped
connection with capped, jittered back-off, the same Idempotency-Key each time; the rest
becomes a UserError sentence. `str(ApiException)` (headers and body) is never shown or
logged. The urllib3 pool has `retries=False` and every call a (connect, read) timeout: the
stock pool re-sends a PUT after a dropped connection and sleeps up to six hours on a 429.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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

from ..core.changes import owned_fields
from ..core.model import Address, Contact, ContactDraft, ContactStatus, Phone
from ..errors import (
    AuthorizationError,
    OrganisationAccessError,
    RateLimitError,
    XeroError,
    XeroUnavailableError,
)
from .endpoints import XeroEndpoints
from .pacing import MAX_ATTEMPTS, Pacing, WaitListener
from .tokens import TokenVault

log = logging.getLogger(__name__)

T = TypeVar("T")
PAGE_SIZE = 1000  # Xero's largest page
TIMEOUT = (10, 60)  # (connect, read) seconds; the SDK ignores a float
MAX_LIMIT_WAITS = 10  # per-minute 429s in a row before giving up on a call
LONG_WAIT = 300  # seconds: a limit the app does not know that asks longer stops the run
_RETRIED_STATUSES = frozenset({500, 502, 503, 504})
_LIMITS = {  # X-Rate-Limit-Problem -> the limit, in words
    "minute": "Xero's per-minute limit",
    "concurrent": "Xero's limit of calls at the same time",
    "appminute": "Xero's per-minute limit for the whole app",
    "other": "A Xero rate limit",
}


@dataclass(frozen=True)
class Organisation:
    """One Xero organisation the grant covers (a /connections entry)."""

    tenant_id: str
    name: str
    connection_id: str = ""


@dataclass(frozen=True)
class ContactRead:
    """What a read of the contacts returned, and Xero's time when it began (the Date of
    the first answer, less how long it took): every change before then is in `contacts`.
    None when Xero sent no Date."""

    contacts: list[Contact]
    started_at: datetime | None


@dataclass(frozen=True)
class WriteResult:
    """Xero's answer for one contact of a batch, as it came (Xero does not document that
    the order sent is kept: the runner checks each against its draft before trusting it).

    `contact_number` and `name` are what the answer names, also for a refused contact (Xero
    echoes what was sent), so the answer can be checked against the draft it should be for.
    """

    ok: bool
    contact_id: str
    messages: tuple[str, ...] = ()
    contact: Contact | None = None  # the contact as Xero saved it
    contact_number: str = ""
    name: str = ""


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

    def __init__(self, endpoints: XeroEndpoints, client_id: str, vault: TokenVault,
                 pacing: Pacing | None = None) -> None:
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
        self.pacing = pacing or Pacing()
        self.is_demo = endpoints.is_demo  # the embedded sandbox, not Xero: said in run logs
        self.on_wait: WaitListener | None = None  # a job's countdown; False means cancel
        self._last_headers: Mapping[str, str] = {}  # of the last call that succeeded

    def close(self) -> None:
        self._api_client.rest_client.pool_manager.clear()

    def __enter__(self) -> XeroClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connections(self) -> list[Organisation]:
        """Every organisation the grant covers."""
        found = self._call("listing your Xero organisations", "",
                           self._identity.get_connections)
        return [Organisation(tenant_id=str(c.tenant_id), name=c.tenant_name or "",
                             connection_id=str(c.id))
                for c in found if (c.tenant_type or "ORGANISATION") == "ORGANISATION"]

    def remove_connection(self, organisation: Organisation) -> None:
        """DELETE /connections/{id}: the app loses access to this organisation only."""
        self._call(f"disconnecting {organisation.name}", "", self._identity.delete_connection,
                   organisation.connection_id)

    def read_contacts(self, tenant_id: str, modified_since: datetime | None = None,
                      on_page: Callable[[int, int], None] | None = None) -> ContactRead:
        """Contacts, archived included, in pages of up to 1,000; `on_page(read, total)`.

        The read ends when Xero's pagination says the last page was read (`pageCount`), or
        at an empty page when it sends none: never at a short page, since Xero documents
        "up to 100" a page and may serve fewer than asked.

        With `modified_since` (UTC), only those changed since then (If-Modified-Since, whole
        seconds); without it, every contact. Pages go in ContactID order, which an edit made
        during the read does not reorder (in UpdatedDateUTC order the edited contact moves
        to the end and the one after it slips into the page already read).
        """
        since: dict[str, Any] = {}
        if modified_since is not None:
            moment = modified_since.astimezone(UTC).replace(tzinfo=None, microsecond=0)
            since["if_modified_since"] = moment
        contacts: list[Contact] = []
        seen: set[str] = set()
        started_at: datetime | None = None
        page = 1
        while True:
            asked = self.pacing.clock()
            result = self._call("reading the contacts", tenant_id,
                                self._accounting.get_contacts, tenant_id, page=page,
                                page_size=PAGE_SIZE, include_archived=True,
                                order="ContactID ASC", **since)
            if page == 1 and (answered := _server_time(self._last_headers)) is not None:
                # the Date is when the answer left: the query ran up to that long before
                took = math.ceil(self.pacing.clock() - asked)
                started_at = answered - timedelta(seconds=took)
            batch = [_contact(c) for c in result.contacts or []]
            new = [c for c in batch if c.contact_id not in seen]
            if batch and not new:  # a page already read: Xero ignored `page`; never loop
                raise XeroError(
                    f"Xero answered page {page} of the contacts with contacts already read, so "
                    "the read was stopped and nothing was changed. Try again later; if it "
                    "happens again, tell the app's developers.")
            seen.update(c.contact_id for c in new)
            contacts.extend(new)
            item_count = getattr(result.pagination, "item_count", None)
            if on_page:
                on_page(len(contacts), max(item_count or 0, len(contacts)))
            page_count = getattr(result.pagination, "page_count", None)
            if not batch or (page_count is not None and page >= page_count
                             and (item_count is None or len(contacts) >= item_count)):
                return ContactRead(contacts, started_at)
            page += 1  # a short page is not the last: Xero may cap a page below PAGE_SIZE

    def create_contacts(self, tenant_id: str, drafts: Sequence[ContactDraft],
                        idempotency_key: str) -> list[WriteResult]:
        """PUT: create only, never overwriting a namesake; Xero's answer for each contact."""
        return self._write("adding contacts", self._accounting.create_contacts, tenant_id,
                           drafts, idempotency_key)

    def update_contacts(self, tenant_id: str, drafts: Sequence[ContactDraft],
                        idempotency_key: str) -> list[WriteResult]:
        """POST with a ContactID on every draft: updates only; Xero's answer for each."""
        if any(not d.contact_id for d in drafts):
            raise ValueError("an update needs a ContactID on every draft")
        return self._write("updating contacts", self._accounting.update_or_create_contacts,
                           tenant_id, drafts, idempotency_key)

    def _write(self, doing: str, method: Callable[..., SdkContacts], tenant_id: str,
               drafts: Sequence[ContactDraft], idempotency_key: str) -> list[WriteResult]:
        """One batch, always with summarizeErrors=false, the batch's own Idempotency-Key."""
        body = SdkContacts(contacts=[_sdk_contact(d) for d in drafts])
        result = self._call(doing, tenant_id, method, tenant_id, body, summarize_errors=False,
                            idempotency_key=idempotency_key)
        return _results(result)

    def _call(self, doing: str, tenant_id: str, method: Callable[..., Any], *args: Any,
              **kwargs: Any) -> Any:
        """`method(*args, **kwargs)` inside the limits, with retries; errors as ours.

        `tenant_id` is '' for the identity API, which has no per-organisation limits.
        """
        refreshed = refresh_now = False
        attempt = limit_waits = short_waits = 0
        while True:
            if tenant_id and (delay := self.pacing.delay(tenant_id)) > 0:
                self._wait(delay, "Xero allows 60 calls a minute for an organisation; "
                                  "pacing the next call")
            attempt += 1
            try:
                if refresh_now:
                    if self._api_client.refresh_oauth2_token() is None:
                        raise AuthorizationError()
                    refresh_now = False  # only once it worked: a dropped refresh is retried
                with self.pacing.call(tenant_id or "identity"):
                    data, _, headers = method(*args, _request_timeout=TIMEOUT,
                                              _return_http_data_only=False, **kwargs)
                self.pacing.observe(tenant_id, headers)
                self._last_headers = headers
                return data
            except HTTPStatusException as exc:
                status = exc.http_resp.status if exc.http_resp is not None else 0
                headers = _headers(exc)
                self.pacing.observe(tenant_id, headers)
                if status == 401 and not refreshed:
                    log.info("Xero answered 401 while %s; refreshing the token once", doing)
                    refreshed = refresh_now = True
                    attempt -= 1
                    continue
                after = _int(headers.get("Retry-After"), -1)  # -1: none (or not seconds)
                if status == 429 and _waits_out(_problem(headers), after) \
                        and limit_waits < MAX_LIMIT_WAITS:
                    limit_waits += 1
                    if after < 0:
                        short_waits += 1
                    self._wait(max(1, after) if after >= 0 else self.pacing.backoff(short_waits),
                               f"{_LIMITS[_problem(headers)]} was reached; carrying on by itself")
                    if after >= 0:  # its word, now waited out
                        self.pacing.waited_out(tenant_id)
                    attempt -= 1
                    continue
                if status in _RETRIED_STATUSES and attempt < MAX_ATTEMPTS:
                    self._retry(attempt, f"Xero had a problem (HTTP {status}) while {doing}",
                                headers)
                    continue
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
                if attempt < MAX_ATTEMPTS:
                    self._retry(attempt, f"The connection to Xero failed while {doing}", {})
                    continue
                raise XeroUnavailableError(
                    f"Could not reach Xero while {doing} (the connection failed or timed "
                    f"out, {MAX_ATTEMPTS} tries). Nothing was lost; check the internet "
                    "connection, then try again.") from None

    def _retry(self, attempt: int, what: str, headers: Mapping[str, str]) -> None:
        delay = max(self.pacing.backoff(attempt), float(_int(headers.get("Retry-After"), 0)))
        log.info("%s; retry %d of %d", what, attempt, MAX_ATTEMPTS - 1)
        self._wait(delay, f"{what}; trying again (retry {attempt} of {MAX_ATTEMPTS - 1})")

    def _wait(self, seconds: float, reason: str) -> None:
        self.pacing.wait(seconds, reason, self.on_wait)


def _server_time(headers: Mapping[str, str]) -> datetime | None:
    """Xero's clock at an answer: its Date header."""
    try:
        moment = email.utils.parsedate_to_datetime(headers.get("Date") or "")
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _headers(exc: HTTPStatusException) -> Mapping[str, str]:
    return exc.http_resp.getheaders() if exc.http_resp is not None else {}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _waits_out(problem: str, retry_after: int) -> bool:
    """Whether a 429 is waited out here: never the daily limit, nor a limit the app does not
    know that asks for a long wait (Retry-After over LONG_WAIT): those stop the run. With no
    Retry-After (the concurrent limit sends none), a short back-off with jitter."""
    if problem == "day":
        return False
    return problem != "other" or retry_after <= LONG_WAIT


def _problem(headers: Mapping[str, str]) -> str:
    """X-Rate-Limit-Problem, lower case; `day` only when Xero says so: a problem it names
    that this code does not know, or none, is waited out like the minute limit (`other`)."""
    problem = (headers.get("X-Rate-Limit-Problem") or "").strip().lower()
    return problem if problem in ("day", "minute", "concurrent", "appminute") else "other"


def _retry_after(headers: Mapping[str, str]) -> int:
    return max(1, _int(headers.get("Retry-After"), 60))


def _translate(exc: HTTPStatusException, status: int, doing: str) -> Exception:
    """Xero's answer as a sentence; never `str(exc)`, which holds headers and body."""
    log.warning("Xero answered HTTP %s while %s", status, doing)
    if isinstance(exc, RateLimitException) or status == 429:
        headers = _headers(exc)
        problem, retry_after = _problem(headers), _retry_after(headers)
        resume_at = datetime.now(UTC) + timedelta(seconds=retry_after)
        when = resume_at.astimezone().strftime("%H:%M on %d %b")
        if problem == "day":
            text = (f"Xero's daily limit of calls for this organisation was reached while "
                    f"{doing}. Nothing was lost; sync again after {when} "
                    f"(in {_duration(retry_after)}) to carry on where it stopped.")
        elif problem == "other" and retry_after > LONG_WAIT:
            text = (f"{_LIMITS[problem]} was reached while {doing}, and Xero asks to wait "
                    f"{_duration(retry_after)}. Nothing was lost; try again after {when}.")
        else:
            text = (f"{_LIMITS[problem]} was still reached after {MAX_LIMIT_WAITS} waits "
                    f"while {doing}. Nothing was lost; try again in {_duration(retry_after)}.")
        return RateLimitError(text, problem, retry_after, resume_at)
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


def _held(sdk: SdkContact) -> str:
    """The product's fields of a contact as Xero holds them (changes.owned_fields)."""
    phones = tuple(Phone(str(p.phone_type), p.phone_number) for p in sdk.phones or ()
                   if p.phone_type and p.phone_number)
    pobox = next((a for a in sdk.addresses or () if str(a.address_type) == "POBOX"), None)
    address = Address() if pobox is None else Address(
        lines=tuple(line for line in (pobox.address_line1, pobox.address_line2,
                                      pobox.address_line3, pobox.address_line4) if line),
        city=pobox.city or "", region=pobox.region or "", postal_code=pobox.postal_code or "",
        country=pobox.country or "")
    held = ContactDraft(name=sdk.name or "", contact_number=sdk.contact_number or "",
                        first_name=sdk.first_name or "", last_name=sdk.last_name or "",
                        email=sdk.email_address or "", phones=phones, address=address)
    return json.dumps(list(owned_fields(held).items()), ensure_ascii=False)


def _contact(sdk: SdkContact) -> Contact:
    status = str(sdk.contact_status or "ACTIVE")
    updated = sdk.updated_date_utc
    if isinstance(updated, datetime) and updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)
    return Contact(
        contact_id=str(sdk.contact_id),
        name=sdk.name or "",
        status=ContactStatus(status) if status in ContactStatus._value2member_map_
        else ContactStatus.ARCHIVED,
        contact_number=sdk.contact_number or "",
        updated_ms=int(updated.timestamp() * 1000) if isinstance(updated, datetime) else 0,
        merged_to=str(sdk.merged_to_contact_id or ""),
        email=sdk.email_address or "",
        details=_held(sdk),
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


def _results(result: SdkContacts) -> list[WriteResult]:
    """Xero's answers in the order it sent them; pairing them with the drafts is the
    runner's job (by ContactNumber, not by position, which Xero does not promise)."""
    results = []
    for answer in result.contacts or []:
        errors = tuple(e.message for e in (answer.validation_errors or []) if e.message)
        failed = bool(answer.has_validation_errors) or answer.status_attribute_string == "ERROR"
        results.append(WriteResult(ok=not failed,
                                   contact_id="" if failed else str(answer.contact_id or ""),
                                   messages=errors or (("Xero refused this contact.",)
                                                       if failed else ()),
                                   contact=None if failed else _contact(answer),
                                   contact_number=answer.contact_number or "",
                                   name=answer.name or ""))
    return results
