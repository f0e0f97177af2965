"""`xerosync sync` on a sick disk: a full disk, a read-only data folder, a damaged page, a log
file that cannot be written. Each ends with one sentence naming the file and what to do (exit
1), no traceback on stderr, and once the fault is lifted the next run settles what was sent.

The full disk and the read-only folder are real, in a mount namespace of the run's own
(`unshare -Urm`, no root needed): a tmpfs of 256 KiB holding the data folder, a read-only bind
mount of it. The tmpfs lives as long as the run: the data folder is copied onto it before and
back after, so the next run (on a tmpfs with room) carries on from what the full one left.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from xerosync_desktop.sandbox import XeroSandbox
from xerosync_desktop.store import Store

from .conftest import TIMEOUT, US, US_TENANT, Cli, Result, assert_no_token, write_clients

CLIENTS = [(f"K{i:04}", f"Sick Disk Client {i}", "Active") for i in range(1, 301)]
SETTLED = "anything already sent to Xero is settled by the next sync, never sent twice."
ON_TMPFS = ('mount -t tmpfs -o size="$SIZE" tmpfs "$DATA" && cp -a "$KEEP/." "$DATA/"',
            'cp -a "$DATA/." "$KEEP/"')
READ_ONLY = ('mount --bind "$DATA" "$DATA" && mount -o remount,bind,ro "$DATA"', "true")


def run_mounted(cli: Cli, mount: tuple[str, str], *args: str | Path,
                **env: str | Path) -> Result:
    """`xerosync ARGS` in a mount namespace of its own: `mount[0]` sets up the data folder
    ($DATA) before the run, `mount[1]` runs after it."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not here to give a run a disk of its own")
    script = f'{mount[0]} || exit 99\n"$@"\ncode=$?\n{mount[1]}\nexit $code'
    done = subprocess.run(["unshare", "-Urm", "sh", "-c", script, "sh", *cli.command(*args)],
                          env={**cli.env, "DATA": str(cli.data_dir),
                               **{key: str(value) for key, value in env.items()}},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          encoding="utf-8", timeout=TIMEOUT)
    if done.returncode == 99 or "unshare:" in done.stderr:
        pytest.skip(f"no mount namespace here: {done.stderr[-200:]}")
    assert_no_token(done.stdout, done.stderr)
    return Result(done.returncode, done.stdout, done.stderr)


def assert_one_clear_message(result: Result, message: str) -> None:
    assert result.code == 1, result.err
    assert f"{result.out}\n{result.err}".count(message) == 1, result.out + result.err
    for trace in ("Traceback", "Logging error", "sqlite3.", "Something unexpected"):
        assert trace not in result.err and trace not in result.out, result.err


def assert_each_client_once(xero: XeroSandbox, database: Path) -> None:
    """Every client one contact in Xero, linked in the store, no intent left open."""
    numbers = [c.get("ContactNumber", "") for c in xero.contacts(US_TENANT)]
    assert sorted(n for n in numbers if n.startswith("K")) == [c[0] for c in CLIENTS]
    with Store(database) as store:
        assert store.intents.open(US_TENANT) == []
        links = store.mappings.for_tenant(US_TENANT)
    by_number = {c.get("ContactNumber"): c["ContactID"] for c in xero.contacts(US_TENANT)}
    assert {client_id: links[client_id] for client_id, _, _ in CLIENTS} == {
        client_id: by_number[client_id] for client_id, _, _ in CLIENTS}


