"""`xerosync link` and `unlink`: the Mapping tab's decisions from the command line, and a
Possible match that no sync creates until one is made."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from xerosync_desktop.sandbox import XeroSandbox

from .conftest import US, US_TENANT, Cli, Result, names, write_clients

HOW = "xerosync link --client ID --suggested | --contact CONTACTID | --new"
SUGGESTED = "Northwind Traders Ltd"


@pytest.fixture
def clients(xero: XeroSandbox, tmp_path: Path) -> Path:
    """N1 is a Possible match for a contact added in Xero; N2 is New (no contact like it)."""
    xero.add_contact(US_TENANT, Name=SUGGESTED)
    return write_clients(tmp_path / "clients.csv", [("N1", "Northwind Traders", "Active"),
                                                    ("N2", "Quillfeather Bindery", "Active")])


def run(cli: Cli, xero: XeroSandbox, clients: Path, *args: str) -> Result:
    return cli(*args, "--sandbox", xero.url, "--org", US, "--clients", clients)


def review(cli: Cli, xero: XeroSandbox, clients: Path) -> tuple[dict[str, dict], str]:
    """Run `review` in a new process: each client's workbook row by header, and stdout."""
    out = cli.root / "review.xlsx"
    result = run(cli, xero, clients, "review", "--out", str(out))
    assert result.code == 0, result.err
    rows = list(load_workbook(out)["Review"].iter_rows(values_only=True))
    client_id = rows[0].index("Client ID")
    return {row[client_id]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]
            if row[client_id]}, result.out


def contact_id(xero: XeroSandbox, name: str) -> str:
    return str(names(xero)[name]["ContactID"])


def test_review_lists_the_possible_match_and_how_to_decide(
        cli: Cli, xero: XeroSandbox, clients: Path) -> None:
    rows, out = review(cli, xero, clients)

    assert rows["N1"]["Status"] == "Possible match"
    assert rows["N1"]["Suggested Xero contact"] == SUGGESTED
    assert rows["N1"]["Suggestion reason"]
    assert rows["N2"]["Status"] == "New"
    assert ("1 client is a Possible match and will not be synced until decided:\n"
            f"  N1 Northwind Traders: suggested '{SUGGESTED}': "
            f"{rows['N1']['Suggestion reason']}\n"
            f"Decide each with: {HOW}\n") in out
    assert "  Possible match: 1" in out


def test_link_suggested_then_unlink_survive_a_new_process(
        cli: Cli, xero: XeroSandbox, clients: Path) -> None:
    calls = xero.call_count(US_TENANT)

    linked = run(cli, xero, clients, "link", "--client", "N1", "--suggested")

    assert linked.code == 0, linked.err
    assert linked.out == (f"Client N1 'Northwind Traders' is now Mapped to '{SUGGESTED}' in "
                          f"{US}.\n")
    assert xero.call_count(US_TENANT) == calls + 1  # one read of the contacts, no write
    rows, _ = review(cli, xero, clients)
    assert (rows["N1"]["Status"], rows["N1"]["Xero Contact"]) == ("Mapped", SUGGESTED)
    assert "Mappings:     1 stored" in cli("status", "--sandbox", xero.url, "--org", US_TENANT).out

    unlinked = run(cli, xero, clients, "unlink", "--client", "N1")

    assert unlinked.code == 0, unlinked.err
    assert unlinked.out.startswith(
        f"Client N1 'Northwind Traders' is now a Possible match for '{SUGGESTED}' (")
    assert unlinked.out.endswith(f" in {US}: not synced until decided ({HOW}).\n")
    rows, _ = review(cli, xero, clients)
    assert rows["N1"]["Status"] == "Possible match"
    assert "Mappings:     0 stored" in cli("status", "--sandbox", xero.url, "--org", US_TENANT).out


def test_link_to_a_contact_by_its_contact_id_and_the_sync_updates_it(
        cli: Cli, xero: XeroSandbox, clients: Path) -> None:
    cafe = contact_id(xero, "Cafe Lumiere")

    linked = run(cli, xero, clients, "link", "--client", "n1", "--contact", cafe.upper())

    assert linked.code == 0, linked.err
    assert linked.out == f"Client N1 'Northwind Traders' is now Mapped to 'Cafe Lumiere' in {US}.\n"
    rows, _ = review(cli, xero, clients)
    assert (rows["N1"]["Status"], rows["N1"]["Xero ContactID"]) == ("Mapped", cafe)

    synced = run(cli, xero, clients, "sync")

    assert synced.code == 0, synced.err
    assert "Sync finished: 1 created, 1 updated, 0 unchanged, 0 skipped, 0 failed." in synced.out
    numbered = {c["ContactID"]: c["Name"] for c in xero.contacts(US_TENANT)
                if c.get("ContactNumber") == "N1"}
    assert list(numbered) == [cafe]  # the linked contact; no second one added
    assert names(xero)[SUGGESTED].get("ContactNumber") in (None, "")


