"""GET /Contacts and GET /Contacts/{id|number} through the SDK, as the product reads Xero."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

import pytest
from xero_python.accounting import Contacts
from xero_python.exceptions import AccountingBadRequestException, NotFoundException

if TYPE_CHECKING:
    from conftest import FakeClock, MakeSandbox, Session, Xero

    from xerosync_desktop.sandbox import XeroSandbox

US = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
SEED_UPDATED = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)


def _names(result: Contacts) -> list[str]:
    return [c.name for c in result.contacts]


def test_seed_contacts_have_fixed_ids_and_dates(session: Session) -> None:
    result = session.accounting.get_contacts(US)
    names = _names(result)
    assert "Old Town Bakery" not in names and "Legacy Supplies Co" not in names  # archived
    assert len(names) == 13
    acme = next(c for c in result.contacts if c.name == "Acme Holdings LLC")
    assert str(acme.contact_id) == str(uuid.uuid5(uuid.UUID(US), "Acme Holdings LLC"))
    assert acme.updated_date_utc == SEED_UPDATED
    assert acme.contact_number is None
    assert [a.address_type for a in acme.addresses] == ["POBOX", "STREET"]
    assert [p.phone_type for p in acme.phones] == ["DDI", "DEFAULT", "FAX", "MOBILE"]
    assert acme.addresses[0].city == "Austin"
    assert acme.is_customer is False and acme.has_validation_errors is False
    assert result.pagination is None


def test_include_archived_and_default_order(session: Session) -> None:
    result = session.accounting.get_contacts(US, include_archived=True)
    assert {"Old Town Bakery", "Legacy Supplies Co"} <= set(_names(result))
    ids = [str(c.contact_id) for c in result.contacts]
    assert ids == sorted(ids)  # equal UpdatedDateUTC: ContactID ascending


def test_paging_reports_pagination_and_clamps_page_size(session: Session) -> None:
    first = session.accounting.get_contacts(US, page=1, page_size=5, include_archived=True)
    assert len(first.contacts) == 5
    pagination = first.pagination
    assert (pagination.page, pagination.page_size, pagination.page_count,
            pagination.item_count) == (1, 5, 3, 15)
    pages = [session.accounting.get_contacts(US, page=p, page_size=5, include_archived=True)
             for p in (1, 2, 3, 4)]
    seen = [c.contact_id for page in pages for c in page.contacts]
    assert len(seen) == len(set(seen)) == 15
    assert pages[3].contacts == []
    clamped = session.accounting.get_contacts(US, page=1, page_size=5000)
    assert clamped.pagination.page_size == 1000
    assert session.accounting.get_contacts(US, page=1, page_size=0).pagination.page_size == 1


@pytest.mark.parametrize(("where", "expected"), [
    ('Name=="Acme Holdings LLC"', ["Acme Holdings LLC"]),
    ('Name=="delta dental group"', ["DELTA Dental Group"]),
    ('Name=="Café Lumière"', ["Cafe Lumiere"]),
    ('Name=="John  Smith"', ["John Smith"]),
    ('Name=="John _Smith"', ["John _Smith"]),
    ('EmailAddress=="BILLING@acmeholdings.example"', ["Acme Holdings LLC"]),
    ('ContactStatus=="ACTIVE" AND Name.StartsWith("John")', ["John _Smith", "John Smith"]),
    ('Name=="Office Depot" || Name=="City Water Utility"', ["City Water Utility",
                                                             "Office Depot"]),
    ('Name.Contains("dental") && Name!="Harbor View Dental"', ["DELTA Dental Group"]),
])
def test_where_filters(session: Session, where: str, expected: list[str]) -> None:
    result = session.accounting.get_contacts(US, where=where, order="Name ASC")
    assert _names(result) == expected


def test_where_by_contact_number_account_number_and_id(
        sandbox: XeroSandbox, session: Session) -> None:
    added = sandbox.add_contact(US, Name="Numbered Co", ContactNumber="00010",
                                AccountNumber="ACC-7")
    assert _names(session.accounting.get_contacts(US, where='ContactNumber=="00010"')) == [
        "Numbered Co"]
    assert _names(session.accounting.get_contacts(US, where='AccountNumber=="acc-7"')) == [
        "Numbered Co"]
    by_id = session.accounting.get_contacts(US, where=f'ContactID==Guid("{added["ContactID"]}")')
    assert _names(by_id) == ["Numbered Co"]


@pytest.mark.parametrize("where", ['Name=="unterminated', "Bogus==\"x\"", 'Name=="a" AND',
                                   "Name=5", 'Name.Explode("x")'])
def test_unparseable_where_is_a_400_with_a_message(session: Session, where: str) -> None:
    with pytest.raises(AccountingBadRequestException) as caught:
        session.accounting.get_contacts(US, where=where)
    assert caught.value.error_data["Message"]
    assert caught.value.http_resp.status == 400


def test_order_by_name_descending(session: Session) -> None:
    names = _names(session.accounting.get_contacts(US, order="Name DESC"))
    assert names == sorted(names, key=str.casefold, reverse=True)


def test_search_term_ids_and_summary_only(sandbox: XeroSandbox, session: Session) -> None:
    assert _names(session.accounting.get_contacts(US, search_term="smith", order="Name")) == [
        "John _Smith", "John Smith"]
    assert _names(session.accounting.get_contacts(US, search_term="ACMEHOLDINGS")) == [
        "Acme Holdings LLC"]
    everyone = session.accounting.get_contacts(US).contacts
    wanted = [everyone[0].contact_id, everyone[3].contact_id]
    picked = session.accounting.get_contacts(US, i_ds=wanted)
    assert sorted(c.contact_id for c in picked.contacts) == sorted(wanted)
    summary = session.accounting.get_contacts(US, summary_only=True)
    assert summary.pagination.page == 1
    assert summary.contacts[0].addresses is None


def test_if_modified_since_returns_contacts_changed_at_or_after(
        make_sandbox: MakeSandbox, xero_for: type[Xero], clock: FakeClock) -> None:
    sandbox = make_sandbox(clock=clock)
    session = xero_for(sandbox).session()
    clock.now = dt.datetime(2026, 5, 1, 10, 0, 0, 500_000, tzinfo=dt.UTC).timestamp()
    sandbox.add_contact(US, Name="Changed Later")
    since = dt.datetime(2026, 5, 1, 10, 0, 0)  # naive = UTC, whole seconds as the product sends
    assert _names(session.accounting.get_contacts(US, if_modified_since=since)) == [
        "Changed Later"]
    aware = dt.datetime(2026, 5, 1, 12, 0, 0, 500_000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert _names(session.accounting.get_contacts(US, if_modified_since=aware)) == [
        "Changed Later"]  # >=: the same instant counts
    later = dt.datetime(2026, 5, 1, 10, 0, 1)
    assert session.accounting.get_contacts(US, if_modified_since=later).contacts == []


def test_if_modified_since_accepts_rfc_1123(
        make_sandbox: MakeSandbox, xero_for: type[Xero], clock: FakeClock) -> None:
    sandbox = make_sandbox(clock=clock)
    xero = xero_for(sandbox)
    token = xero.login()
    clock.now = dt.datetime(2026, 5, 1, 10, 0, 0, tzinfo=dt.UTC).timestamp()
    sandbox.add_contact(US, Name="Changed Later")
    reply = xero.api("GET", "/Contacts", token,
                     headers={"If-Modified-Since": "Fri, 01 May 2026 09:59:59 GMT"})
    assert [c["Name"] for c in reply.json()["Contacts"]] == ["Changed Later"]


def test_get_contact_by_id_and_number_and_404(sandbox: XeroSandbox, session: Session) -> None:
    added = sandbox.add_contact(US, Name="Numbered Co", ContactNumber="00010")
    by_id = session.accounting.get_contact(US, added["ContactID"]).contacts
    by_number = session.accounting.get_contact_by_contact_number(US, "00010").contacts
    assert [c.name for c in by_id] == [c.name for c in by_number] == ["Numbered Co"]
    archived = str(uuid.uuid5(uuid.UUID(US), "Old Town Bakery"))
    assert session.accounting.get_contact(US, archived).contacts[0].contact_status == "ARCHIVED"
    with pytest.raises(NotFoundException):
        session.accounting.get_contact(US, str(uuid.uuid4()))
    with pytest.raises(NotFoundException) as caught:
        session.accounting.get_contact_by_contact_number(US, "99999")
    assert caught.value.http_resp.data == b"The resource you're looking for cannot be found"


def test_unknown_endpoint_is_404_text_and_wrong_method_405(session: Session, xero: Xero) -> None:
    reply = xero.api("GET", "/Invoices", session.token)
    assert (reply.status, reply.body) == (404, b"The resource you're looking for cannot be found")
    assert xero.api("DELETE", "/Contacts", session.token).status == 405
