"""The seed article, end to end: the real window, the real sandbox, the real SDK.

Setup (connect, organisation, Enable Client Sync, Save) -> Mapping (review, filter, download,
Confirm Mappings, Back) -> Sync (Sync to Xero, live log, download the full log). Then what
Xero (the sandbox) holds and what the workbooks say.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from gui_helpers import (
    TIMEOUT,
    US,
    click,
    connect_and_save,
    demo_signed_in,
    save_dialog_returns,
    shown_rows,
    spy_on_secrets,
    start_sync,
)
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QFileDialog

from xerosync_desktop.bootstrap import AppContext, build_demo
from xerosync_desktop.excel.output_path import LOG_TITLE, default_name
from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox
from xerosync_desktop.timesolv.loader import load_clients


def xero_key(name: str) -> str:
    """Xero's name equality, written here independently of the product's rule."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", bare).strip().casefold()


def test_whole_seed_flow(qtbot: QtBot, window: MainWindow, ctx: AppContext,
                         sandbox: XeroSandbox, browser: Any, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    us = next(o["tenantId"] for o in sandbox.organisations()
              if o["tenantName"] == US)
    before = {c["ContactID"]: c for c in sandbox.contacts(us)}
    assert window.demo_banner.isVisible()

    # --- Setup: the demo signs itself in at start; Connect signs in again with the browser
    demo_signed_in(qtbot, window)
    assert not browser.opened
    secrets = spy_on_secrets(ctx, monkeypatch)
    with qtbot.waitSignal(window.setup_tab.connect_finished, timeout=TIMEOUT) as again:
        click(qtbot, window.setup_tab.connect_button)
    assert again.args == [True]
    connect_and_save(qtbot, window)
    assert browser.opened and "code_challenge_method=S256" in browser.opened[0]
    assert "Demo Company (US)" in window.organisation_label.text()

    # --- Map Clients: review
    mapping = window.mapping_tab
    with qtbot.waitSignal(mapping.review_loaded, timeout=TIMEOUT):
        click(qtbot, window.setup_tab.review_button)
    assert window.tabs.currentWidget() is mapping
    rows = shown_rows(window)
    by_client = {r["TimeSolv Client"]: r for r in rows if r["TimeSolv Client"]}
    assert len(by_client) == 36
    expected = {
        "Acme Holdings LLC": ("Matched", "Acme Holdings LLC"),
        "Delta Dental Group": ("Matched", "DELTA Dental Group"),
        "Café Lumière": ("Matched", "Cafe Lumiere"),
        "John  Smith": ("Matched", "John _Smith"),
        "Evergreen Landscaping": ("Matched", "Evergreen Landscaping"),
        "Mary  Jones": ("New", ""),
        "Thompson  Hardware": ("New", ""),
        "Old Town Bakery": ("Blocked: Xero contact archived", "Old Town Bakery"),
        "Granite Peak Ventures": ("Prospect (not synced)", ""),
        "Harbor View Dental": ("Prospect (not synced)", "Harbor View Dental"),
        "Foster & Grant Architects": ("New", ""),
    }
    for name, (status, contact) in expected.items():
        assert (by_client[name]["Status"], by_client[name]["Xero Contact"]) == (status, contact)
    assert by_client["Mary  Jones"]["Name in Xero"] == "Mary _Jones"
    assert by_client["Mary  Jones"]["Xero ContactID"] == ""
    unmatched = sorted(r["Xero Contact"] for r in rows if not r["TimeSolv Client"])
    assert unmatched == ["City Water Utility", "Internal Revenue Service", "John Smith",
                         "Legacy Supplies Co", "Mary Jones", "Office Depot"]
    assert all(r["Status"] == "Will remain in Xero unmatched" for r in rows
               if not r["TimeSolv Client"])

    # filter and search, as the user would
    mapping.status_combo.setCurrentIndex(mapping.status_combo.findText("New"))
    assert {r["Status"] for r in shown_rows(window)} == {"New"}
    new_count = len(shown_rows(window))
    assert new_count == sum(r["Status"] == "New" for r in rows)
    mapping.search_edit.setText("jones")
    assert [r["TimeSolv Client"] for r in shown_rows(window)] == ["Mary  Jones"]
    mapping.search_edit.clear()
    mapping.status_combo.setCurrentIndex(0)
    assert len(shown_rows(window)) == len(rows)

    # download the review
    review_path = tmp_path / "review.xlsx"
    suggested = save_dialog_returns(monkeypatch, review_path)
    with qtbot.waitSignal(mapping.export_finished, timeout=TIMEOUT):
        click(qtbot, mapping.download_button)
    assert re.fullmatch(r"Xero mapping review - Demo Company \(US\) - "
                        r"\d{4}-\d\d-\d\d \d{4}\.xlsx", suggested[0]), suggested
    sheet = load_workbook(review_path)["Review"]
    header = [c.value for c in sheet[1]]
    assert header == ["Status", "TimeSolv Client", "Client ID", "Xero Contact", "Name in Xero",
                      "Note", "Suggested Xero contact", "Suggestion reason", "Xero ContactID",
                      "Source Row"]
    book_rows = [dict(zip(header, (c.value for c in r), strict=True))
                 for r in sheet.iter_rows(min_row=2)]
    assert len(book_rows) == len(rows)
    mary = next(r for r in book_rows if r["TimeSolv Client"] == "Mary  Jones")
    assert (mary["Status"], mary["Xero Contact"], mary["Client ID"]) == ("New", None, "00080")
    assert Counter(r["Status"] for r in book_rows) == Counter(r["Status"] for r in rows)

    # Confirm Mappings: Matched becomes Mapped
    matched = sum(r["Status"] == "Matched" for r in rows)
    with qtbot.waitSignal(mapping.confirm_finished, timeout=TIMEOUT) as confirmed:
        click(qtbot, mapping.confirm_button)
    assert confirmed.args == [matched]
    after_confirm = {r["TimeSolv Client"]: r["Status"] for r in shown_rows(window)
                     if r["TimeSolv Client"]}
    assert after_confirm["Acme Holdings LLC"] == "Mapped"
    assert after_confirm["John  Smith"] == "Mapped"
    assert after_confirm["Old Town Bakery"] == "Blocked: Xero contact archived"
    assert "Matched" not in after_confirm.values()
    assert not mapping.confirm_button.isEnabled()

    # Back to Setup
    click(qtbot, mapping.back_button)
    assert window.tabs.currentWidget() is window.setup_tab

    # --- Sync Clients
    sandbox.expire_access_tokens()  # so the sync's first call refreshes (and rotates) the token
    window.tabs.setCurrentWidget(window.sync_tab)
    sync = window.sync_tab
    with qtbot.waitSignal(sync.run_finished, timeout=60_000) as finished:
        start_sync(qtbot, sync)
    summary = finished.args[0]
    assert (summary.outcome, summary.failed) == ("finished", 0)
    assert summary.created == new_count
    assert summary.updated == matched
    assert summary.skipped == 4  # three prospects and the archived Old Town Bakery
    assert sync.progress_bar.value() == sync.progress_bar.maximum() == 36
    live = sync.log_model.entries()
    assert 0 < len(live) <= 50
    assert live[-1].action == "Summary"
    assert "Sync finished: " in sync.summary_label.text()

    log_path = tmp_path / "log.xlsx"
    suggested = save_dialog_returns(monkeypatch, log_path)
    with qtbot.waitSignal(sync.export_finished, timeout=TIMEOUT):
        click(qtbot, sync.download_button)
    assert [b.text() for b in sync.message_bar.buttons()] == ["Open", "Show in folder"]
    assert suggested == [default_name(LOG_TITLE, US, summary.started_at)]
    workbook = load_workbook(log_path)
    log_sheet = workbook["Log"]
    log_header = [c.value for c in log_sheet[1]]
    assert log_header == ["Time", "Result", "Client ID", "TimeSolv Client", "Action",
                          "Xero ContactID", "Changes", "Message"]
    entries = [dict(zip(log_header, (c.value for c in r), strict=True))
               for r in log_sheet.iter_rows(min_row=2)]
    per_client = [e for e in entries if e["Client ID"]]
    assert sorted(e["Client ID"] for e in per_client) == sorted(
        c.client_id for c in load_clients(window.setup_tab.clients_file_edit.text()).clients)
    assert len(entries) == len(per_client) + 2  # and the Started and Summary lines
    blocked = next(e for e in entries if e["TimeSolv Client"] == "Old Town Bakery")
    assert (blocked["Action"], blocked["Result"]) == ("Skipped", "Skipped")
    assert "archived in Xero" in blocked["Message"]
    run_sheet = {r[0].value: r[1].value for r in workbook["Run"].iter_rows(min_row=2)}
    assert run_sheet["Organisation"] == US and run_sheet["Created"] == new_count

    # --- What Xero holds
    contacts = sandbox.contacts(us)
    active = [c for c in contacts if c["ContactStatus"] == "ACTIVE"]
    assert len({xero_key(c["Name"]) for c in active}) == len(active), "duplicate names in Xero"
    numbers = [c["ContactNumber"] for c in contacts if c.get("ContactNumber")]
    assert len(numbers) == len(set(numbers)), "duplicate ContactNumbers in Xero"
    by_name = {c["Name"]: c for c in contacts}
    clients = load_clients(window.setup_tab.clients_file_edit.text()).clients
    for client in clients:
        xero_name = client.name.replace("  ", " _")
        if client.status.value == "Prospect":
            assert not any(c.get("ContactNumber") == client.client_id for c in contacts)
        elif client.name == "Old Town Bakery":
            continue
        else:
            contact = by_name[xero_name if xero_name in by_name else
                              next(n for n in by_name if xero_key(n) == xero_key(xero_name))]
            assert contact["ContactStatus"] == "ACTIVE", client.name  # inactive too
            assert contact["ContactNumber"] == client.client_id
    assert by_name["Mary _Jones"]["EmailAddress"] == "mary.jones@mail.example"
    assert by_name["Delta Dental Group"]["ContactID"] in before  # renamed, not re-created
    for untouched in ("Old Town Bakery", "John Smith", "Mary Jones", "Harbor View Dental",
                      "Office Depot", "Legacy Supplies Co"):
        contact = by_name[untouched]
        assert contact == before[contact["ContactID"]], f"{untouched} was changed"
    assert "Granite Peak Ventures" not in by_name
    assert len(contacts) == len(before) + new_count

    # --- A second sync adds nothing
    with qtbot.waitSignal(sync.run_finished, timeout=60_000) as again:
        start_sync(qtbot, sync)
    assert (again.args[0].created, again.args[0].failed) == (0, 0)
    assert len(sandbox.contacts(us)) == len(contacts)

    # --- No token, code or verifier anywhere the app writes
    browser.join()
    assert len(browser.landed) == 1  # the sign-in's redirect back to the app, with its code
    secrets += [parse_qs(urlsplit(url).query)["code"][0] for url in browser.landed]
    assert len({s for s in secrets if s}) >= 7  # 2 sign-in secrets, 2 tokens x 2 issues, more
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {".log", ".xlsx", ".sqlite3"} <= {p.suffix for p in written}
    for path in written:
        data = path.read_bytes()
        assert not any(secret.encode() in data for secret in secrets if secret), \
            f"a secret is in {path}"


def test_access_denied_is_shown_and_setup_stays_closed(qtbot: QtBot, ctx: AppContext,
                                                      sandbox: XeroSandbox,
                                                      browser: Any) -> None:
    sandbox.set_consent(False)
    window = MainWindow(ctx)  # its sign-in at start is refused
    qtbot.addWidget(window)
    setup = window.setup_tab
    with qtbot.waitSignal(setup.connect_finished, timeout=TIMEOUT) as connected:
        window.show()
    assert connected.args == [False]
    assert "Access to Xero was not allowed" in setup.message_bar.text()
    assert setup.message_bar.kind == "error"
    assert setup.connect_button.text() == "Connect to Xero" and setup.connect_button.isEnabled()
    assert not setup.save_button.isEnabled()
    assert not window.tabs.isTabEnabled(window.tabs.indexOf(window.mapping_tab))

    sandbox.set_consent(True)  # the demo user allows access this time
    with qtbot.waitSignal(setup.connect_finished, timeout=TIMEOUT) as connected:
        click(qtbot, setup.connect_button)
    assert connected.args == [True]
    assert setup.save_button.isEnabled() and "Access to Xero" not in setup.message_bar.text()


def test_live_log_shows_fifty_and_the_download_has_every_entry(
        qtbot: QtBot, window: MainWindow, sandbox: XeroSandbox, browser: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    clients = tmp_path / "many clients.csv"
    clients.write_text("Client ID,Client Name,Status\n" + "".join(
        f"{i:05},Many Client {i},{'Inactive' if i % 7 == 0 else 'Active'}\n"
        for i in range(1, 121)), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(clients), ""))
    setup = window.setup_tab
    demo_signed_in(qtbot, window)
    click(qtbot, setup.browse_button)
    assert setup.clients_file_edit.text() == str(clients)
    setup.enable_checkbox.setChecked(True)
    with qtbot.waitSignal(setup.settings_saved, timeout=TIMEOUT):
        click(qtbot, setup.save_button)

    window.tabs.setCurrentWidget(window.sync_tab)
    sync = window.sync_tab
    with qtbot.waitSignal(sync.run_finished, timeout=60_000) as finished:
        start_sync(qtbot, sync)
    assert (finished.args[0].created, finished.args[0].failed) == (120, 0)
    live = sync.log_model.entries()
    assert len(live) == sync.log_model.rowCount() == 50
    assert live[-1].action == "Summary"
    # once it has ended, the pane shows the run's whole log, not the live tail
    qtbot.waitUntil(lambda: sync.log_view.model().rowCount() == 120 + 2, timeout=TIMEOUT)
    shown = sync.log_view.model()
    assert "Started" in shown.index(0, 0).data() and "Summary" in shown.index(121, 0).data()

    log_path = tmp_path / "log.xlsx"
    save_dialog_returns(monkeypatch, log_path)
    with qtbot.waitSignal(sync.export_finished, timeout=TIMEOUT):
        click(qtbot, sync.download_button)
    sheet = load_workbook(log_path)["Log"]
    assert sheet.max_row == 1 + 120 + 2
    created = {row[2].value for row in sheet.iter_rows(min_row=2) if row[1].value == "Created"}
    assert created == {f"{i:05}" for i in range(1, 121)}
    us = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
    inactive = [c for c in sandbox.contacts(us) if c.get("ContactNumber") == "00007"]
    assert [c["ContactStatus"] for c in inactive] == ["ACTIVE"]


def test_any_earlier_runs_log_can_be_downloaded_after_a_restart(
        qtbot: QtBot, ctx: AppContext, sandbox: XeroSandbox, browser: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    connect_and_save(qtbot, first)
    with qtbot.waitSignal(first.sync_tab.run_finished, timeout=60_000) as finished:
        start_sync(qtbot, first.sync_tab)
    with qtbot.waitSignal(first.sync_tab.run_finished, timeout=60_000) as again:
        start_sync(qtbot, first.sync_tab)
    assert again.args[0].created == 0 and again.args[0].unchanged > 0
    first.close()

    second = MainWindow(ctx)  # the same data folder, a new window: a restart
    qtbot.addWidget(second)
    assert not second.sync_tab.download_button.isEnabled()
    demo_signed_in(qtbot, second)  # no click: the demo signs itself in at start
    assert second.setup_tab.organisation_combo.currentText() == US  # remembered
    assert second.setup_tab.enable_checkbox.isChecked()
    assert second.setup_tab.review_button.isEnabled()  # saved: no need to save again
    sync = second.sync_tab
    qtbot.waitUntil(lambda: sync.runs_table.model().rowCount() == 2, timeout=TIMEOUT)
    runs = sync.runs_table.model()
    table = [[runs.index(r, c).data() for c in range(runs.columnCount())]
             for r in range(runs.rowCount())]
    assert [row[2] for row in table] == ["Finished", "Finished"]
    assert [row[3] for row in table] == ["0", str(finished.args[0].created)]  # newest first
    assert [row[5] for row in table] == [str(again.args[0].unchanged), "0"]
    with qtbot.waitSignal(sync.history.log_shown, timeout=TIMEOUT):
        sync.runs_table.selectRow(1)  # the earlier run, as a click on it chooses it
    assert sync.history.log_label.text().startswith(f"Log of the run started {table[1][0]}: ")
    log_path = tmp_path / "earlier.xlsx"
    save_dialog_returns(monkeypatch, log_path)
    with qtbot.waitSignal(sync.export_finished, timeout=TIMEOUT):
        click(qtbot, sync.download_button)
    run_rows = load_workbook(log_path)["Run"].iter_rows(min_row=2)
    run_sheet = {r[0].value: r[1].value for r in run_rows}
    assert run_sheet["Created"] == finished.args[0].created > 0


def test_a_minute_limit_counts_down_in_the_log_and_progress_bar_and_cancel_stops_the_wait(
        qtbot: QtBot, window: MainWindow, sandbox: XeroSandbox, browser: Any) -> None:
    connect_and_save(qtbot, window)
    us = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
    sync = window.sync_tab
    with qtbot.waitSignal(sync.preview_shown, timeout=TIMEOUT):  # the preview reads Xero
        sync.preview()
    first_write = sandbox.call_count(us) + 2  # the run's read, then the first batch
    sandbox.inject(f"429-minute:calls={first_write},retry_after=1",
                   f"429-minute:calls={first_write + 1},retry_after=600")
    seen: list[tuple[str, str]] = []

    def watch(*_: object) -> None:
        if sync.log_model.countdown:
            seen.append((sync.log_model.countdown, sync.progress_bar.format()))

    sync.log_model.rowsInserted.connect(watch)
    sync.log_model.dataChanged.connect(watch)
    with qtbot.waitSignal(sync.run_finished, timeout=60_000) as finished:
        start_sync(qtbot, sync)
        qtbot.waitUntil(lambda: "600 s" in sync.log_model.countdown
                        or "599 s" in sync.log_model.countdown, timeout=TIMEOUT)
        click(qtbot, sync.cancel_button)  # in the middle of a ten-minute wait
    summary = finished.args[0]
    assert summary.outcome == "cancelled" and summary.created == 0
    reason = "Xero's per-minute limit was reached; carrying on by itself"
    assert (f"Waiting 1 s  {reason}", f"{reason}: 1 s") in seen  # the first wait, and its end
    assert sync.log_model.countdown == "" and "per-minute" not in sync.progress_bar.format()
    assert sync.message_bar.kind == "info"
    assert sync.message_bar.text().startswith("Sync stopped as asked, after the call to Xero in "
                                              "flight: 0 created")
    waits = [e for e in sync.log_model.entries() if e.action == "Waiting"]
    assert [w.message for w in waits] == [f"{reason}: waiting 1 s.", f"{reason}: waiting 600 s."]
    assert [f.call for f in sandbox.fault_log()] == [first_write, first_write + 1]


def test_cancel_stops_the_sync_and_keeps_what_was_done(
        qtbot: QtBot, paths: AppPaths, browser: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    clients = tmp_path / "clients.csv"
    clients.write_text("Client ID,Client Name\n" + "".join(
        f"{i},Cancel Client {i}\n" for i in range(1, 201)), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(clients), ""))
    with XeroSandbox(SandboxOptions(port=0, latency=0.3)) as slow:  # each API call takes 0.3 s
        ctx = build_demo(paths, sandbox_url=slow.url)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        setup = window.setup_tab
        demo_signed_in(qtbot, window)
        click(qtbot, setup.browse_button)
        setup.enable_checkbox.setChecked(True)
        with qtbot.waitSignal(setup.settings_saved, timeout=TIMEOUT):
            click(qtbot, setup.save_button)
        sync = window.sync_tab
        with qtbot.waitSignal(sync.run_failed, timeout=60_000) as failed:
            start_sync(qtbot, sync)  # the preview first, then the question, then the run
            qtbot.waitUntil(lambda: sync.pages.currentIndex() == 1, timeout=TIMEOUT)
            assert not sync.sync_button.isEnabled()
            # nothing can change the organisation or start another job under the sync
            assert not setup.organisation_combo.isEnabled()
            assert not setup.save_button.isEnabled()
            assert not setup.connect_button.isEnabled()
            assert not window.mapping_tab.reload_button.isEnabled()
            click(qtbot, sync.cancel_button)  # before the contacts are even read
        # stopped at the first page of contacts: no run was started, nothing was sent
        assert failed.args == ["Sync cancelled while reading Xero; nothing was sent."]
        assert sync.message_bar.text() == failed.args[0]
        assert sync.sync_button.isEnabled() and not sync.cancel_button.isEnabled()
        assert setup.save_button.isEnabled() and window.mapping_tab.reload_button.isEnabled()
        us = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"
        created = [c for c in slow.contacts(us) if c.get("ContactNumber")]
        assert created == []
        with ctx.open_store() as store:
            assert store.mappings.for_tenant(us) == {}
        window.close()
        ctx.close()
