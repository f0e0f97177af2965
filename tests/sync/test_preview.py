"""The preview is the run's own plan: what it shows is what Xero holds after the run."""

from __future__ import annotations

from pathlib import Path

from xerosync_desktop.core.planner import Action
from xerosync_desktop.sync.events import LogEntry
from xerosync_desktop.sync.preview import preview_sync
from xerosync_desktop.sync.review import load_review
from xerosync_desktop.sync.runner import sync_clients

from .conftest import Demo, run

HEADER = "Client ID,Client Name,Status,Email,Phone,City\n"


def clients(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "clients.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def preview(demo: Demo, path: Path):  # type: ignore[no-untyped-def]
    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        return preview_sync(load_review(demo.settings(path), xero, store, lambda e: None), store)


def test_the_previewed_changes_are_what_xero_holds_after_the_run(
        demo: Demo, tmp_path: Path) -> None:
    run(demo, clients(tmp_path, "P1,Preview One,Active,one@old.example,555-0101,Austin\n"
                                "P2,Preview Two,Active,two@old.example,,Boston\n"))
    edited = clients(tmp_path, "P1,Preview One,Active,one@new.example,555-0199,Austin\n"
                               "P2,Preview Two,Active,two@old.example,,Boston\n"
                               "P3,Preview Three,Active,,,\n")

    shown = preview(demo, edited)

    assert shown.counts["add"] == 1 and shown.counts["update"] == 1
    assert shown.question == "Add 1 and update 1 contacts in Demo Company (US)?"
    update = next(item for item in shown.sent if item.action is Action.UPDATE)
    assert [c.text for c in update.changes] == ["Email: one@old.example -> one@new.example",
                                                "Phone: 555-0101 -> 555-0199"]

    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        events: list[object] = []
        summary = sync_clients(demo.settings(edited), xero, store, events.append,
                               lambda: False, previewed=shown.digest)

    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    held = {c["ContactNumber"]: c for c in demo.sandbox.contacts(demo.tenant_id)
            if c.get("ContactNumber", "").startswith("P")}
    assert held["P1"]["EmailAddress"] == "one@new.example"
    assert [p["PhoneNumber"] for p in held["P1"]["Phones"]
            if p["PhoneType"] == "DEFAULT"] == ["555-0199"]
    assert not [e for e in events if isinstance(e, LogEntry) and e.action == "Changed"]
    updated = [e for e in events if isinstance(e, LogEntry) and e.action == "Updated"]
    assert updated[0].message == ("Updated in Xero as 'Preview One' (Email: one@old.example "
                                  "-> one@new.example; Phone: 555-0101 -> 555-0199).")
    assert preview(demo, edited).summary == "0 to add, 0 to update, 3 unchanged, 0 skipped"


def test_a_run_says_which_clients_changed_since_the_preview(demo: Demo, tmp_path: Path) -> None:
    path = clients(tmp_path, "P1,Preview One,Active,,,\n")
    shown = preview(demo, path)
    assert shown.counts["add"] == 1
    demo.sandbox.add_contact(demo.tenant_id, Name="Somebody Else", ContactNumber="P1")

    summary, events = run(demo, path)

    changed = [e for e in events if isinstance(e, LogEntry) and e.action == "Changed"]
    assert summary.created == 0  # the contact someone added meanwhile is matched instead
    assert changed == []  # run() passes no preview
    with demo.ctx.open_store() as store, demo.ctx.open_xero() as xero:
        events = []
        sync_clients(demo.settings(path), xero, store, events.append, lambda: False,
                     previewed=shown.digest)
    changed = [e for e in events if isinstance(e, LogEntry) and e.action == "Changed"]
    assert changed[0].message.startswith("Xero or the client file changed since the preview: "
                                         "1 clients")
    assert changed[1].client_id == "P1"
    assert changed[1].message == "Since the preview: previewed: Create; now: Unchanged."
