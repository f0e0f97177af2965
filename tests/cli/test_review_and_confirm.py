"""`xerosync review` writes the mapping review workbook; `xerosync confirm` stores the links."""

from __future__ import annotations

from openpyxl import load_workbook

from xerosync_desktop.sandbox import XeroSandbox

from .conftest import SAMPLE, US, Cli

REVIEW_HEADER = ["Status", "TimeSolv Client", "Client ID", "Xero Contact", "Name in Xero", "Note",
                 "Suggested Xero contact", "Suggestion reason", "Xero ContactID", "Source Row"]


def review(cli: Cli, xero: XeroSandbox, name: str) -> tuple[dict[str, str], list[str]]:
    """Run `review`: each client's status in the workbook, and the lines printed."""
    out = cli.root / name
    result = cli("review", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE,
                 "--out", out)
    assert result.code == 0, result.err
    assert result.out.startswith(f"Review of {US}: 36 clients: 33 to sync, 3 prospects; 15 Xero "
                                 "contacts. Written "
                                 f"to {out}.\n")
    rows = list(load_workbook(out)["Review"].iter_rows(values_only=True))
    assert list(rows[0]) == REVIEW_HEADER
    client_id, status = REVIEW_HEADER.index("Client ID"), REVIEW_HEADER.index("Status")
    return ({row[client_id]: row[status] for row in rows[1:] if row[client_id]},
            result.out.splitlines())


def test_review_writes_the_workbook_and_confirm_makes_matched_mapped(
        cli: Cli, xero: XeroSandbox) -> None:
    before, printed = review(cli, xero, "before.xlsx")

    assert before["00010"] == "Matched"
    assert before["00350"] == "New"
    assert before["00100"] == "Prospect (not synced)"
    assert before["00090"] == "Blocked: Xero contact archived"
    matched = sum(status == "Matched" for status in before.values())
    assert matched == 7
    assert "  Matched: 7" in printed and "  New: 25" in printed
    assert "  Will remain in Xero unmatched: 6" in printed

    confirmed = cli("confirm", "--sandbox", xero.url, "--org", US, "--clients", SAMPLE)

    assert confirmed.code == 0, confirmed.err
    assert f"Confirmed 7 mappings in {US}; 7 clients are now Mapped." in confirmed.out
    after, printed = review(cli, xero, "after.xlsx")
    assert {k for k, v in after.items() if v == "Mapped"} == {
        k for k, v in before.items() if v == "Matched"}
    assert "Matched" not in after.values() and "  Mapped: 7" in printed


def test_outputs_never_overwrite_the_client_file(cli: Cli, xero: XeroSandbox) -> None:
    from openpyxl import Workbook

    clients = cli.root / "same.xlsx"
    workbook = Workbook()
    workbook.active.append(["Client ID", "Client Name"])
    workbook.active.append(["1", "Acme"])
    workbook.save(clients)
    original = clients.read_bytes()

    for args in (("review", "--out", clients), ("review", "--out", f"{cli.root}/./SAME/../same"),
                 ("sync", "--log", clients)):
        result = cli(*args, "--sandbox", xero.url, "--org", US, "--clients", clients)
        assert result.code == 2, (args, result.err)
        assert "is the TimeSolv client file the app reads" in result.err
        assert result.out == ""
    assert clients.read_bytes() == original



def test_review_prints_and_writes_the_rows_that_need_attention(
        cli: Cli, xero: XeroSandbox) -> None:
    clients = cli.root / "clients.csv"
    clients.write_text("Client ID;Client Name;Status\n1;Acme;Active\n2;;Active\n"
                       "3;Beta;Pending\n", encoding="utf-8")
    out = cli.root / "review"  # .xlsx is added

    result = cli("review", "--sandbox", xero.url, "--org", US, "--clients", clients,
                 "--out", out)

    assert result.code == 0, result.err
    assert "3 clients: 1 to sync, 2 need attention" in result.out
    assert "  row 3: 2: The row has no Client Name." in result.out
    assert "  row 4: 3 Beta: The status 'Pending' is not Active" in result.out
    sheet = load_workbook(cli.root / "review.xlsx")["Needs attention"]
    assert [r[:3] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        (3, "2", None), (4, "3", "Beta")]
