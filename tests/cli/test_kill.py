"""`xerosync sync` killed with SIGKILL at many points of a run, then run again.

The sandbox runs as its own process (`xerosync-sandbox --state FILE --test-endpoints`) and keeps
its organisation in the state file across every run. Before each run one fault holds a call of
that run; the sandbox prints a line when the hold starts, the test kills the run there:

- unanswered: Xero committed the batch and the answer never came (hold after),
- never executed: the batch reached Xero and was dropped unexecuted (hold before, then 503),
- executed late: Xero committed the batch after the process died (hold before, then drop).

One run is killed without a fault, as soon as its progress shows a stored batch. The same data
folder is used throughout, so each run must settle what the killed one left. Then a run without
faults completes, a further run changes nothing, and a fresh data folder creates nothing.
"""

from __future__ import annotations

import json
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import unicodedata
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest

from xerosync_desktop.paths import AppPaths
from xerosync_desktop.store import Store

from .conftest import TIMEOUT, US, US_TENANT, Cli, assert_no_token, write_clients

SEED = 20260415
KILLS_EACH = 3  # of each way a call fares, at random calls

# The demo contacts the file's clients pair with by name: client id -> the contact's name.
PAIRED = {"00010": "Acme Holdings LLC", "00020": "Baker & Sons Plumbing",
          "00030": "Carter Family Trust", "00040": "DELTA Dental Group",
          "00050": "Cafe Lumiere", "00060": "Evergreen Landscaping", "00070": "John _Smith"}
PAIRED_ROWS = [("00010", "Acme Holdings LLC", "Active"),
               ("00020", "Baker & Sons Plumbing", "Active"),
               ("00030", "Carter Family Trust", "Active"),
               ("00040", "Delta Dental Group", "Active"),  # case
               ("00050", "Café Lumière", "Active"),  # accents
               ("00060", "Evergreen Landscaping", "Inactive"),  # synced all the same
               ("00070", "John  Smith", "Active")]  # the two-spaces rule: 'John _Smith'
BLOCKED = ("00090", "Old Town Bakery", "Active")  # archived in Xero: skipped
PROSPECTS = [("00100", "Harbor View Dental", "Prospect"),  # an active contact has its name
             ("P0001", "Granite Peak Ventures", "Prospect"),
             ("P0002", "Valley Auto Body", "Prospect")]
REFUSED = [("R0001", "twin name llc", "Active"),  # N0400's name to Xero: both need attention
           ("R0002", "L" * 300, "Active"),  # too long: needs attention, never sent
           ("N0400", "Twin Name LLC", "Active")]
NEW_ROWS = [("00080", "Mary  Jones", "Active"),  # 'Mary _Jones', not the contact Mary Jones
            *[(f"N{i:04}", f"Northwind Client {i:03}", "Inactive" if i % 10 == 3 else "Active")
              for i in range(400)]]


@dataclass(frozen=True)
class ClientFile:
    """The client file and what should become of each of its clients."""

    path: Path
    names: dict[str, str]  # client id -> client name, every client
    syncable: frozenset[str]  # to be linked to exactly one contact
    skipped: frozenset[str]  # prospects and the archived namesake
    refused: frozenset[str]  # logged as needing attention by every run


@pytest.fixture
def clients(tmp_path: Path) -> ClientFile:
    rows = [*PAIRED_ROWS, BLOCKED, *PROSPECTS, *REFUSED, *NEW_ROWS]
    random.Random(SEED).shuffle(rows)
    return ClientFile(
        path=write_clients(tmp_path / "clients.csv", rows),
        names={client_id: name for client_id, name, _ in rows},
        syncable=frozenset(row[0] for row in [*PAIRED_ROWS, *NEW_ROWS]),
        skipped=frozenset(row[0] for row in [BLOCKED, *PROSPECTS]),
        refused=frozenset(row[0] for row in REFUSED))


@dataclass(frozen=True)
class Applied:
    """A fault the sandbox applied, as it printed it."""

    kind: str
    call: int
    method: str