def test_link_new_adds_it_at_the_next_sync_and_keeps_the_suggested_contact(
        cli: Cli, xero: XeroSandbox, clients: Path) -> None:
    decided = run(cli, xero, clients, "link", "--client", "N1", "--new")

    assert decided.code == 0, decided.err
    assert decided.out == (f"Client N1 'Northwind Traders' is now New in {US}: the next sync "
                           "adds it to Xero as a new contact.\n")
    rows, _ = review(cli, xero, clients)
    assert rows["N1"]["Status"] == "New"
    status = cli("status", "--sandbox", xero.url, "--org", US_TENANT).out
    assert "Mappings:     0 stored; 1 client to be added as new" in status

    synced = run(cli, xero, clients, "sync")

    assert synced.code == 0, synced.err
    assert "Sync finished: 2 created, 0 updated, 0 unchanged, 0 skipped, 0 failed." in synced.out
    assert names(xero)["Northwind Traders"]["ContactNumber"] == "N1"
    assert names(xero)[SUGGESTED].get("ContactNumber") in (None, "")


@pytest.mark.parametrize(("args", "sentence"), [
    (("link", "--client", "ZZ9", "--suggested"),
     "There is no client with ID 'ZZ9' in the client file."),
    (("link", "--client", "N1", "--contact", "00000000-0000-0000-0000-000000000000"),
     "There is no contact with ContactID '00000000-0000-0000-0000-000000000000' in "
     f"{US}."),
    (("link", "--client", "N2", "--suggested"), "Client N2 has no suggestion to accept (New)."),
    (("unlink", "--client", "N1"),
     "Client N1 is not linked (Possible match), so there is nothing to unlink."),
])
def test_a_decision_that_cannot_be_made_exits_2_and_changes_nothing(
        cli: Cli, xero: XeroSandbox, clients: Path, args: tuple[str, ...],
        sentence: str) -> None:
    result = run(cli, xero, clients, *args)

    assert result.code == 2
    assert result.out == ""
    assert f"xerosync: {sentence}\n" in result.err
    rows, _ = review(cli, xero, clients)
    assert (rows["N1"]["Status"], rows["N2"]["Status"]) == ("Possible match", "New")


def test_link_a_contact_another_client_holds_exits_2(
        cli: Cli, xero: XeroSandbox, clients: Path) -> None:
    assert run(cli, xero, clients, "link", "--client", "N1", "--suggested").code == 0

    result = run(cli, xero, clients, "link", "--client", "N2", "--contact",
                 contact_id(xero, SUGGESTED))

    assert result.code == 2
    assert (f"'{SUGGESTED}' is already paired with client N1 (Mapped); a contact can belong "
            "to one client only. Pick another contact.") in result.err


@pytest.mark.parametrize("decision", [(), ("--suggested", "--new"),
                                      ("--new", "--contact", "x")])
def test_link_takes_exactly_one_decision(cli: Cli, decision: tuple[str, ...]) -> None:
    result = cli("link", "--client", "N1", *decision, "--sandbox", "http://127.0.0.1:9")

    assert result.code == 2
    assert "one of the arguments --contact --suggested --new is required" in result.err \
        or "not allowed with argument" in result.err


def test_sync_never_creates_an_undecided_possible_match(
        cli: Cli, xero: XeroSandbox, clients: Path) -> None:
    dry = run(cli, xero, clients, "sync", "--dry-run")

    assert dry.code == 0, dry.err
    assert dry.out.splitlines()[-1] == (
        f"Dry run for {US}: 1 to create, 0 to update, 0 unchanged, 1 to skip (1 waiting for "
        "a decision), 0 would fail. Nothing was sent to Xero.")
    assert f"Skip    N1  Northwind Traders: Waiting for a decision: possibly Xero's " \
           f"'{SUGGESTED}'." in dry.out

    for _ in range(2):
        synced = run(cli, xero, clients, "sync")

        assert synced.code == 0, synced.err
        assert (f"Skipped: N1 Northwind Traders: Waiting for a decision: possibly Xero's "
                f"'{SUGGESTED}'.") in synced.out
        assert ("1 client is a Possible match waiting for a decision (listed above), so not "
                f"added: decide each with {HOW} (or in the app's Mapping tab), then run "
                "xerosync sync again.\n") in synced.out
        assert "Northwind Traders" not in names(xero)
        assert names(xero)[SUGGESTED].get("ContactNumber") in (None, "")
    assert names(xero)["Quillfeather Bindery"]["ContactNumber"] == "N2"
