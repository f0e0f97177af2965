"""`xerosync sync` against a sandbox at a URL: what Xero then holds, the log, the dry run."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from openpyxl import load_workbook

from xerosync_desktop.sandbox import XeroSandbox

from .conftest import SAMPLE, US, US_TENANT, Cli, assert_no_token, names, write_clients

LOG_HEADER = ["Time", "Result", "Client ID", "TimeSolv Client", "Action", "Xero ContactID",
              "Changes", "Message"]


def test_sync_creates_the_contacts_and_a_second_sync_creates_none(
        cli: Cli, xero: XeroSandbox, tmp_path: Path) -> None:
    archived_before = names(xero, "ARCHIVED")
    prospects = ("Harbor View Dental", "Granite Peak Ventures", "Valley Auto Body")
    prospects_before = {name: names(xero).get(name) for name in prospects}

    first = cli("--sandbox", xero.url, "sync", "--org", US, "--clients", SAMPLE,
                "--log", tmp_path / "log.xlsx")

    assert first.code == 0, first.err
    assert "Sync finished: 25 created, 7 updated, 0 unchanged, 4 skipped, 0 failed." in first.out
    assert f"Log of the run written to {tmp_path / 'log.xlsx'}." in first.out
    held = names(xero, "ACTIVE")
    assert held["Acme Holdings LLC"]["ContactNumber"] == "00010"
    assert "John _Smith" in held and "John  Smith" not in held  # the two-spaces rule
    assert {name: names(xero).get(name) for name in prospects} == prospects_before
    for number, prospect in (("00100", prospects[0]), ("00110", prospects[1]),
                             ("00260", prospects[2])):
        assert f"Skipped: {number} {prospect}: Prospect clients are not synced" in first.out
        assert not any(c.get("ContactNumber") == number for c in held.values())
    assert names(xero, "ARCHIVED") == archived_before  # archived contacts untouched

    # options after the subcommand this time
    second = cli("sync", "--sandbox", xero.url, "--org", US_TENANT, "--clients", SAMPLE)

    assert second.code == 0, second.err
    assert "Sync finished: 0 created, 0 updated, 32 unchanged, 4 skipped, 0 failed." in second.out
    assert len(names(xero, "ACTIVE")) == len(held)
    assert_no_token(cli.log_file.read_text(encoding="utf-8"))


def test_the_log_workbook_holds_every_entry_and_the_run(
        cli: Cli, xero: XeroSandbox, tmp_path: Path) -> None:
    log = tmp_path / "log.xlsx"

    result = cli("sync", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE, "--log", log)

    assert result.code == 0, result.err
    workbook = load_workbook(log)
    rows = list(workbook["Log"].iter_rows(values_only=True))
    assert list(rows[0]) == LOG_HEADER
    actions = [row[4] for row in rows[1:]]
    assert actions.count("Created") == 25 and actions.count("Updated") == 7
    assert actions.count("Skipped") == 4 and actions[0] == "Started"
    assert actions[-1] == "Summary"
    assert Counter(row[1] for row in rows[1:] if row[1]) == {"Created": 25, "Updated": 7,
                                                              "Skipped": 4}
    changes = [row[6] for row in rows[1:] if row[1] == "Updated"]
    assert len(changes) == 7 and all(" -> " in text for text in changes)
    run = dict(workbook["Run"].iter_rows(min_row=2, values_only=True))
    assert run["Organisation"] == US and run["Outcome"] == "Finished"
    assert (run["Created"], run["Updated"], run["Unchanged"], run["Skipped"],
            run["Failed"]) == (25, 7, 0, 4, 0)
    assert (run["Tenant ID"], run["Xero"]) == (US_TENANT, "Demo sandbox")
    assert run["Client file"] == str(SAMPLE.resolve())
    assert run["Client file SHA-256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    for row in rows:
        assert_no_token(" ".join(str(value) for value in row))


def test_a_folder_given_for_the_log_gets_a_new_named_workbook_each_run(
        cli: Cli, xero: XeroSandbox, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    stamp = r"\d{4}-\d\d-\d\d \d{4}"

    first = cli("sync", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE, "--log", folder)
    second = cli("sync", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE, "--log",
                 folder)

    assert (first.code, second.code) == (0, 0), first.err + second.err
    written = sorted(path.name for path in folder.iterdir())
    assert len(written) == 2
    for name in written:
        assert re.fullmatch(rf"Xero sync log - Demo Company \(US\) - {stamp}( \(2\))?\.xlsx",
                            name), name
        assert f"Log of the run written to {folder / name}." in first.out + second.out
    runs = [dict(load_workbook(folder / name)["Run"].iter_rows(min_row=2, values_only=True))
            for name in written]
    assert sorted((run["Created"], run["Unchanged"]) for run in runs) == [(0, 32), (25, 0)]

    review = cli("review", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE, "--out",
                 folder)
    assert review.code == 0, review.err
    reviews = [p.name for p in folder.iterdir() if p.name.startswith("Xero mapping review")]
    assert len(reviews) == 1 and re.fullmatch(
        rf"Xero mapping review - Demo Company \(US\) - {stamp}\.xlsx", reviews[0])


def test_dry_run_prints_the_plan_and_writes_nothing(cli: Cli, xero: XeroSandbox) -> None:
    before = xero.contacts(US_TENANT)
    calls = xero.call_count(US_TENANT)

    result = cli("sync", "--dry-run", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE)

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert len([line for line in lines if not line.startswith(" ")]) == 37  # a client each,
    assert lines[0].split() == ["Update", "00010", "Acme", "Holdings", "LLC"]  # then counts
    assert lines[1].startswith("        ")  # the first of the update's field changes
    assert "Update  00070  John  Smith (as 'John _Smith')" in lines
    assert any(line.startswith("Create") and "Brightline Media Co." in line for line in lines)
    assert any(line.startswith("Skip") and "Harbor View Dental: Prospect" in line
               for line in lines)
    assert lines[-1] == (f"Dry run for {US}: 25 to create, 7 to update, 0 unchanged, 4 to "
                         "skip, 0 would fail. Nothing was sent to Xero.")
    assert xero.contacts(US_TENANT) == before
    assert xero.call_count(US_TENANT) == calls + 1  # one page of contacts read


def test_rows_that_need_attention_are_logged_not_sent_and_exit_1(
        cli: Cli, xero: XeroSandbox, tmp_path: Path) -> None:
    clients = write_clients(tmp_path / "clients.csv", [
        ("C1", "Twin Name LLC", "Active"),
        ("C2", "twin name llc", "Active"),  # the same name to Xero: neither is guessed at
        ("C3", "L" * 300, "Active"),  # longer than Xero allows
        ("C4", "=HYPERLINK(\"http://x\",\"y\")", "Active"),  # a formula-like name: as typed
        ("C5", "Bell\x07 &\u200b Cafe\u0301", "Active"),  # NFC, no controls or zero-width
    ])

    dry = cli("sync", "--dry-run", "--sandbox", xero.url, "--org", US, "--clients", clients)
    assert dry.code == 0, dry.err
    assert dry.out.splitlines()[-1] == (f"Dry run for {US}: 2 to create, 0 to update, 0 "
                                        "unchanged, 3 to skip (3 need attention), 0 would fail. "
                                        "Nothing was sent to Xero.")

    result = cli("sync", "--sandbox", xero.url, "--org", US, "--clients", clients,
                 "--log", tmp_path / "log")

    assert result.code == 1
    run_sheet = {r[0]: r[1] for r in load_workbook(tmp_path / "log.xlsx")["Run"].iter_rows(
        min_row=2, values_only=True)}
    assert (run_sheet["Skipped"], run_sheet["Need attention (of the skipped)"]) == (3, 3)
    assert ("Sync finished: 2 created, 0 updated, 0 unchanged, 3 skipped (3 need attention), "
            "0 failed.") in result.out
    assert ("Needs attention: C2 twin name llc: Row 3 of the client file: Xero would take "
            "this client and the one on row 2 for the same contact") in result.out
    assert "Needs attention: C1 Twin Name LLC: Row 2 of the client file" in result.out
    assert "Needs attention: C3 " in result.out and "Xero allows at most 255" in result.out
    assert "3 rows of the client file need attention (listed above)" in result.out
    held = names(xero)
    assert "=HYPERLINK(\"http://x\",\"y\")" in held
    assert "Bell & Caf\u00e9" in held
    assert not {"Twin Name LLC", "twin name llc"} & set(held)


def test_progress_is_plain_lines_on_stderr_without_a_terminal(
        cli: Cli, xero: XeroSandbox) -> None:
    result = cli("sync", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE)

    assert result.code == 0
    assert "\r" not in result.err
    progress = result.err.splitlines()
    assert "Reading the TimeSolv client file…" in progress
    assert "36 of 36 clients" in progress
    assert len(progress) == len(set(progress))  # each line once
    assert not any("of 36 clients" in line for line in result.out.splitlines())


def test_dry_run_prints_each_update_s_field_changes_and_the_sync_makes_them(
        cli: Cli, xero: XeroSandbox) -> None:
    dry = cli("sync", "--dry-run", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE)

    assert dry.code == 0, dry.err
    lines = dry.out.splitlines()
    acme = lines.index("Update  00010  Acme Holdings LLC")
    assert lines[acme + 1:acme + 7] == [
        "        Client ID: (empty) -> 00010",
        "        Last name: Morgan -> Archer",
        "        Email: billing@acmeholdings.example -> accounts@acmeholdings.example",
        "        Phone: 512-555-0101 -> 512-555-0110",
        "        Address: PO Box 100 -> 100 Congress Ave, Suite 400",
        "        Country: (empty) -> United States",
    ]
    assert lines[acme + 7].startswith("Update  00020  Baker & Sons Plumbing")
    assert "        Name: DELTA Dental Group -> Delta Dental Group" in lines
    assert names(xero)["Acme Holdings LLC"]["EmailAddress"] == "billing@acmeholdings.example"

    synced = cli("sync", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE)

    assert synced.code == 0, synced.err
    held = names(xero)
    acme_held = held["Acme Holdings LLC"]
    assert (acme_held["ContactNumber"], acme_held["LastName"], acme_held["EmailAddress"]) == (
        "00010", "Archer", "accounts@acmeholdings.example")
    assert [p["PhoneNumber"] for p in acme_held["Phones"] if p["PhoneType"] == "DEFAULT"
            ] == ["512-555-0110"]
    assert "Delta Dental Group" in held and "DELTA Dental Group" not in held

    again = cli("sync", "--dry-run", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE)

    assert again.code == 0, again.err
    assert not any(line.startswith(" ") for line in again.out.splitlines())  # nothing to change
    assert "Same    00010  Acme Holdings LLC: Nothing changed since the last sync." in again.out