@dataclass(frozen=True)
class Ended:
    """A sync process ended."""

    pid: int


class SandboxProcess:
    """`python -m xerosync_desktop.sandbox --state FILE --test-endpoints` and what it prints."""

    def __init__(self, state_file: Path) -> None:
        self.state_file = state_file
        # Held answers of killed runs keep their slot until the hold ends, and the runs come
        # fast: neither limit may make a run wait.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "xerosync_desktop.sandbox", "--data", "demo", "--state",
             str(state_file), "--test-endpoints", "--seed", str(SEED), "--minute-limit",
             "100000", "--concurrent-limit", "50"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        started = re.fullmatch(r"Xero sandbox listening on (http://127\.0\.0\.1:\d+)\n", first)
        assert started, f"the sandbox did not start: {first!r}"
        self.url = started.group(1)
        self.events: queue.Queue[Applied | Ended] = queue.Queue()
        threading.Thread(target=self._read_faults, args=(self.process.stdout,),
                         daemon=True).start()

    def _read_faults(self, stdout: IO[str]) -> None:
        for line in stdout:
            applied = re.fullmatch(r"fault (\S+) call=(\d+) tenant=(\S+) method=(\S+)\n", line)
            if applied and applied.group(3) == US_TENANT:
                self.events.put(Applied(applied.group(1), int(applied.group(2)),
                                        applied.group(4)))

    def control(self, method: str, name: str, body: object = None) -> Any:
        """Call a test endpoint `/__sandbox/<name>`; its JSON answer."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"{self.url}/__sandbox/{name}", data=data,
                                         method=method)
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read())

    def calls(self) -> int:
        """The US organisation's Accounting calls so far."""
        return int(self.control("GET", "calls")["calls"][US_TENANT])

    def watch(self, run: subprocess.Popen[str]) -> None:
        """Say so among the fault lines when `run` ends."""
        def wait() -> None:
            run.wait()
            self.events.put(Ended(run.pid))

        threading.Thread(target=wait, daemon=True).start()

    def wait_for(self, kind: str, calls: range, pid: int = 0) -> Applied | None:
        """Block until a `kind` fault applies to one of `calls`; None if process `pid` ends
        first."""
        while True:
            try:
                event = self.events.get(timeout=TIMEOUT)
            except queue.Empty:
                pytest.fail(f"no {kind} fault at calls {calls.start}-{calls.stop - 1}")
            if isinstance(event, Ended):
                if pid and event.pid == pid:
                    return None
            elif event.kind == kind and event.call in calls:
                return event

    def contacts(self) -> list[dict[str, Any]]:
        """The US organisation's contacts, from the state file the sandbox saves after every
        change (atomically)."""
        saved = json.loads(self.state_file.read_text(encoding="utf-8"))
        org = next(o for o in saved["orgs"] if o["tenantId"] == US_TENANT)
        return list(org["contacts"])

    def stop(self) -> None:
        self.process.terminate()
        assert self.process.wait(timeout=TIMEOUT) == 0


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    running = SandboxProcess(tmp_path / "xero.json")
    try:
        yield running
    finally:
        running.stop()


UNANSWERED = "unanswered"
NEVER_EXECUTED = "never executed"
EXECUTED_LATE = "executed late"


@dataclass(frozen=True)
class KillPoint:
    """Kill a run at its call `offset` (0: the read), or at its first `method` call from
    there; the call fares as `how` says."""

    how: str
    offset: int
    method: str = ""

    def calls(self, first: int) -> range:
        start = first + self.offset
        return range(start, start + (100 if self.method else 1))

    def faults(self, calls: range) -> list[str]:
        which = f"calls={calls.start}-{calls.stop - 1},tenant={US_TENANT}"
        if self.method:
            which += f",methods={self.method}"
        if self.how == UNANSWERED:
            return [f"hold:{which},seconds=5"]
        late = "503" if self.how == NEVER_EXECUTED else "drop"  # drop: committed, unanswered
        return [f"hold:{which},seconds=2,when=before", f"{late}:{which}"]


