"""Benchmark: Sync to Xero at 10,000 clients, counted at the sandbox, driven through the GUI.

Usage: .venv/bin/python bench/sync_scale.py [--clients 10000] [--contacts 8000] ...
(or `make bench`). Prints a table, then, as its last line, one JSON object.

The fixture: N TimeSolv clients and an organisation with M contacts, of which `matching`
have a client's name (and of those, `archived` are archived) and the rest have no client.
`near` more clients are named as a Xero-only contact with a legal form added: Possible
matches, which wait for a decision. Three runs go through a live main window (offscreen):
its preview, its Sync to Xero button (the question answered Sync) and its worker thread: a
first sync, a re-sync with nothing changed, and a re-sync after 1% of the clients changed.
Calls are counted by the sandbox (a separate process, so its CPU is not ours), whose limits
are enforced on a virtual clock: the app's waits for the minute limit advance that clock
instead of sleeping, and each call moves it by `--call-seconds` (Xero's latency), so the
contacts written are spread in time as they would be at Xero. The preview reads Xero
before each run (every contact before the first, what changed before the others); its calls
are counted apart. The run's floor comes from the fixture alone: one read of what changed
since the preview, then writes = ceil(clients to send / 50).
Then the same fixture is synced the naive way (per client, GET by name, then PUT or POST) on
a second sandbox whose limits are lifted, to count what that costs.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import keyring.backend  # noqa: E402

from PySide6.QtCore import (  # noqa: E402
    QElapsedTimer,
    QEventLoop,
    QMessageLogContext,
    QObject,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from xerosync_desktop.bootstrap import AppContext, build_xero  # noqa: E402
from xerosync_desktop.core.model import (  # noqa: E402
    Client,
    ClientStatus,
    Contact,
    ContactDraft,
    ContactStatus,
)
from xerosync_desktop.core.suggest import suggest  # noqa: E402
from xerosync_desktop.gui.contact_picker import ContactPicker  # noqa: E402
from xerosync_desktop.gui.main_window import MainWindow  # noqa: E402
from xerosync_desktop.gui.responsiveness import keep_window_responsive  # noqa: E402
from xerosync_desktop.paths import AppPaths  # noqa: E402
from xerosync_desktop.store import Store, SyncSettings, XeroApp  # noqa: E402
from xerosync_desktop.xero.auth import sign_in_without_browser  # noqa: E402
from xerosync_desktop.xero.client import XeroClient  # noqa: E402
from xerosync_desktop.xero.endpoints import XeroEndpoints  # noqa: E402
from xerosync_desktop.xero.pacing import Pacing  # noqa: E402
from xerosync_desktop.xero.tokens import MemoryTokenVault  # noqa: E402

CLIENT_ID = "xerosync-bench"


def quiet_offscreen(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's messages on stderr, but the offscreen platform's size-hint notes."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """The bench's keyring: the app stores its grant here, in memory."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


