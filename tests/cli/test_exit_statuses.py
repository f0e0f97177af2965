"""The exit status and the sentence of each way a command can end short of success."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox, parse_fault
from xerosync_desktop.store import Store, SyncSettings, XeroApp

from .conftest import SAMPLE, US, US_TENANT, Cli, names


@pytest.fixture
def limited(request: pytest.FixtureRequest) -> Iterator[XeroSandbox]:
    """A sandbox with the limits the test's parameter gives."""
    with XeroSandbox(SandboxOptions(port=0, data="demo", **request.param)) as running:
        yield running


@pytest.mark.parametrize("limited", [{"day_limit": 2}], indirect=True)
def test_daily_limit_mid_run_exits_4_with_when_to_resume(cli: Cli, limited: XeroSandbox) -> None:
    before = len(limited.contacts(US_TENANT))

    result = cli("sync", "--sandbox", limited.url, "--org", US, "--clients", SAMPLE)

    assert result.code == 4, result.err
    assert "Sync stopped: 0 created, 7 updated, 0 unchanged, 4 skipped, 0 failed." in result.out
    assert "daily limit" in result.out and "(in about 24 hours)" in result.out
    assert len(limited.contacts(US_TENANT)) == before  # the 7 updates made, nothing created


@pytest.mark.parametrize("limited", [{"day_limit": 0}], indirect=True)
def test_daily_limit_before_the_run_exits_4(cli: Cli, limited: XeroSandbox) -> None:
    result = cli("review", "--sandbox", limited.url, "--org", US, "--clients", SAMPLE,
                 "--out", cli.root / "review.xlsx")

    assert result.code == 4
    assert "daily limit" in result.err and "sync again after" in result.err
    assert not (cli.root / "review.xlsx").exists()


@pytest.mark.parametrize("limited", [{"faults": (parse_fault(
    "429-minute:calls=2-3,retry_after=1"),)}], indirect=True)
def test_minute_limit_mid_run_waits_it_out_and_finishes(cli: Cli, limited: XeroSandbox) -> None:
    result = cli("sync", "--sandbox", limited.url, "--org", US, "--clients", SAMPLE)

    assert result.code == 0, result.err
    assert "Sync finished: 25 created, 7 updated, 0 unchanged, 4 skipped, 0 failed." in result.out
    assert "per-minute limit was reached; carrying on by itself: waiting 1 s" in result.err
    assert [f.call for f in limited.fault_log()] == [2, 3]  # the first write, twice refused
    assert len(names(limited, "ACTIVE")) == len(set(names(limited, "ACTIVE")))


def test_access_denied_at_sign_in_exits_3(cli: Cli, xero: XeroSandbox) -> None:
    xero.set_consent(False)

    result = cli("sync", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE)

    assert result.code == 3
    assert "Access to Xero was not allowed" in result.err
    assert result.out == ""


def test_without_a_saved_connection_exit_3(cli: Cli) -> None:
    with Store(AppPaths.under(cli.data_dir).ensure().database) as store:
        store.settings.save_xero_app(XeroApp(demo=False, client_id="FIRM-APP-ID"))
        store.settings.save_sync_settings(SyncSettings(US_TENANT, US, str(SAMPLE), True))

    synced = cli("sync", "--clients", SAMPLE)
    status = cli("status")

    assert synced.code == 3
    assert ("Not connected to Xero: open xerosync-desktop, Setup, Connect to Xero first."
            in synced.err)
    assert "No password store (keyring) is available" in synced.err  # the vault's notice
    assert status.code == 3
    assert "Xero, through the Xero app with client id FIRM-APP-ID" in status.out
    assert f"Organisation: {US} (tenant id {US_TENANT})" in status.out
    assert "Client sync:  enabled" in status.out


def test_unreachable_sandbox_exits_1(cli: Cli) -> None:
    with XeroSandbox(SandboxOptions(port=0)) as gone:
        url = gone.url

    result = cli("sync", "--sandbox", url, "--clients", SAMPLE)

    assert result.code == 1
    assert f"The Xero sandbox at {url} could not be reached" in result.err


@pytest.mark.parametrize(("content", "expected"), [
    ("Client ID,Status\n00010,Active\n", "clients.csv has no header row naming a 'Client ID' "
                                        "and a 'Client Name' column"),
    ("Client ID,Client Name,Status\n", "clients.csv has column headers (row 1) but no clients"),
    ("Client ID,Client Name\n1,\u682a\u5f0f\u4f1a\u793e\u5c71\u7530\n2,\u6771\u4eac\n",
     "an encoding the app does not read"),
])
def test_a_malformed_client_file_exits_2_with_the_loader_sentence(
        cli: Cli, xero: XeroSandbox, content: str, expected: str) -> None:
    clients = cli.root / "clients.csv"
    clients.write_bytes(content.encode("shift_jis" if "\u682a" in content else "utf-8"))

    result = cli("sync", "--sandbox", xero.url, "--org", US, "--clients", clients)

    assert result.code == 2
    assert expected in result.err
    assert result.out == ""


def test_missing_client_file_unknown_org_and_bad_usage_exit_2(
        cli: Cli, xero: XeroSandbox) -> None:
    missing, unknown, unpicked, both, no_out, not_a_sandbox = cli.together([
        ("sync", "--sandbox", xero.url, "--org", US, "--clients", cli.root / "no.csv"),
        ("sync", "--sandbox", xero.url, "--org", "Nobody Ltd", "--clients", SAMPLE),
        ("sync", "--sandbox", xero.url, "--clients", SAMPLE),
        ("sync", "--demo", "--sandbox", xero.url),
        ("review", "--sandbox", xero.url),
        ("sync", "--sandbox", "xero.example.com", "--clients", SAMPLE),
    ])

    assert missing.code == 2 and "no.csv does not exist" in missing.err
    assert unknown.code == 2
    assert ("No organisation 'Nobody Ltd' is connected to xerosync; the connection covers: "
            "Demo Company (US), Demo Company (Global).") in unknown.err
    assert unpicked.code == 2 and "pick one with --org NAME" in unpicked.err
    assert both.code == 2 and "--demo and --sandbox cannot be used together" in both.err
    assert no_out.code == 2 and "--out" in no_out.err
    assert not_a_sandbox.code == 2 and "give the address the sandbox printed" in \
        not_a_sandbox.err
    assert names(xero) and not any(r.out for r in (missing, unknown, unpicked))


def test_a_fresh_install_never_syncs_to_the_demo_unasked(cli: Cli) -> None:
    synced = cli("sync", "--clients", SAMPLE)
    status = cli("status")

    assert synced.code == 3 and status.code == 3
    assert "the app is set to the demo Xero" in synced.err
    assert "Pass --demo to use the demo" in synced.err
    assert synced.out == ""
    assert "as chosen in Setup" in status.out
