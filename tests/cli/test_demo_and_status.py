"""`--demo` end to end, `xerosync status`, and a command line without Qt."""

from __future__ import annotations

import subprocess
import sys

from .conftest import SAMPLE, US, US_TENANT, Cli


def test_demo_syncs_into_the_embedded_sandbox_which_keeps_its_contacts(cli: Cli) -> None:
    first = cli("sync", "--demo", "--org", US, "--clients", SAMPLE)
    second = cli("--demo", "sync", "--org", US)  # no --clients: the demo's sample clients
    status = cli("status", "--demo", "--org", US_TENANT)

    assert first.code == 0, first.err
    assert "Sync finished: 25 created, 7 updated, 0 unchanged, 4 skipped, 0 failed." in first.out
    assert (cli.data_dir / "data" / "demo-xero.json").is_file()
    assert second.code == 0, second.err
    assert "Sync finished: 0 created, 0 updated, 32 unchanged, 4 skipped, 0 failed." in second.out
    assert status.code == 0
    lines = status.out.splitlines()
    assert lines[0] == ("Xero:         the embedded demo Xero (a local sandbox kept in the "
                        "data folder)")
    assert f"Organisation: {US} (tenant id {US_TENANT})" in lines
    assert "Client sync:  always on with a sandbox" in lines
    assert "Mappings:     32 stored" in lines
    assert any(line.startswith("Last run:") and line.endswith(
        "finished: 0 created, 0 updated, 32 unchanged, 4 skipped, 0 failed.") for line in lines)


def test_status_on_a_fresh_data_folder(cli: Cli) -> None:
    result = cli("status", "--sandbox", "http://127.0.0.1:9/")

    assert result.code == 0, result.err
    assert result.out.splitlines()[:3] == [
        "Xero:         the Xero sandbox at http://127.0.0.1:9",
        "Connection:   signs in to the sandbox at each run",
        "Organisation: none picked in Setup yet",
    ]
    assert result.out.splitlines()[-1] == (  # the run's keyring refuses everything
        "Keyring:      none usable: a Xero connection lasts for one session")


def test_the_command_line_never_loads_qt() -> None:
    code = "import sys, xerosync_desktop.cli; assert 'PySide6' not in sys.modules, 'Qt'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