@dataclass(frozen=True)
class Kill:
    """Where a run was killed: the held call (None: the run ended before the kill point)."""

    point: KillPoint | None  # None: killed on a progress line
    held: Applied | None
    code: int
    out: str


def sync(cli: Cli, sandbox: SandboxProcess, clients: ClientFile) -> subprocess.Popen[str]:
    return cli.popen("sync", "--sandbox", sandbox.url, "--org", US, "--clients", clients.path)


def kill_at(point: KillPoint, cli: Cli, sandbox: SandboxProcess, clients: ClientFile) -> Kill:
    """Run a sync with a hold at `point` and SIGKILL it once the hold started."""
    calls = point.calls(sandbox.calls() + 1)
    assert sandbox.control("PUT", "faults", point.faults(calls))
    run = sync(cli, sandbox, clients)
    sandbox.watch(run)
    held = sandbox.wait_for("hold", calls, run.pid)
    if held is not None:
        os.kill(run.pid, signal.SIGKILL)
    out, err = run.communicate(timeout=TIMEOUT)
    assert "Traceback" not in err, err
    assert_no_token(out, err)
    if held is not None and point.how == EXECUTED_LATE:
        sandbox.wait_for("drop", range(held.call, held.call + 1))  # Xero has committed it
    assert sandbox.control("DELETE", "faults") == []
    assert run.returncode == (-signal.SIGKILL if held else 1), out
    return Kill(point, held, run.returncode, out)


def kill_on_progress(cli: Cli, sandbox: SandboxProcess, clients: ClientFile) -> Kill:
    """Run a sync and SIGKILL it as soon as its progress shows a batch stored, with at least
    two batches to go: wherever the run is then."""
    run = sync(cli, sandbox, clients)
    assert run.stderr is not None
    start = None
    for line in run.stderr:
        progress = re.fullmatch(r"(\d+) of (\d+) clients\n", line)
        if not progress:
            continue
        done, total = int(progress.group(1)), int(progress.group(2))
        if start is None:
            start = done  # before the first batch
        elif done > start and total - done >= 100:
            os.kill(run.pid, signal.SIGKILL)
            break
    out, err = run.communicate(timeout=TIMEOUT)
    assert_no_token(out, err)
    assert run.returncode == -signal.SIGKILL, "the run ended before two batches were left"
    return Kill(None, None, run.returncode, out)


def kill_points() -> list[KillPoint]:
    """A create batch committed and unanswered, then each way a call can fare a few times, in
    a seeded random order at seeded random calls."""
    rng = random.Random(SEED)
    hows = [UNANSWERED, NEVER_EXECUTED, EXECUTED_LATE] * KILLS_EACH
    rng.shuffle(hows)
    return [KillPoint(UNANSWERED, 0, method="PUT"),
            *(KillPoint(how, rng.randrange(4)) for how in hows)]


def kill_runs(cli: Cli, sandbox: SandboxProcess, clients: ClientFile,
              seeded: list[dict[str, Any]]) -> list[Kill]:
    """Kill a run at each kill point, one on its progress second; Xero stays sound throughout.

    The first kill leaves a create batch committed and unanswered, the second run settles it.
    """
    points = kill_points()
    kills = [kill_at(points[0], cli, sandbox, clients),
             kill_on_progress(cli, sandbox, clients)]
    assert kills[0].held and kills[0].held.method == "PUT"
    for point in points[1:]:
        kills.append(kill_at(point, cli, sandbox, clients))
        assert_consistent(sandbox.contacts(), seeded)
    return kills


