"""One organisation, one sync, whatever the data folder: `xerosync sync` from two `--data-dir`s.

Both runs are one user's (one HOME, so one lock folder). The first is held at the sandbox just
before its first write; meanwhile a run from another data folder is refused for that
organisation, naming the first's process and folder, and allowed for another organisation.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from xerosync_desktop.sandbox import XeroSandbox

from .conftest import TIMEOUT, US, US_TENANT, Cli, write_clients

GLOBAL = "Demo Company (Global)"


def held_numbers(xero: XeroSandbox, tenant_id: str) -> list[str]:
    """The ContactNumbers of the test's clients in one organisation, one per contact."""
    return sorted(c["ContactNumber"] for c in xero.contacts(tenant_id)
                  if c.get("ContactNumber", "").startswith("L"))


def tenant_of(xero: XeroSandbox, name: str) -> str:
    return next(o["tenantId"] for o in xero.organisations() if o["tenantName"] == name)


def test_two_data_folders_never_sync_one_organisation_at_once(
        cli: Cli, xero: XeroSandbox, tmp_path: Path) -> None:
    rows = [(f"L{i:03}", f"Lock Client {i}", "Active") for i in range(1, 61)]
    clients = write_clients(tmp_path / "clients.csv", rows)
    other = Cli(tmp_path)  # the same user: the same HOME and lock folder
    other.data_dir = tmp_path / "second-folder"
    held = threading.Event()
    xero.on_fault(lambda applied: held.set())
    xero.inject(f"hold:rate=1,methods=PUT,tenant={US_TENANT},when=before,seconds=30")

    first = cli.popen("sync", "--sandbox", xero.url, "--org", US, "--clients", clients)
    try:
        assert held.wait(TIMEOUT), "the first run never reached its write"
        refused = other("sync", "--sandbox", xero.url, "--org", US, "--clients", clients)
        elsewhere = other("sync", "--sandbox", xero.url, "--org", GLOBAL, "--clients", clients)
    finally:
        xero.clear_faults()
        xero.release_holds()
        out, err = first.communicate(timeout=TIMEOUT)

    assert refused.code == 1, refused.err
    assert re.search(
        rf"^xerosync: A sync to Demo Company \(US\) is already running: the xerosync command "
        rf"\(process {first.pid}, started [0-9-]+ [0-9:]+, data folder "
        rf"{re.escape(str(cli.data_dir / 'data'))}\)\. Wait for it to finish, then sync "
        r"again\.$", refused.err, re.MULTILINE), refused.err
    assert "Traceback" not in refused.err and refused.out == ""
    assert elsewhere.code == 0, elsewhere.err
    assert "Sync finished: 60 created" in elsewhere.out
    assert (first.returncode, "Traceback" in err) == (0, False), err
    assert "Sync finished: 60 created" in out
    expected = [client_id for client_id, _, _ in rows]
    assert held_numbers(xero, US_TENANT) == expected  # once each: the refused run sent nothing
    assert held_numbers(xero, tenant_of(xero, GLOBAL)) == expected

    after = other("sync", "--sandbox", xero.url, "--org", US, "--clients", clients)

    assert after.code == 0, after.err  # the lock was given back; each found by its client ID
    assert "Sync finished: 0 created" in after.out, after.out
    assert held_numbers(xero, US_TENANT) == expected