class Sandbox:
    """`xerosync-sandbox` in its own process, with its test endpoints."""

    def __init__(self, *options: str) -> None:
        command = [sys.executable, "-m", "xerosync_desktop.sandbox", "--data", "empty",
                   "--test-endpoints", "--virtual-clock", *options]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        self.url = line.rsplit(" ", 1)[-1].strip()
        if not self.url.startswith("http://"):
            raise RuntimeError(f"the sandbox did not start: {line!r}")

    def _json(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=(
            "POST" if body is not None else "GET"), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def calls(self, tenant_id: str) -> int:
        return int(self._json("/__sandbox/calls")["calls"].get(tenant_id.lower(), 0))

    def advance(self, seconds: float) -> None:
        self._json("/__sandbox/clock", {"advance": seconds})

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@dataclass
class VirtualTime:
    """The app's clock for pacing: it moves when the app would sleep, and moves the sandbox's."""

    sandbox: Sandbox
    now: float = 0.0
    slept: float = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds
        self.sandbox.advance(seconds)


@dataclass(frozen=True)
class Figures:
    """What one run cost."""

    name: str
    calls: int
    floor: int
    cpu_s: float
    max_stall_ms: float
    summary: str

    def row(self) -> str:
        ratio = f"{self.calls / self.floor:5.2f}x" if self.floor else "   - "
        return (f"{self.name:<22}{self.calls:>7}{self.floor:>7}  {ratio}"
                f"{self.calls / 60:>9.1f}{self.cpu_s:>9.2f}{self.max_stall_ms:>10.1f}  "
                f"{self.summary}")


class StallMeter:
    """The longest gap between ticks of a 5 ms timer on the GUI thread, beyond its 5 ms."""

    def __init__(self) -> None:
        self.longest_ms = 0.0
        self._beat = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)

    def __enter__(self) -> StallMeter:
        self._beat.start()
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        self.longest_ms = max(self.longest_ms, self._beat.nsecsElapsed() / 1e6 - 5)
        self._beat.restart()


def wait_for(done: Any, failed: Any | None, start: Callable[[], None]) -> list[Any]:
    """Call `start`, run the event loop until `done` or `failed` fires; `done`'s arguments."""
    loop = QEventLoop()
    result: list[Any] = []

    def on_done(value: object) -> None:
        result.append(value)
        loop.quit()

    def on_failed(message: str) -> None:
        print(message)
        loop.quit()

    done.connect(on_done)
    if failed is not None:
        failed.connect(on_failed)
    start()
    loop.exec()
    done.disconnect(on_done)
    if failed is not None:
        failed.disconnect(on_failed)
    return result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def client_rows(count: int, matching: int, near: int, changed: frozenset[int] = frozenset(),
                ) -> list[dict[str, str]]:
    """The TimeSolv export: client i < matching has the name of contact i in Xero; the next
    `near` clients the name of a Xero-only contact with a legal form added (`... LLC`), so
    each is a Possible match waiting for a decision."""
    rows = []
    for i in range(count):
        name = f"Matching Client {i:05}" if i < matching else (
            f"Xero Only Contact {i:05} LLC" if i < matching + near else f"New Client {i:05}")
        if i in changed:
            name += " LLP"
        rows.append({"Client ID": f"TS{i:05}", "Client Name": name,
                     "Status": "Inactive" if i % 10 == 9 else "Active",
                     "Email": f"billing{i}@example.com", "Phone": f"555-{i:05}",
                     "City": "Austin", "State": "TX", "Zip": "73301"})
    return rows


def write_clients(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def build_organisation(xero: XeroClient, tenant_id: str, contacts: int, matching: int,
                       archived: int) -> None:
    """Xero before any sync: `matching` contacts named as clients, the rest other names."""
    drafts = [ContactDraft(name=(f"Matching Client {i:05}" if i < matching
                                 else f"Xero Only Contact {i:05}"), contact_number="")
              for i in range(contacts)]
    created: list[str] = []
    for start in range(0, len(drafts), 50):
        batch = drafts[start:start + 50]
        results = xero.create_contacts(tenant_id, batch, f"fixture-{start}")
        created.extend(r.contact_id for r in results if r.ok)
    gone = [replace(drafts[i], contact_id=created[i], status=ContactStatus.ARCHIVED)
            for i in range(archived)]  # the first matching ones
    for start in range(0, len(gone), 50):
        xero.update_contacts(tenant_id, gone[start:start + 50], f"fixture-archive-{start}")


def connect(url: str, paths: AppPaths) -> tuple[AppContext, str, str]:
    """A real-mode app (keyring vault) signed in to the sandbox; its tenant id and name."""
    keyring.set_keyring(MemoryKeyring())
    endpoints = XeroEndpoints.sandbox(url)
    ctx = build_xero(paths, XeroApp(demo=False, client_id=CLIENT_ID),
                     endpoints=replace(endpoints, is_demo=False))
    ctx.vault.save(sign_in_without_browser(endpoints, CLIENT_ID))
    with ctx.open_xero() as xero:
        organisation = xero.connections()[0]
    return ctx, organisation.tenant_id, organisation.name


class SyncAnswer(QObject):
    """Answers Sync to Xero's question with Sync (or Sync the rest), as a user would.

    It looks for the question every 20 ms rather than filtering the app's events: a Python
    event filter on the application would be called for every event of every widget, each
    call waiting for the GIL while the worker is busy, and the stalls measured would be the
    filter's, not the window's.
    """

    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._answer)
        self._timer.start()

    def _answer(self) -> None:
        question = QApplication.activeModalWidget()
        if isinstance(question, QMessageBox):
            for button in question.buttons():
                if button.text() in ("Sync", "Sync the rest"):
                    button.click()
                    return


