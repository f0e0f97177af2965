"""`python -m xerosync_desktop.sandbox` as a process: first line, SIGTERM, refused host, the
command-line options, and the fault lines a parent process blocks on."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import Xero

from xerosync_desktop.sandbox import VirtualClock, parse_fault
from xerosync_desktop.sandbox.__main__ import build_parser, options_from

US = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"

LINE = re.compile(r"^Xero sandbox listening on (http://127\.0\.0\.1:(\d+))\n$")


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "xerosync_desktop.sandbox", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.skipif(os.name != "posix", reason="signals as on POSIX")
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_process_prints_its_url_first_and_stops_cleanly(
        stop_signal: signal.Signals, tmp_path: Path) -> None:
    process = _start("--port", "0", "--data", "empty", "--state", str(tmp_path / "s.json"))
    try:
        first = process.stdout.readline()
        match = LINE.match(first)
        assert match, first
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(match.group(1) + "/connections", timeout=5)
        assert caught.value.code == 401
        process.send_signal(stop_signal)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_non_loopback_host_is_refused() -> None:
    result = subprocess.run([sys.executable, "-m", "xerosync_desktop.sandbox", "--host",
                             "0.0.0.0"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "0.0.0.0" in result.stderr


def test_command_line_options_reach_the_sandbox() -> None:
    args = build_parser().parse_args([
        "--fault", "drop:calls=3", "--fault", "503:rate=0.1,methods=PUT/POST", "--seed", "42",
        "--latency", "0.05", "--idempotency-window", "30", "--concurrent-limit", "2",
        "--app-minute-limit", "100", "--minute-limit", "10", "--test-endpoints",
        "--virtual-clock"])
    options = options_from(args)
    assert options.faults == (parse_fault("drop:calls=3"),
                              parse_fault("503:rate=0.1,methods=POST/PUT"))
    assert (options.seed, options.latency, options.idempotency_window) == (42, 0.05, 30.0)
    assert (options.concurrent_limit, options.app_minute_limit, options.minute_limit) == (
        2, 100, 10)
    assert options.test_endpoints and isinstance(options.clock, VirtualClock)
    plain = options_from(build_parser().parse_args([]))
    assert (plain.faults, plain.seed, plain.test_endpoints) == ((), 0, False)
    assert not isinstance(plain.clock, VirtualClock)


@pytest.mark.parametrize(("argv", "said"), [
    (["--fault", "drop:calls=x"],
     "argument --fault: Bad fault 'drop:calls=x': calls must be call numbers like 3/7/10-12"),
    (["--fault", "explode:calls=1"], "Unknown fault kind 'explode'"),
    (["--latency", "-1"], "argument --latency: expected 0 or more seconds"),
    (["--concurrent-limit", "0"], "argument --concurrent-limit: expected a whole number"),
])
def test_bad_options_exit_2_with_a_message(argv: list[str], said: str) -> None:
    result = subprocess.run([sys.executable, "-m", "xerosync_desktop.sandbox", *argv],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    assert said in result.stderr


class _Lines:
    """The process's stdout lines, read on a thread; `next()` blocks until one arrives."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        try:
            for line in process.stdout:
                self._queue.put(line)
        except (OSError, ValueError):  # closed by the test's clean-up
            pass
        self._queue.put("")

    def next(self) -> str:
        return self._queue.get(timeout=20)


@pytest.mark.skipif(os.name != "posix", reason="signals as on POSIX")
def test_process_prints_each_fault_it_applies() -> None:
    process = _start("--test-endpoints", "--virtual-clock", "--fault", "drop:calls=2,methods=PUT",
                     "--fault", "hold:calls=3,seconds=60")
    lines = _Lines(process)
    held: dict[str, Any] = {}
    try:
        match = LINE.match(lines.next())
        assert match
        xero = Xero(SimpleNamespace(url=match.group(1)))  # type: ignore[arg-type]
        token = xero.login()
        assert xero.api("GET", "/Contacts", token).status == 200
        with pytest.raises(http.client.RemoteDisconnected):
            xero.api("PUT", "/Contacts", token, body={"Name": "Dropped Co"})
        assert lines.next() == f"fault drop call=2 tenant={US} method=PUT\n"

        def held_put() -> None:
            try:
                held["reply"] = xero.api("PUT", "/Contacts", token, body={"Name": "Held Co"})
            except OSError as exc:  # the sandbox stops while holding the answer
                held["reply"] = exc

        client = threading.Thread(target=held_put, daemon=True)
        client.start()
        assert lines.next() == f"fault hold call=3 tenant={US} method=PUT\n"
        counts = xero.http("GET", "/__sandbox/calls").json()
        assert (counts["calls"][US], counts["writes"][US]) == (3, 2)  # committed, not answered
        assert client.is_alive() and "reply" not in held
        now = xero.http("GET", "/__sandbox/clock").json()["now"]
        assert xero.http("POST", "/__sandbox/clock", body={"advance": 60}).json() == {
            "now": now + 60}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        client.join(timeout=10)
        assert not client.is_alive()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