def test_a_full_disk_stops_the_sync_with_what_to_do_and_the_next_run_settles_it(
        cli: Cli, xero: XeroSandbox, tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", CLIENTS)
    keep = tmp_path / "kept"  # the data folder between runs, off the run's tmpfs
    keep.mkdir()
    cli.data_dir.mkdir()
    sync = ("sync", "--sandbox", xero.url, "--org", US, "--clients", clients)

    full = run_mounted(cli, ON_TMPFS, *sync, SIZE="256k", KEEP=keep)

    database = cli.data_dir / "data" / "xerosync.sqlite3"
    assert_one_clear_message(full, (
        f"The disk holding the app's data file {database} is full, so it cannot be written. "
        f"Free some space on the disk that holds {database.parent}, then try again: "
        + SETTLED))
    sent = [c for c in xero.contacts(US_TENANT) if c.get("ContactNumber", "").startswith("K")]
    assert 0 < len(sent) < len(CLIENTS)  # full mid-run, after Xero saved some
    with Store(keep / "data" / "xerosync.sqlite3") as store:
        assert store.intents.open(US_TENANT)  # what was sent is not settled yet

    freed = run_mounted(cli, ON_TMPFS, *sync, SIZE="64m", KEEP=keep)

    assert freed.code == 0, freed.out + freed.err
    assert f"Sync finished: {len(CLIENTS) - len(sent)} created" in freed.out, freed.out
    assert_each_client_once(xero, keep / "data" / "xerosync.sqlite3")


def test_a_read_only_data_folder_is_named_with_what_to_do(
        cli: Cli, xero: XeroSandbox, tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", CLIENTS[:60])
    sync = ("sync", "--sandbox", xero.url, "--org", US, "--clients", clients)
    assert cli(*sync).code == 0
    write_clients(clients, CLIENTS)

    refused = run_mounted(cli, READ_ONLY, *sync)

    database = cli.data_dir / "data" / "xerosync.sqlite3"
    assert_one_clear_message(refused, (
        f"The app's data file {database} cannot be written: its folder is read-only or not "
        f"yours. Make {database.parent} and the files in it writable for your user, then try "
        "again: " + SETTLED))
    numbers = [c.get("ContactNumber", "") for c in xero.contacts(US_TENANT)]
    assert sum(n.startswith("K") for n in numbers) == 60  # nothing sent

    writable = cli(*sync)

    assert writable.code == 0, writable.err
    assert "Sync finished: 240 created, 0 updated, 60 unchanged" in writable.out
    assert_each_client_once(xero, database)


def test_a_damaged_page_is_named_and_moving_the_file_aside_creates_nothing_twice(
        cli: Cli, xero: XeroSandbox, tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", CLIENTS)
    sync = ("sync", "--sandbox", xero.url, "--org", US, "--clients", clients)
    assert cli(*sync).code == 0
    database = cli.data_dir / "data" / "xerosync.sqlite3"
    with database.open("r+b") as file:  # every page but the first (the header and schema)
        size = file.seek(0, 2)
        for page in range(1, size // 4096):
            file.seek(page * 4096 + 100)
            file.write(b"\xde\xad\xbe\xef" * 64)

    damaged = cli(*sync)

    message = (re.escape(f"The app's data file {database} is damaged and cannot be read (")
               + r"[^)]+" + re.escape(
                   "). Move it aside and start again: Setup needs doing again, and the links "
                   "to Xero contacts are found again in Xero by client ID and name, so nothing "
                   "is created twice. Your Xero data is not affected."))
    assert damaged.code == 1, damaged.err
    assert len(re.findall(message, damaged.err)) == 1, damaged.err
    assert "Something unexpected" not in damaged.err and "Traceback" not in damaged.err
    database.rename(database.with_name("xerosync.sqlite3.damaged"))

    fresh = cli(*sync)

    assert fresh.code == 0, fresh.err
    assert "Sync finished: 0 created" in fresh.out, fresh.out  # each found by its client ID
    assert_each_client_once(xero, database)


def test_a_log_file_that_cannot_be_written_neither_stops_a_run_nor_prints_a_traceback(
        cli: Cli, xero: XeroSandbox, tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", CLIENTS)
    cli.log_file.parent.mkdir(parents=True)
    cli.log_file.symlink_to("/dev/full")  # every write: No space left on device

    result = cli("sync", "--sandbox", xero.url, "--org", US, "--clients", clients)

    assert result.code == 0, result.err
    assert "Logging error" not in result.err and "Traceback" not in result.err
    assert f"Sync finished: {len(CLIENTS)} created" in result.out
    assert_each_client_once(xero, cli.data_dir / "data" / "xerosync.sqlite3")
