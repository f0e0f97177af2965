"""state_file: what survives a restart, and that a failed write never corrupts the file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from xero_python.accounting import Contact, Contacts

from xerosync_desktop.sandbox.persistence import StateFileError

if TYPE_CHECKING:
    from conftest import MakeSandbox, Xero

US = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"


def test_contacts_and_tokens_survive_a_restart(
        make_sandbox: MakeSandbox, xero_for: type[Xero], tmp_path: Path) -> None:
    path = tmp_path / "state" / "sandbox.json"
    first = make_sandbox(state_file=path)
    xero = xero_for(first)
    token = xero.login()
    session = xero.session()
    session.accounting.create_contacts(US, Contacts(contacts=[Contact(name="Persisted Co")]))
    first.stop()

    saved = json.loads(path.read_text(encoding="utf-8"))
    assert token["access_token"] not in path.read_text(encoding="utf-8")  # hashes only
    assert saved["format"] == "xero-sandbox"

    second = make_sandbox(state_file=path)
    xero = xero_for(second)
    assert "Persisted Co" in [c["Name"] for c in second.contacts(US)]
    assert xero.api("GET", "/Contacts", token).status == 200
    refreshed = xero.token_request({"grant_type": "refresh_token", "client_id": xero.client_id,
                                    "refresh_token": token["refresh_token"]})
    assert refreshed.status == 200


def test_a_failed_write_leaves_the_old_file_whole(
        make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state" / "sandbox.json"
    sandbox = make_sandbox(state_file=path)
    before = path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        sandbox.add_contact(US, Name="Lost Co")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["sandbox.json"]  # no temp file left
    sandbox.add_contact(US, Name="Kept Co")
    assert "Kept Co" in path.read_text(encoding="utf-8")


def test_an_unreadable_state_file_is_refused(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    path.write_text("{half a file", encoding="utf-8")
    with pytest.raises(StateFileError):
        make_sandbox(state_file=path)
    assert path.read_text(encoding="utf-8") == "{half a file"


def test_empty_data_seeds_one_empty_organisation(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(data="empty", state_file=tmp_path / "s.json")
    assert sandbox.organisations() == [{"tenantId": "0f5d8e3a-6c21-4b97-a4e8-9d1c7b2f3e33",
                                        "tenantName": "Empty Company"}]
    assert sandbox.contacts("0f5d8e3a-6c21-4b97-a4e8-9d1c7b2f3e33") == []