def run_in_window(window: MainWindow, name: str, calls: Callable[[], int], floor: int,
                  ) -> tuple[Figures, int, float]:
    """Show the Sync tab's preview, then click Sync to Xero, answer its question and wait
    for the run, timing the GUI thread's event loop; the run's figures, and the preview's
    calls and longest stall."""
    tab = window.sync_tab
    before = calls()
    with StallMeter() as preview_stalls:
        wait_for(tab.preview_shown, tab.run_failed, lambda: window.tabs.setCurrentWidget(tab))
    preview_calls = calls() - before
    assert tab.sync_button.isEnabled(), tab.heading_label.text()
    before, cpu = calls(), cpu_seconds()
    with StallMeter() as stalls:
        outcome = wait_for(tab.run_finished, tab.run_failed, tab.sync_button.click)
    cpu = cpu_seconds() - cpu
    if not outcome:
        raise SystemExit(f"{name}: the run failed")
    figures = Figures(name, calls() - before, floor, cpu, stalls.longest_ms, outcome[0].text)
    window.tabs.setCurrentWidget(window.setup_tab)  # the next run previews again
    return figures, preview_calls, preview_stalls.longest_ms


def suggestion_cpu(rows: list[dict[str, str]], contacts: int, matching: int) -> float:
    """CPU seconds of suggestions for every client as if all were New, against every contact:
    the worst case of what the worker computes in a review."""
    clients = [Client(r["Client ID"], r["Client Name"], ClientStatus.ACTIVE, email=r["Email"])
               for r in rows]
    xero = [Contact(f"c{i}", f"Matching Client {i:05}" if i < matching
                    else f"Xero Only Contact {i:05}") for i in range(contacts)]
    started = time.process_time()
    suggest(clients, xero)
    return time.process_time() - started


def picker_ms(window: MainWindow) -> float:
    """Open Link to Xero contact's picker on every contact, then search it three times: the
    longest of those steps on the GUI thread, in ms (the picker is modal in the app; here it
    is shown and closed)."""
    loaded = window.mapping_tab.shown  # the picker's list, made in the job that loaded it
    assert loaded is not None
    steps: list[float] = []
    started = time.perf_counter()
    picker = ContactPicker("TS05000 bench client", loaded.linkable, window,
                           loaded.linkable_texts)
    picker.show()
    QApplication.processEvents()
    steps.append((time.perf_counter() - started) * 1000)
    for text in ("xero only 07", "matching client 04", ""):
        started = time.perf_counter()
        picker.search_edit.setText(text)
        QApplication.processEvents()
        steps.append((time.perf_counter() - started) * 1000)
    picker.close()
    return max(steps)


