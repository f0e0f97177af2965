"""The words of Setup's and Mapping's messages, and the commands behind BROWSER and Show in
folder, as plain data: no window needed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from xerosync_desktop.core.intake import ClientList
from xerosync_desktop.core.model import Client, ClientStatus, Status
from xerosync_desktop.gui.browser import browser_commands
from xerosync_desktop.gui.review_hint import review_hint
from xerosync_desktop.gui.saved_file import reveal_command
from xerosync_desktop.gui.setup_status import SetupState, saved_text, setup_status

ORG = "Acme Law"
URL = "http://127.0.0.1:9/authorize?a=1&b=2"
ADD = ("Look for any that should match an existing Xero contact but have a different name: "
       "select it and click Link to Xero contact…")


@pytest.mark.parametrize(("counts", "expected"), [
    ({Status.NEW: 1}, f"1 client will be added to Xero as a new contact by the next sync. {ADD}"),
    ({Status.NEW: 3, Status.MATCHED: 1},
     f"3 clients will be added to Xero as new contacts by the next sync. {ADD} 1 client "
     "matches a Xero contact by name: Confirm Mappings links it by ContactID."),
    ({Status.MAPPED: 5}, "No client will be added to Xero as a new contact; 5 clients are "
                         "Mapped to their Xero contacts."),
    ({Status.MAPPED: 1, Status.BLOCKED: 2, Status.PROSPECT: 4},
     "No client will be added to Xero as a new contact; 1 client is Mapped to its Xero "
     "contact. 2 clients are blocked because the Xero contact is archived: restore it in Xero "
     "first."),
    ({Status.PROSPECT: 2}, "No client will be added to Xero as a new contact."),
    ({Status.POSSIBLE_MATCH: 2}, "2 clients are possibly an existing Xero contact (Status: "
                                 "Possible match) and will not be synced until you decide: "
                                 "Accept suggestion, Link to Xero contact… or Add as new "
                                 "contact."),
    ({Status.NEEDS_ATTENTION: 1, Status.MAPPED: 2},
     "3 clients: 2 to sync, 1 needs attention. 1 row of the client file needs attention and "
     "will not be synced until corrected: pick 'Needs attention' under Status to see why. No "
     "client will be added to Xero as a new contact; 2 clients are Mapped to their Xero "
     "contacts."),
])
def test_the_review_hint_speaks_only_of_rows_it_shows(counts: dict[Status, int],
                                                      expected: str) -> None:
    assert review_hint(counts, "3 clients: 2 to sync, 1 needs attention") == expected


STARTED = datetime(2026, 3, 4, 9, 30).astimezone()


@pytest.mark.parametrize(("state", "expected"), [
    (SetupState(""), ""),
    (SetupState("", notice="No keyring."), "No keyring."),
    (SetupState(ORG), f"Client sync is not enabled for {ORG}. To sync its TimeSolv clients to "
                      "Xero, pick the client file, tick Enable Client Sync and click Save."),
    (SetupState(ORG, sync_enabled=True),
     f"Client sync is enabled for {ORG}. Next, review the mapping of TimeSolv clients to Xero "
     "contacts."),
    (SetupState(ORG, sync_enabled=True, links=1),
     f"Client sync is enabled for {ORG}; 1 client is linked to a Xero contact. Next, sync in "
     "the Sync tab, or review the mapping again first."),
    (SetupState(ORG, sync_enabled=True, links=0, last_sync_at=STARTED,
                last_sync_outcome="cancelled", notice="No keyring."),
     f"No keyring. Client sync is enabled for {ORG}; no client is linked to a Xero contact "
     "yet. The last sync, started 2026-03-04 09:30, was cancelled. Sync again after the "
     "client file changes; the review shows what the next sync would do."),
    (SetupState(ORG, sync_enabled=False, links=4, last_sync_at=STARTED,
                last_sync_outcome="finished"),
     f"Client sync is not enabled for {ORG}. To sync its TimeSolv clients to Xero, pick the "
     "client file, tick Enable Client Sync and click Save."),
])
def test_setup_says_where_the_organisation_stands(state: SetupState, expected: str) -> None:
    assert setup_status(state) == expected


def test_save_says_what_the_file_holds() -> None:
    listed = ClientList((Client("1", "A", ClientStatus.ACTIVE),
                         Client("2", "B", ClientStatus.PROSPECT)))
    assert saved_text("/x/clients.csv", listed) == ("Saved. clients.csv: 2 clients: 1 to "
                                                   "sync, 1 prospect.")
    assert saved_text("/x/clients.csv", None) == "Saved."


@pytest.mark.parametrize(("value", "windows", "expected"), [
    ("firefox", False, [["firefox", URL]]),
    ("w3m:firefox --new-window %s", False, [["w3m", URL], ["firefox", "--new-window", URL]]),
    ("'/opt/My Browser/run' -u '%s'", False, [["/opt/My Browser/run", "-u", URL]]),
    ("::", False, []),
    ("'unclosed", False, []),
    ('"C:\\Program Files\\B\\b.exe" %s;edge', True,
     [["C:\\Program Files\\B\\b.exe", URL], ["edge", URL]]),
])
def test_browser_is_read_as_python_and_xdg_open_read_it(value: str, windows: bool,
                                                        expected: list[list[str]]) -> None:
    assert browser_commands(value, URL, windows=windows) == expected


def test_show_in_folder_selects_the_file_where_the_system_can() -> None:
    path = Path("/data/review.xlsx")
    assert reveal_command(path, "win32") == ("explorer", ["/select,", str(path)])
    assert reveal_command(path, "darwin") == ("open", ["-R", str(path)])
    assert reveal_command(path, "linux") is None  # the folder is opened instead
