"""`xerosync` on the connection saved by the app: keyring, refresh, revoked grant, gate.

In-process (a subprocess has no way to share the test's in-memory keyring). The sandbox
plays real Xero at its own address: `XeroEndpoints.xero()` is pointed at it, everything
else is what a nightly run does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from xerosync_desktop import cli
from xerosync_desktop.paths import AppPaths, resource_path
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox
from xerosync_desktop.store import Store, SyncSettings, XeroApp
from xerosync_desktop.xero.auth import sign_in_without_browser
from xerosync_desktop.xero.endpoints import XeroEndpoints
from xerosync_desktop.xero.keyring_vault import KEYRING_SERVICE, KeyringTokenVault

CLIENT_ID = "0123456789ABCDEF0123456789ABCDEF"
ENTRY = (KEYRING_SERVICE, f"grant:{CLIENT_ID}")
US = "Demo Company (US)"
US_TENANT = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
SAMPLE = resource_path("sample", "timesolv_clients.csv")


@dataclass
class Saved:
    """A data folder where the app connected to 'real' Xero and saved Setup."""

    root: Path
    xero: XeroSandbox
    keyring: Any

    def refresh_token(self) -> str:
        return str(json.loads(self.keyring.secrets[ENTRY])["refresh_token"])

    def run(self, *args: str) -> int:
        return cli.main([*args, "--data-dir", str(self.root)])


@pytest.fixture
def saved(tmp_path: Path, memory_keyring: Any,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Saved]:
    with XeroSandbox(SandboxOptions(port=0, data="demo", token_lifetime=5)) as xero:
        real = replace(XeroEndpoints.sandbox(xero.url), is_demo=False)
        monkeypatch.setattr(XeroEndpoints, "xero", classmethod(lambda cls: real))
        paths = AppPaths.under(tmp_path / "app").ensure()
        with Store(paths.database) as store:
            store.settings.save_xero_app(XeroApp(demo=False, client_id=CLIENT_ID))
        # what Connect to Xero in the app leaves behind: the grant in the keyring
        sandbox_view = replace(real, is_demo=True)  # lets the test sign in without a person
        KeyringTokenVault(CLIENT_ID).save(sign_in_without_browser(sandbox_view, CLIENT_ID))
        yield Saved(tmp_path / "app", xero, memory_keyring)


def enable(saved: Saved) -> None:
    with Store(AppPaths.under(saved.root).database) as store:
        store.settings.save_sync_settings(SyncSettings(US_TENANT, US, str(SAMPLE), True))


def test_a_nightly_sync_refreshes_and_keeps_the_newest_token(
        saved: Saved, capsys: pytest.CaptureFixture[str]) -> None:
    enable(saved)
    first = saved.refresh_token()
    assert saved.run("sync", "--log", str(saved.root / "log.xlsx")) == 0
    newest = saved.refresh_token()
    assert newest != first and saved.xero.refresh_token_status(newest) == "current"
    assert len([c for c in saved.xero.contacts(US_TENANT) if c.get("ContactNumber")]) == 32
    out, err = capsys.readouterr()
    assert "Sync finished: 25 created, 7 updated, 0 unchanged, 4 skipped, 0 failed." in out
    for secret in (first, newest):
        assert secret not in out + err
        assert not [p for p in saved.root.rglob("*")
                    if p.is_file() and secret.encode() in p.read_bytes()]


def test_a_revoked_grant_exits_3_and_keeps_the_mappings(
        saved: Saved, capsys: pytest.CaptureFixture[str]) -> None:
    enable(saved)
    assert saved.run("sync") == 0
    with Store(AppPaths.under(saved.root).database) as store:
        links = store.mappings.for_tenant(US_TENANT)
    saved.xero.revoke_all_grants()
    capsys.readouterr()
    assert saved.run("sync") == 3
    assert "Connect to Xero again" in capsys.readouterr().err
    with Store(AppPaths.under(saved.root).database) as store:
        assert store.mappings.for_tenant(US_TENANT) == links


def test_sync_refuses_until_client_sync_is_saved_for_the_organisation(
        saved: Saved, capsys: pytest.CaptureFixture[str]) -> None:
    assert saved.run("sync", "--org", US, "--clients", str(SAMPLE)) == 2
    assert "Enable Client Sync" in capsys.readouterr().err
    assert not [c for c in saved.xero.contacts(US_TENANT) if c.get("ContactNumber")]