def mapping_table(window: MainWindow) -> tuple[int, float, float]:
    """Open the Mapping tab on the synced organisation: its rows, the longest event-loop
    stall while the review loads (in the worker) and the longest a search or status
    filter takes on the GUI thread, in ms."""
    tab = window.mapping_tab
    window.tabs.setCurrentWidget(tab)
    with StallMeter() as stalls:
        wait_for(tab.review_loaded, tab.load_failed, tab.load)
    slowest = 0.0
    changes: list[Callable[[], None]] = [
        lambda text=text: tab.search_edit.setText(text)  # type: ignore[misc]
        for text in ("Client 0999", "TS0420", "", "Xero Only Contact 07", "")]
    changes += [lambda i=i: tab.status_combo.setCurrentIndex(i)  # type: ignore[misc]
                for i in range(tab.status_combo.count())]
    for change in changes:
        started = time.perf_counter()
        change()
        QApplication.processEvents()
        slowest = max(slowest, (time.perf_counter() - started) * 1000)
    return len(tab.model.rows()), stalls.longest_ms, slowest


def naive_sync(rows: list[dict[str, str]], contacts: int, matching: int, archived: int,
               ) -> int:
    """Per client: GET the contact by name, then PUT (create) or POST (update). Its calls."""
    from xero_python.accounting import Contact, Contacts  # the SDK, as the naive app uses it

    lifted = "100000000"
    sandbox = Sandbox("--minute-limit", lifted, "--day-limit", lifted, "--app-minute-limit",
                      lifted, "--concurrent-limit", "100")
    try:
        endpoints = XeroEndpoints.sandbox(sandbox.url)
        vault = MemoryTokenVault()
        vault.save(sign_in_without_browser(endpoints, CLIENT_ID))
        with XeroClient(endpoints, CLIENT_ID, vault) as xero:
            tenant_id = xero.connections()[0].tenant_id
            build_organisation(xero, tenant_id, contacts, matching, archived)
            api = xero._accounting  # noqa: SLF001 - the bench plays a naive integration
            before = sandbox.calls(tenant_id)
            for row in rows:
                name = row["Client Name"].replace('"', "")
                found = api.get_contacts(tenant_id, where=f'Name=="{name}"').contacts or []
                body = Contacts(contacts=[Contact(name=name, email_address=row["Email"])])
                if found and found[0].contact_status == "ACTIVE":
                    api.update_contact(tenant_id, found[0].contact_id, body)
                elif not found:
                    api.create_contacts(tenant_id, body, summarize_errors=False)
            return sandbox.calls(tenant_id) - before
    finally:
        sandbox.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=8_000)
    parser.add_argument("--matching", type=int, default=5_000)
    parser.add_argument("--archived", type=int, default=100)
    parser.add_argument("--near", type=int, default=100,
                        help="clients named as a Xero-only contact plus a legal form")
    parser.add_argument("--changed", type=float, default=0.01, help="share of clients changed")
    parser.add_argument("--call-seconds", type=float, default=0.5)
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args(argv)

    qInstallMessageHandler(quiet_offscreen)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="xerosync-bench-") as temp:
        root = Path(temp)
        paths = AppPaths.under(root).ensure()
        rows = client_rows(args.clients, args.matching, args.near)
        suggest_s = suggestion_cpu(rows, args.contacts, args.matching)
        clients_file = root / "clients.csv"
        write_clients(clients_file, rows)

        sandbox = Sandbox("--call-seconds", str(args.call_seconds))
        try:
            ctx, tenant_id, tenant_name = connect(sandbox.url, paths)
            time_ = VirtualTime(sandbox)
            ctx.pacing = Pacing(clock=time_.clock, sleep=time_.sleep)
            with ctx.open_xero() as xero:
                build_organisation(xero, tenant_id, args.contacts, args.matching, args.archived)
            with Store(paths.database) as store:
                store.settings.save_sync_settings(
                    SyncSettings(tenant_id, tenant_name, str(clients_file), True))
            window = MainWindow(ctx)
            answer = SyncAnswer()  # noqa: F841 - it answers while it lives
            window.show()
            keep_window_responsive()  # as the app's main() does
            if not window.setup_tab.connected:  # the saved grant is being resumed
                wait_for(window.setup_tab.connect_finished, None, lambda: None)

            # created, or matched and updated; the possible matches wait for a decision
            synced = args.clients - args.archived - args.near
            # the preview reads every contact first; the run then reads what changed since
            first_floor = 1 + math.ceil(synced / 50)
            counted = lambda: sandbox.calls(tenant_id)  # noqa: E731
            first, first_preview, first_preview_stall = run_in_window(
                window, "first sync", counted, first_floor)
            resync, resync_preview, _ = run_in_window(window, "re-sync, no change", counted, 1)
            step = max(1, round(1 / args.changed))
            changed = frozenset(range(args.archived, args.clients, step))
            write_clients(clients_file, client_rows(args.clients, args.matching, args.near,
                                                    changed))
            changed_floor = 1 + math.ceil(len(changed) / 50)
            again, _, again_preview_stall = run_in_window(
                window, f"re-sync, {len(changed)} changed", counted, changed_floor)
            preview_stall = max(first_preview_stall, again_preview_stall)
            table_rows, table_stall, filter_ms = mapping_table(window)
            possible = sum(row.status.label == "Possible match"
                           for row in window.mapping_tab.model.rows())
            picker = picker_ms(window)
            window.close()
            ctx.close()
        finally:
            sandbox.stop()

        naive: Figures | None = None
        if not args.skip_naive:
            cpu = cpu_seconds()
            naive_calls = naive_sync(rows, args.contacts, args.matching, args.archived)
            naive = Figures("naive find-or-create", naive_calls, first_floor,
                            cpu_seconds() - cpu, math.nan,
                            f"{naive_calls / 5000:.1f} days at 5,000 calls a day")

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    print(f"fixture: {args.clients} clients; {args.contacts} Xero contacts, {args.matching} "
          f"matching a client, {args.archived} of them archived; {args.near} clients a "
          f"possible match for a Xero-only contact ({possible} shown as Possible match)")
    print(f"suggestions, every client as if New against every contact: {suggest_s:.2f} s CPU")
    print(f"preview: {first_preview} calls before the first sync (every contact read), "
          f"{resync_preview} before a re-sync; longest stall while it loads and shows "
          f"{preview_stall:.1f} ms; contact picker on {args.contacts} contacts: slowest of "
          f"opening it and three searches {picker:.1f} ms")
    print(f"{'run':<22}{'calls':>7}{'floor':>7}  ratio{'min@60':>9}{'cpu s':>9}"
          f"{'stall ms':>10}  summary")
    for figures in (first, resync, again):
        print(figures.row())
    if naive is not None:
        print(naive.row() + " (no window: its stall is not measured)")
    print(f"mapping table: {table_rows} rows; longest stall while the review loads "
          f"{table_stall:.1f} ms; slowest search or status filter {filter_ms:.1f} ms")
    print(f"peak memory (RSS): {peak_rss_mb():.0f} MB; app virtual time slept: "
          f"{time_.slept / 60:.1f} min")
    print(json.dumps({
        "first_calls": first.calls, "first_floor": first.floor,
        "resync_calls": resync.calls, "changed_calls": again.calls,
        "changed_floor": again.floor, "naive_calls": naive.calls if naive else 0,
        "cpu_s": round(first.cpu_s, 2), "peak_rss_mb": round(peak_rss_mb(), 1),
        "max_stall_ms": round(max(f.max_stall_ms for f in (first, resync, again)), 1),
        "table_rows": table_rows, "table_stall_ms": round(table_stall, 1),
        "table_filter_ms": round(filter_ms, 1), "suggest_s": round(suggest_s, 2),
        "possible_matches": possible, "preview_calls": first_preview,
        "resync_preview_calls": resync_preview, "preview_stall_ms": round(preview_stall, 1),
        "picker_ms": round(picker, 1)}))
    del app
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
