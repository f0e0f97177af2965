"""SIGTERM or Ctrl+C during `xerosync sync`: the call in flight ends, everything is kept."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox
from xerosync_desktop.store import Store

from .conftest import TIMEOUT, US, US_TENANT, Cli, assert_no_token, write_clients

CLIENTS = 200  # four batches of 50


@pytest.fixture
def slow() -> Iterator[XeroSandbox]:
    """A sandbox whose every Accounting call takes a while, so a run can be caught mid-way."""
    with XeroSandbox(SandboxOptions(port=0, data="demo", latency=0.25)) as running:
        yield running


@pytest.fixture
def clients(tmp_path: Path) -> Path:
    return write_clients(tmp_path / "clients.csv",
                         [(f"S{i:04}", f"Slow Client {i}", "Active") for i in range(CLIENTS)])


def wait_for(process: subprocess.Popen[str], text: str) -> None:
    """Read stderr until a progress line holds `text`."""
    assert process.stderr is not None
    for line in process.stderr:
        if text in line:
            return
    pytest.fail(f"the run ended before '{text}'")


def created_in_xero(sandbox: XeroSandbox) -> set[str]:
    return {c["ContactNumber"] for c in sandbox.contacts(US_TENANT)
            if str(c.get("ContactNumber", "")).startswith("S")}


def test_sigterm_stops_after_the_call_in_flight_and_loses_nothing(
        cli: Cli, slow: XeroSandbox, clients: Path, tmp_path: Path) -> None:
    log = tmp_path / "log.xlsx"
    process = cli.popen("sync", "--sandbox", slow.url, "--org", US, "--clients", clients,
                        "--log", log)
    wait_for(process, f"50 of {CLIENTS} clients")  # the first batch is in

    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=TIMEOUT)

    assert process.returncode == 1, err
    assert_no_token(out, err)
    summary = re.search(r"Sync cancelled: (\d+) created, 0 updated, 0 unchanged, 0 skipped, "
                        r"0 failed\. Sync again to carry on\.", out)
    assert summary, out
    created = int(summary.group(1))
    assert created in (50, 100)  # the batch in flight when the signal came is kept
    assert len(created_in_xero(slow)) == created
    with Store(AppPaths.under(cli.data_dir).database) as store:
        assert len(store.mappings.for_tenant(US_TENANT)) == created
    run = dict(load_workbook(log)["Run"].iter_rows(min_row=2, values_only=True))
    assert run["Outcome"] == "Cancelled" and run["Created"] == created

    rest = cli("sync", "--sandbox", slow.url, "--org", US, "--clients", clients)

    assert rest.code == 0, rest.err
    assert f"Sync finished: {CLIENTS - created} created, 0 updated, {created} unchanged" in rest.out
    assert len(created_in_xero(slow)) == CLIENTS


def test_a_second_ctrl_c_ends_at_once(cli: Cli, slow: XeroSandbox, clients: Path) -> None:
    process = cli.popen("sync", "--sandbox", slow.url, "--org", US, "--clients", clients)
    wait_for(process, f"0 of {CLIENTS} clients")

    process.send_signal(signal.SIGINT)
    wait_for(process, "stopping after the current call to Xero")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=TIMEOUT)

    assert process.returncode == 130
    assert "Stopped at once." in err and "Traceback" not in err
    assert len(created_in_xero(slow)) <= 50
