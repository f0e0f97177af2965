"""PUT /Contacts, POST /Contacts, POST /Contacts/{id}: Xero's write rules and error shapes."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest
from xero_python.accounting import Contact, ContactPerson, Contacts, Phone
from xero_python.exceptions import AccountingBadRequestException

if TYPE_CHECKING:
    from conftest import MakeSandbox, Session, Xero

    from xerosync_desktop.sandbox import XeroSandbox

US = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
GLOBAL = "b2e9d6c4-1a7f-4c35-8e20-6f4d3b9a7c22"
ZERO = "00000000-0000-0000-0000-000000000000"
ARCHIVED_MESSAGE = ("The specified contact details matched an archived contact. Archived "
                    "contacts cannot currently be edited via the API.")


def dup_name(name: str) -> str:
    return (f"The contact name {name} is already assigned to another contact. "
            "The contact name must be unique across all active contacts.")


def seed_id(name: str, tenant: str = US) -> str:
    return str(uuid.uuid5(uuid.UUID(tenant), name))


def _by_name(sandbox: XeroSandbox, tenant: str = US) -> dict[str, dict[str, Any]]:
    return {c["Name"]: c for c in sandbox.contacts(tenant)}


def _errors(contact: Contact) -> list[str]:
    return [e.message for e in contact.validation_errors or []]


def test_create_mixed_batch_reports_each_element_in_order(
        sandbox: XeroSandbox, session: Session) -> None:
    names = ["New Client A", "John  Smith", "Mary _Jones", "delta dental group",
             "Café Lumière", "Twin Co", "Twin Co"]
    body = Contacts(contacts=[Contact(name=n) for n in names])
    result = session.accounting.create_contacts(US, body, summarize_errors=False)
    statuses = [(c.name, c.status_attribute_string) for c in result.contacts]
    assert statuses == [("New Client A", "OK"), ("John  Smith", "ERROR"), ("Mary _Jones", "OK"),
                        ("delta dental group", "ERROR"), ("Café Lumière", "ERROR"),
                        ("Twin Co", "OK"), ("Twin Co", "ERROR")]
    failed = [c for c in result.contacts if c.status_attribute_string == "ERROR"]
    assert all(c.contact_id == ZERO and c.has_validation_errors for c in failed)
    assert [_errors(c) for c in failed] == [[dup_name(c.name)] for c in failed]
    ok = result.contacts[0]
    assert ok.contact_id != ZERO and ok.contact_status == "ACTIVE"
    assert [p.phone_type for p in ok.phones] == ["DDI", "DEFAULT", "FAX", "MOBILE"]
    stored = _by_name(sandbox)
    assert {"New Client A", "Mary _Jones", "Twin Co", "Mary Jones"} <= set(stored)
    assert stored["New Client A"]["ContactID"] == ok.contact_id
    assert "John  Smith" not in stored and "Café Lumière" not in stored


def test_underscore_is_not_whitespace(session: Session, sandbox: XeroSandbox) -> None:
    body = Contacts(contacts=[Contact(name="John Smith"), Contact(name="John _Smith"),
                              Contact(name=" john   SMITH ")])
    result = session.accounting.create_contacts(GLOBAL, body, summarize_errors=False)
    assert [c.status_attribute_string for c in result.contacts] == ["OK", "OK", "ERROR"]
    assert {"John Smith", "John _Smith"} <= set(_by_name(sandbox, GLOBAL))


def test_duplicate_contact_number_fails_on_put(sandbox: XeroSandbox, session: Session) -> None:
    sandbox.add_contact(US, Name="Numbered Co", ContactNumber="00010")
    body = Contacts(contacts=[Contact(name="Another Co", contact_number="00010")])
    (element,) = session.accounting.create_contacts(US, body, summarize_errors=False).contacts
    assert element.status_attribute_string == "ERROR"
    assert _errors(element) == ["The contact number 00010 is already assigned to another contact."]
    assert "Another Co" not in _by_name(sandbox)


def test_over_long_contact_number_is_refused_per_element(
        sandbox: XeroSandbox, session: Session, xero: Xero) -> None:
    with pytest.raises(ValueError):
        Contact(name="Too Long", contact_number="9" * 51)  # the SDK refuses it before sending
    body = {"Contacts": [{"Name": "Too Long", "ContactNumber": "9" * 51},
                         {"Name": "Fine Co", "ContactNumber": "9" * 50}]}
    reply = xero.api("PUT", "/Contacts?summarizeErrors=false", session.token, body=body)
    assert reply.status == 200
    first, second = reply.json()["Contacts"]
    assert first["StatusAttributeString"] == "ERROR"
    assert first["ContactID"] == ZERO
    assert "ContactNumber" in first["ValidationErrors"][0]["Message"]
    assert second["StatusAttributeString"] == "OK"
    assert "Too Long" not in _by_name(sandbox)


def test_element_without_identifier_and_bare_object_body(session: Session, xero: Xero) -> None:
    reply = xero.api("PUT", "/Contacts?summarizeErrors=false", session.token,
                     body={"Contacts": [{"EmailAddress": "nobody@example.com"}]})
    (element,) = reply.json()["Contacts"]
    assert element["ValidationErrors"] == [{"Message": (
        "The Contact must contain at least 1 of the following elements to identify the "
        "contact: Name, ContactID, ContactNumber")}]
    bare = xero.api("PUT", "/Contacts", session.token, body={"Name": "Bare Co"})
    assert bare.status == 200
    assert bare.json()["Contacts"][0]["Name"] == "Bare Co"


def test_default_summarize_errors_is_a_400_yet_good_elements_are_saved(
        sandbox: XeroSandbox, session: Session) -> None:
    body = Contacts(contacts=[Contact(name="Saved Anyway"), Contact(name="Acme Holdings LLC")])
    with pytest.raises(AccountingBadRequestException) as caught:
        session.accounting.create_contacts(US, body)
    error = caught.value.error_data
    assert error["ErrorNumber"] == 10
    assert error["Type"] == "ValidationException"
    assert error["Message"] == "A validation exception occurred"
    (element,) = error["Elements"]
    assert element["Name"] == "Acme Holdings LLC" and element["ContactID"] == ZERO
    assert element["ValidationErrors"] == [{"Message": dup_name("Acme Holdings LLC")}]
    assert "Saved Anyway" in _by_name(sandbox)  # Xero's trap: saved, and its ID never returned


def test_update_by_contact_id_keeps_omitted_fields_and_merges_phones(
        sandbox: XeroSandbox, session: Session) -> None:
    acme_id = seed_id("Acme Holdings LLC")
    before = _by_name(sandbox)["Acme Holdings LLC"]
    change = Contact(contact_id=acme_id, email_address="new@acme.example",
                     phones=[Phone(phone_type="MOBILE", phone_number="555-0199")],
                     contact_persons=[ContactPerson(first_name="Pat", last_name="Lee")])
    (updated,) = session.accounting.update_contact(US, acme_id, Contacts(contacts=[change])
                                                   ).contacts
    assert updated.email_address == "new@acme.example"
    assert updated.first_name == "Alice"  # omitted: kept
    phones = {p.phone_type: p.phone_number for p in updated.phones}
    assert phones["MOBILE"] == "555-0199" and phones["DEFAULT"] == "512-555-0101"
    assert [(p.first_name, p.last_name) for p in updated.contact_persons] == [("Pat", "Lee")]
    assert updated.addresses[0].city == "Austin"
    assert updated.updated_date_utc.timestamp() * 1000 > 1768469400000
    assert _by_name(sandbox)["Acme Holdings LLC"]["UpdatedDateUTC"] != before["UpdatedDateUTC"]
    again = Contact(contact_id=acme_id, contact_persons=[ContactPerson(first_name="Sam")])
    (replaced,) = session.accounting.update_or_create_contacts(
        US, Contacts(contacts=[again]), summarize_errors=False).contacts
    assert [p.first_name for p in replaced.contact_persons] == ["Sam"]


def test_read_only_fields_are_ignored(sandbox: XeroSandbox, session: Session, xero: Xero) -> None:
    body = {"Contacts": [{"Name": "Readonly Co", "IsCustomer": True, "IsSupplier": True,
                          "HasAttachments": True, "UpdatedDateUTC": "/Date(0+0000)/"}]}
    (element,) = xero.api("PUT", "/Contacts", session.token, body=body).json()["Contacts"]
    assert element["IsCustomer"] is False and element["HasAttachments"] is False
    assert element["UpdatedDateUTC"] != "/Date(0+0000)/"


def test_archived_contact_cannot_be_updated(sandbox: XeroSandbox, session: Session) -> None:
    old_town = seed_id("Old Town Bakery")
    with pytest.raises(AccountingBadRequestException) as caught:
        session.accounting.update_contact(
            US, old_town, Contacts(contacts=[Contact(contact_id=old_town, name="Old Town")]))
    assert caught.value.error_data["Elements"][0]["ValidationErrors"][0]["Message"] == \
        ARCHIVED_MESSAGE
    by_name = Contacts(contacts=[Contact(name="old town bakery", email_address="x@y.example")])
    (element,) = session.accounting.update_or_create_contacts(
        US, by_name, summarize_errors=False).contacts
    assert element.status_attribute_string == "ERROR"
    assert element.contact_id == old_town
    assert _errors(element) == [ARCHIVED_MESSAGE]
    assert _by_name(sandbox)["Old Town Bakery"]["ContactStatus"] == "ARCHIVED"


def test_post_archives_an_active_contact_which_then_stays_archived(
        sandbox: XeroSandbox, session: Session) -> None:
    office = seed_id("Office Depot")
    archive = Contacts(contacts=[Contact(contact_id=office, contact_status="ARCHIVED")])
    (archived,) = session.accounting.update_or_create_contacts(
        US, archive, summarize_errors=False).contacts
    assert archived.contact_status == "ARCHIVED"
    assert archived.status_attribute_string == "OK"
    restore = Contacts(contacts=[Contact(contact_id=office, contact_status="ACTIVE")])
    (refused,) = session.accounting.update_or_create_contacts(
        US, restore, summarize_errors=False).contacts
    assert _errors(refused) == [ARCHIVED_MESSAGE]
    sandbox.update_contact(US, office, ContactStatus="ACTIVE")  # the user restores it in Xero
    assert _by_name(sandbox)["Office Depot"]["ContactStatus"] == "ACTIVE"


def test_post_without_contact_id_overwrites_by_number_then_by_name(
        sandbox: XeroSandbox, session: Session) -> None:
    numbered = sandbox.add_contact(US, Name="Numbered Co", ContactNumber="00042")
    by_number = Contacts(contacts=[Contact(contact_number="00042", name="Renamed Co")])
    (renamed,) = session.accounting.update_or_create_contacts(
        US, by_number, summarize_errors=False).contacts
    assert renamed.contact_id == numbered["ContactID"] and renamed.name == "Renamed Co"

    count = len(sandbox.contacts(US))
    by_name = Contacts(contacts=[Contact(name="Delta Dental Group", contact_number="00077")])
    (overwritten,) = session.accounting.update_or_create_contacts(
        US, by_name, summarize_errors=False).contacts
    assert overwritten.contact_id == seed_id("DELTA Dental Group")
    assert (overwritten.name, overwritten.contact_number) == ("Delta Dental Group", "00077")
    assert len(sandbox.contacts(US)) == count

    brand_new = Contacts(contacts=[Contact(name="Brand New Co")])
    (created,) = session.accounting.update_or_create_contacts(US, brand_new).contacts
    assert created.contact_id not in (ZERO, None)
    assert len(sandbox.contacts(US)) == count + 1


def test_rename_onto_an_active_name_is_refused(session: Session) -> None:
    acme = seed_id("Acme Holdings LLC")
    clash = Contacts(contacts=[Contact(contact_id=acme, name="Evergreen  Landscaping")])
    (element,) = session.accounting.update_or_create_contacts(
        US, clash, summarize_errors=False).contacts
    assert element.contact_id == acme
    assert _errors(element) == [dup_name("Evergreen  Landscaping")]


def test_archived_namesake_does_not_block_create_unless_configured(
        make_sandbox: MakeSandbox, xero_for: type[Xero]) -> None:
    session = xero_for(make_sandbox()).session()
    body = Contacts(contacts=[Contact(name="Old Town Bakery")])
    (created,) = session.accounting.create_contacts(US, body, summarize_errors=False).contacts
    assert created.status_attribute_string == "OK"

    strict = xero_for(make_sandbox(archived_name_blocks_create=True)).session()
    (refused,) = strict.accounting.create_contacts(US, body, summarize_errors=False).contacts
    assert _errors(refused) == [dup_name("Old Town Bakery")]


def test_bad_bodies(session: Session, xero: Xero) -> None:
    garbage = xero.api("PUT", "/Contacts", session.token, body="{not json")
    assert garbage.status == 400
    assert garbage.json()["Type"] == "PostDataInvalidException"
    huge = xero.api("PUT", "/Contacts", session.token, body=b"x" * (10 * 1024 * 1024 + 1))
    assert huge.status == 413
    unknown = xero.api("POST", f"/Contacts/{uuid.uuid4()}", session.token,
                       body={"Contacts": [{"Name": "Ghost"}]})
    assert unknown.status == 404


def test_ui_helpers_enforce_unique_active_names(sandbox: XeroSandbox) -> None:
    with pytest.raises(ValueError):
        sandbox.add_contact(US, Name="ACME holdings llc")
    archived = sandbox.add_contact(US, Name="Acme Holdings LLC", ContactStatus="ARCHIVED")
    assert archived["ContactStatus"] == "ARCHIVED"
    with pytest.raises(ValueError):
        sandbox.update_contact(US, archived["ContactID"], ContactStatus="ACTIVE")