def xero_key(name: str) -> str:
    """When Xero considers two names the same: case, accents and whitespace runs aside."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", bare).strip().casefold()


def assert_consistent(contacts: list[dict[str, Any]], seeded: list[dict[str, Any]],
                      links: dict[str, str] | None = None,
                      clients: ClientFile | None = None) -> None:
    """What Xero holds is sound; with `links` and `clients`, every client is in it once.

    Always: no two active contacts whose names Xero considers the same, no ContactNumber
    twice, and the demo contacts no client pairs with untouched. With the links: each syncable
    client linked to its own active contact (its name, its client id as ContactNumber; the
    demo contact it pairs with if any), nothing else of the file in Xero, no other contact.
    """
    active = [c for c in contacts if c["ContactStatus"] == "ACTIVE"]
    twins = Counter(xero_key(c["Name"]) for c in active)
    assert not [name for name, n in twins.items() if n > 1], "a name twice in Xero"
    numbers = Counter(c["ContactNumber"] for c in contacts if c.get("ContactNumber"))
    assert not [number for number, n in numbers.items() if n > 1], "a ContactNumber twice"
    by_id = {c["ContactID"]: c for c in contacts}
    by_seeded_id = {c["ContactID"]: c for c in seeded}
    paired = set(PAIRED.values())
    for contact in seeded:
        if contact["Name"] not in paired:  # archived, prospect's namesake, no client
            assert by_id[contact["ContactID"]] == contact, f"{contact['Name']} was changed"
    if links is None or clients is None:
        return

    assert set(links) == clients.syncable
    assert len(set(links.values())) == len(links), "two clients linked to one contact"
    seeded_ids = {c["Name"]: c["ContactID"] for c in seeded}
    for client_id, contact_id in links.items():
        contact = by_id[contact_id]
        assert contact["ContactStatus"] == "ACTIVE"
        assert contact.get("ContactNumber") == client_id
        # the seed's rule, restated here: two consecutive spaces become ' _'
        assert contact["Name"] == clients.names[client_id].strip().replace("  ", " _")
        if client_id in PAIRED:
            assert contact_id == seeded_ids[PAIRED[client_id]], f"{client_id} created again"
    assert len(contacts) == len(seeded) + len(clients.syncable) - len(PAIRED)
    others = clients.skipped | clients.refused
    assert not others & set(numbers), "a prospect, blocked or refused client is in Xero"
    added = {xero_key(c["Name"]) for c in contacts if c["ContactID"] not in by_seeded_id}
    assert not added & {xero_key(name) for _, name, _ in PROSPECTS}, "a prospect in Xero"


def assert_logged(store: Store, run_id: int, clients: ClientFile,
                  sent: set[str] | None = None) -> None:
    """The run's log says what became of every client, once each: prospects and the archived
    namesake skipped, the rows of the file that need attention logged with their reason, the
    rest created, updated or unchanged (with `sent`: exactly those created or updated)."""
    outcomes = {"Created", "Updated", "Unchanged", "Skipped", "Failed", "Needs attention"}
    entries = [e for e in store.runs.entries(run_id) if e.client_id and e.action in outcomes]
    actions = {e.client_id: e.action for e in entries}
    assert len(entries) == len(actions) == len(clients.names)
    assert {c for c, a in actions.items() if a == "Skipped"} == clients.skipped
    assert {c for c, a in actions.items() if a == "Needs attention"} == clients.refused
    assert not {c for c, a in actions.items() if a == "Failed"}
    if sent is not None:
        assert {c for c, a in actions.items() if a in ("Created", "Updated")} == sent
    attention = {e.client_id: e.message for e in entries if e.action == "Needs attention"}
    assert "for the same contact" in attention["R0001"]
    assert "for the same contact" in attention["N0400"]
    assert "Xero allows at most 255" in attention["R0002"]


def summary(out: str) -> dict[str, int]:
    """The counts of a finished run's last line."""
    finished = re.search(r"Sync finished: (\d+) created, (\d+) updated, (\d+) unchanged, "
                         r"(\d+) skipped(?: \(\d+ need attention\))?, (\d+) failed\.", out)
    assert finished, out
    keys = ("created", "updated", "unchanged", "skipped", "failed")
    return dict(zip(keys, map(int, finished.groups()), strict=True))


