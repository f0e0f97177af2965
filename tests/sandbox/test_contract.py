"""Contract: real sandbox responses validate against Xero's own OpenAPI schemas.

The schemas come from `shared/xero-openapi/` beside the repository. Object schemas are made
strict (no unknown keys) so a misspelt field fails; nulls fail on `type`; GUIDs are checked;
UpdatedDateUTC must be `/Date(ms+0000)/`. Date-time formats are left loose: Xero's own
connection dates (`2026-11-24T10:00:00.1234567`) are not RFC 3339.
"""

from __future__ import annotations

import copy
import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from jsonschema import Draft4Validator, FormatChecker

if TYPE_CHECKING:
    from conftest import Xero

    from xerosync_desktop.sandbox import XeroSandbox

US = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
SPEC_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "xero-openapi"
MS_DATE = re.compile(r"^/Date\(\d+\+0000\)/$")
ENVELOPE_DATE = re.compile(r"^/Date\(\d+\)/$")


def _load(name: str) -> dict[str, Any]:
    path = SPEC_DIR / name
    if not path.is_file():
        pytest.skip(f"Xero's OpenAPI spec {name} not found in {SPEC_DIR.resolve()}")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def _strict(node: Any, loose: frozenset[str] = frozenset()) -> Any:
    """Forbid unknown keys in every object schema that lists its properties."""
    if isinstance(node, dict):
        result = {k: _strict(v, loose) for k, v in node.items()}
        if "properties" in result and "additionalProperties" not in result:
            result["additionalProperties"] = False
        return result
    if isinstance(node, list):
        return [_strict(v, loose) for v in node]
    return node


def _checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("uuid", raises=ValueError)
    def is_uuid(value: object) -> bool:
        return not isinstance(value, str) or bool(uuid.UUID(value))

    return checker


class Schemas:
    """Validators for named component schemas of one spec."""

    def __init__(self, spec: dict[str, Any], loose: tuple[str, ...] = ()) -> None:
        components = copy.deepcopy(spec["components"])
        schemas = components["schemas"]
        for name in schemas:
            if name not in loose:
                schemas[name] = _strict(schemas[name])
        self.components = components

    def validate(self, name: str, instance: Any) -> None:
        schema = {"$ref": f"#/components/schemas/{name}", "components": self.components}
        errors = sorted(Draft4Validator(schema, format_checker=_checker()).iter_errors(instance),
                        key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.fixture(scope="module")
def accounting() -> Schemas:
    # Element stays open: Xero's error elements are whole contacts, checked as Contact below.
    return Schemas(_load("xero_accounting.yaml"), loose=("Element",))


@pytest.fixture(scope="module")
def identity_schemas() -> Schemas:
    return Schemas(_load("xero-identity.yaml"))


def _no_nulls(value: Any, where: str = "$") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _no_nulls(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_nulls(item, f"{where}[{index}]")
    else:
        assert value is not None, f"null at {where}"


def _check_contacts_envelope(accounting: Schemas, reply: Any) -> dict[str, Any]:
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    body = reply.json()
    _no_nulls(body)
    assert reply.headers["xero-correlation-id"] == body["Id"]
    uuid.UUID(body["Id"])
    assert body["Status"] == "OK" and isinstance(body["ProviderName"], str)
    assert ENVELOPE_DATE.match(body["DateTimeUTC"])
    rest = {k: v for k, v in body.items() if k not in ("Id", "Status", "ProviderName",
                                                       "DateTimeUTC")}
    accounting.validate("Contacts", rest)
    for contact in body["Contacts"]:
        assert "UpdatedDateUTC" in contact or contact["HasValidationErrors"]
        assert MS_DATE.match(contact.get("UpdatedDateUTC", "/Date(0+0000)/"))
        assert [a["AddressType"] for a in contact.get("Addresses", [])][:2] in (
            ["POBOX", "STREET"], [])
    return body


@pytest.mark.parametrize("bad", [
    {"ContactID": "not-a-guid"},
    {"Name": None},
    {"ContactStatus": "DELETED"},
    {"Phones": [{"PhoneType": "HOME"}]},
    {"Contactid": "misspelt key"},
    {"IsCustomer": "false"},
])
def test_the_contract_catches_what_the_sdk_would_choke_on(
        accounting: Schemas, bad: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        accounting.validate("Contact", bad)


def test_get_contacts_paged_unpaged_and_single(
        sandbox: XeroSandbox, xero: Xero, accounting: Schemas) -> None:
    token = xero.login()
    sandbox.add_contact(US, Name="Full Co", ContactNumber="00010", AccountNumber="A-1",
                        CompanyNumber="C-1", TaxNumber="T-1",
                        Phones=[{"PhoneType": "OFFICE", "PhoneNumber": "1"}],
                        ContactPersons=[{"FirstName": "Ann", "IncludeInEmails": True}])
    paged = _check_contacts_envelope(
        accounting, xero.api("GET", "/Contacts?page=1&pageSize=50&includeArchived=true", token))
    assert paged["pagination"]["itemCount"] == 16
    _check_contacts_envelope(accounting, xero.api("GET", "/Contacts", token))
    _check_contacts_envelope(accounting, xero.api("GET", "/Contacts?summaryOnly=true", token))
    single = _check_contacts_envelope(accounting, xero.api("GET", "/Contacts/00010", token))
    assert single["Contacts"][0]["Name"] == "Full Co"


def test_write_results_with_error_elements(xero: Xero, accounting: Schemas) -> None:
    token = xero.login()
    sent = {"Contacts": [
        {"Name": "Ok Co", "EmailAddress": "ok@example.com",
         "Addresses": [{"AddressType": "STREET", "City": "Reno"}], "HasAttachments": False,
         "HasValidationErrors": False},
        {"Name": "Acme Holdings LLC", "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "5"}],
         "HasAttachments": False, "HasValidationErrors": False},
        {"EmailAddress": "no-identifier@example.com"},
    ]}
    mixed = _check_contacts_envelope(
        accounting, xero.api("PUT", "/Contacts?summarizeErrors=false", token, body=sent))
    assert [c["StatusAttributeString"] for c in mixed["Contacts"]] == ["OK", "ERROR", "ERROR"]

    summarised = xero.api("PUT", "/Contacts", token, body={"Contacts": sent["Contacts"][1:]})
    assert summarised.status == 400
    body = summarised.json()
    _no_nulls(body)
    accounting.validate("Error", body)
    assert len(body["Elements"]) == 2
    for element in body["Elements"]:
        accounting.validate("Contact", element)


def test_query_error_body_is_an_error(xero: Xero, accounting: Schemas) -> None:
    token = xero.login()
    reply = xero.api("GET", "/Contacts?where=Name%3D%3D", token)
    assert reply.status == 400
    accounting.validate("Error", reply.json())


def test_connections_match_the_identity_schema(xero: Xero, identity_schemas: Schemas) -> None:
    token = xero.login()
    reply = xero.http("GET", "/connections",
                      headers={"Authorization": "Bearer " + token["access_token"]})
    connections = reply.json()
    _no_nulls(connections)
    assert len(connections) == 2
    for connection in connections:
        identity_schemas.validate("Connection", connection)
