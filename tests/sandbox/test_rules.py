"""Xero's rules as plain data: the name key, field checks, where/order parsing, dates."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xerosync_desktop.sandbox.query import (
    QueryError,
    parse_if_modified_since,
    parse_order,
    parse_where,
)
from xerosync_desktop.sandbox.rules import field_errors, name_key


@pytest.mark.parametrize(("a", "b", "same"), [
    ("John Smith", "John  Smith", True),
    ("John Smith", " john smith\t", True),
    ("John Smith", "John _Smith", False),
    ("Café Lumière", "Cafe Lumiere", True),
    ("DELTA Dental Group", "Delta Dental Group", True),
    ("Mary Jones", "Mary _Jones", False),
    ("Straße", "STRASSE", True),
    ("A\u00a0B", "A B", True),
])
def test_name_key(a: str, b: str, same: bool) -> None:
    assert (name_key(a) == name_key(b)) is same


@given(st.text(max_size=40))
def test_name_key_is_stable_and_ignores_extra_whitespace(name: str) -> None:
    key = name_key(name)
    assert name_key(key) == key
    assert name_key("  " + name.replace(" ", "   ") + " ") == key


@pytest.mark.parametrize(("element", "fragment"), [
    ({"Name": "x" * 256}, "Name must not be more than 255"),
    ({"Name": "ok", "ContactNumber": "1" * 51}, "ContactNumber must not be more than 50"),
    ({"Name": "ok", "EmailAddress": 5}, "EmailAddress must be a string"),
    ({"Name": "ok", "ContactStatus": "DELETED"}, "ContactStatus DELETED is not valid"),
    ({"Name": "ok", "Addresses": [{"AddressType": "HOME"}]}, "AddressType HOME"),
    ({"Name": "ok", "Phones": [{"PhoneType": "DEFAULT", "PhoneAreaCode": "1" * 11}]},
     "PhoneAreaCode must not be more than 10"),
    ({"Name": "ok", "ContactID": "nope"}, "ContactID nope is not a valid identifier"),
])
def test_field_errors(element: dict[str, Any], fragment: str) -> None:
    assert any(fragment in message for message in field_errors(element))


def test_field_errors_accept_a_full_valid_contact() -> None:
    assert field_errors({"Name": "x" * 255, "ContactNumber": "1" * 50, "ContactStatus": "ACTIVE",
                         "Addresses": [{"AddressType": "POBOX", "AddressLine1": "a" * 500}],
                         "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "1" * 50}]}) == []


CONTACT = {"ContactID": "5cc8cf28-567e-4d43-b287-687cfcaec47c", "Name": "Acme  Pty",
           "ContactNumber": "00010", "ContactStatus": "ACTIVE", "EmailAddress": "A@B.example",
           "UpdatedDateUTC": 0}


@pytest.mark.parametrize(("where", "matches"), [
    ('Name=="acme pty"', True),
    ('Name=="Acme _Pty"', False),
    ('ContactNumber=="00010"', True),
    ('ContactNumber=="10"', False),
    ('ContactStatus=="ACTIVE" AND EmailAddress=="a@b.EXAMPLE"', True),
    ('ContactStatus=="ARCHIVED" OR Name.Contains("PTY")', True),
    ('ContactID==Guid("5CC8CF28-567E-4D43-B287-687CFCAEC47C")', True),
    ("FirstName==null", True),
    ('(Name=="x" || Name=="acme pty") && ContactNumber!="1"', True),
    ("IsCustomer==false", True),
    ('Name=="Say \\"hi\\""', False),
])
def test_where(where: str, matches: bool) -> None:
    assert parse_where(where)(CONTACT) is matches


@pytest.mark.parametrize("where", ['Name="x"', "Name==", 'Nope=="x"', 'Name=="x" OR',
                                   'IsCustomer=="yes"', 'ContactID==Guid("zz")', "Name==x",
                                   'Name=="x")'])
def test_where_errors(where: str) -> None:
    with pytest.raises(QueryError):
        parse_where(where)


def test_order() -> None:
    assert parse_order("Name ASC, UpdatedDateUTC DESC") == [("Name", False),
                                                           ("UpdatedDateUTC", True)]
    assert parse_order("name") == [("Name", False)]
    with pytest.raises(QueryError):
        parse_order("Colour ASC")


@pytest.mark.parametrize(("header", "micros"), [
    ("2026-05-01T10:00:00", 1777629600_000000),
    ("2026-05-01T10:00:00+00:00", 1777629600_000000),
    ("2026-05-01T12:00:00.250000+02:00", 1777629600_250000),
    ("2026-05-01T10:00:00Z", 1777629600_000000),
    ("Fri, 01 May 2026 10:00:00 GMT", 1777629600_000000),
    ("yesterday", None),
])
def test_if_modified_since(header: str, micros: int | None) -> None:
    assert parse_if_modified_since(header) == micros