def test_runs_killed_anywhere_leave_every_client_in_xero_once(
        cli: Cli, sandbox: SandboxProcess, clients: ClientFile, tmp_path: Path) -> None:
    seeded = sandbox.contacts()
    kills = kill_runs(cli, sandbox, clients, seeded)
    # a run killed on a write (or on its progress) had started; one killed on its read had not
    on_writes = [k for k in kills if k.point is None or (k.held and k.held.method != "GET")]
    hows = {k.point.how for k in on_writes if k.point}
    assert hows == {UNANSWERED, NEVER_EXECUTED, EXECUTED_LATE}, [(k.point, k.held) for k in kills]

    last = cli("sync", "--sandbox", sandbox.url, "--org", US, "--clients", clients.path)

    assert last.code == 1, last.err  # the rows that need attention
    counts = summary(last.out)
    assert (counts["skipped"], counts["failed"]) == (4 + len(REFUSED), 0)
    for client_id in sorted(clients.refused):
        assert f"Needs attention: {client_id} {clients.names[client_id]}: " in last.out
    with Store(AppPaths.under(cli.data_dir).database) as store:
        links = store.mappings.for_tenant(US_TENANT)
        assert store.intents.open(US_TENANT) == []
        runs = store.runs.recent(US_TENANT, limit=100)
        final = runs[0]
        entries = store.runs.entries(final.run_id)
        assert_logged(store, final.run_id, clients)
        # the run after the first kill found its batch in Xero by ContactNumber
        reconciled = [e.client_id for e in store.runs.entries(runs[-2].run_id)
                      if e.action == "Reconciled"]
    assert_consistent(sandbox.contacts(), seeded, links, clients)
    assert final.outcome == "finished" and (final.created, final.updated) == (
        counts["created"], counts["updated"])
    assert [e.action for e in entries].count("Resumed") == 1  # the lock the last kill left
    outcomes = Counter(r.outcome for r in runs[1:])
    assert outcomes == Counter({"interrupted": len(on_writes),
                                "finished": sum(k.code == 1 for k in kills)}), outcomes
    assert len(set(reconciled)) == len(reconciled) == 50
    assert set(reconciled) <= clients.syncable - set(PAIRED)

    before = sandbox.control("GET", "calls")
    again = cli("sync", "--sandbox", sandbox.url, "--org", US, "--clients", clients.path)

    assert again.code == 1, again.err
    unchanged = len(clients.syncable)
    assert summary(again.out) == {"created": 0, "updated": 0, "unchanged": unchanged,
                                  "skipped": 4 + len(REFUSED), "failed": 0}
    after = sandbox.control("GET", "calls")
    # the read of what changed, and nothing else: the twins need attention, never sent
    assert after["calls"][US_TENANT] == before["calls"][US_TENANT] + 1
    assert after["writes"] == before["writes"]
    with Store(AppPaths.under(cli.data_dir).database) as store:
        assert store.mappings.for_tenant(US_TENANT) == links
        assert_logged(store, store.runs.recent(US_TENANT, limit=1)[0].run_id, clients, set())
    assert_consistent(sandbox.contacts(), seeded, links, clients)

    fresh = Cli(tmp_path / "fresh")
    (fresh.root / "home").mkdir(parents=True)
    count = len(sandbox.contacts())

    first = fresh("sync", "--sandbox", sandbox.url, "--org", US, "--clients", clients.path)

    assert first.code == 1, first.err
    assert summary(first.out) == {"created": 0, "updated": unchanged, "unchanged": 0,
                                  "skipped": 4 + len(REFUSED), "failed": 0}
    assert len(sandbox.contacts()) == count
    with Store(AppPaths.under(fresh.data_dir).database) as store:
        assert store.mappings.for_tenant(US_TENANT) == links  # each by its ContactNumber
        assert_logged(store, store.runs.recent(US_TENANT, limit=1)[0].run_id, clients,
                      set(clients.syncable))
    assert_consistent(sandbox.contacts(), seeded, links, clients)
