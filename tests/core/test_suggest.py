"""Suggestions on plain data: each reason, what is never suggested, and the spelling cutoff."""

from __future__ import annotations

import pytest

from xerosync_desktop.core.model import Client, ClientStatus, Contact, ContactStatus
from xerosync_desktop.core.suggest import company_key, suggest


def client(name: str, email: str = "") -> Client:
    return Client(client_id="1", name=name, status=ClientStatus.ACTIVE, email=email)


def contact(name: str, email: str = "", archived: bool = False, cid: str = "c1") -> Contact:
    return Contact(contact_id=cid, name=name, email=email,
                   status=ContactStatus.ARCHIVED if archived else ContactStatus.ACTIVE)


@pytest.mark.parametrize(("name", "key"), [
    ("Acme Holdings Ltd", "acme holdings"),
    ("ACME HOLDINGS LIMITED", "acme holdings"),
    ("The Acme Holdings, Inc.", "acme holdings"),
    ("Smith & Jones LLP", "smith jones"),
    ("Smith and Jones", "smith jones"),
    ("Crème Brûlée Co.", "creme brulee"),
    ("O'Brien Corp", "obrien"),
    ("Widgets, L.L.C.", "widgets"),
    ("Baker P.A.", "baker"),
    ("The Company", "the company"),  # nothing left once set aside: the words stand
])
def test_company_key(name: str, key: str) -> None:
    assert company_key(name) == key


@pytest.mark.parametrize(("client_name", "contact_name", "reason"), [
    ("Acme Holdings", "Acme Holdings Ltd", "Same name apart from case, accents, punctuation "
     "and legal form"),
    ("Smith & Jones", "Smith and Jones LLP", "Same name apart from case, accents, punctuation "
     "and legal form"),
    ("Smith, John", "John Smith", "Same words in another order"),
    ("Jonathan Smith", "Jonathon Smith", "Close spelling (93% alike)"),
    ("Greenleaf Design", "Green Leaf Design Inc", "Close spelling (97% alike)"),
])
def test_each_reason(client_name: str, contact_name: str, reason: str) -> None:
    found = suggest([client(client_name)], [contact(contact_name)])
    assert found["1"].reason == reason


@pytest.mark.parametrize(("client_name", "contact_name"), [
    ("Acme Holdings", "Acme Plumbing"),
    ("Kim Lee", "Kim Li"),  # short names are alike by chance
    ("North Consulting", "South Consulting"),
    ("Smith Jones", "Smith"),
])
def test_not_suggested(client_name: str, contact_name: str) -> None:
    assert suggest([client(client_name)], [contact(contact_name)]) == {}


def test_same_email_comes_first_whatever_the_name() -> None:
    found = suggest([client("Hartley Law", email="Office@Hartley.example ")],
                    [contact("Hartley Law Ltd", cid="by-name"),
                     contact("Jane Hartley", email="office@hartley.example", cid="by-email")])
    assert (found["1"].contact.contact_id, found["1"].reason) == ("by-email",
                                                                  "Same email address")


def test_an_active_contact_is_preferred_and_an_archived_one_is_marked() -> None:
    archived = contact("Acme Ltd", archived=True, cid="old")
    found = suggest([client("Acme")], [archived, contact("ACME Limited", cid="new")])
    assert found["1"].contact.contact_id == "new"
    only = suggest([client("Acme")], [archived])["1"]
    assert only.text.endswith("(archived in Xero)")


def test_the_two_spaces_rule_keeps_its_pair_apart() -> None:
    # `John  Smith` becomes `John _Smith` on purpose: `John Smith` is another client's contact
    assert suggest([client("John  Smith")], [contact("John Smith")]) == {}
    assert suggest([client("John  Smith", email="j@x.example")],
                   [contact("John Smith", email="j@x.example")]) == {}
