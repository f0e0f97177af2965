"""Run the sandbox from a shell: `python -m xerosync_desktop.sandbox` (or `xerosync-sandbox`).

Public API: main(), build_parser(), options_from().

The first line on stdout is `Xero sandbox listening on http://127.0.0.1:PORT`, flushed at once
so a parent process can read the port. With `--test-endpoints`, each fault applied then prints
one flushed line `fault KIND call=N tenant=TENANT method=METHOD` (a hold when it starts), so a
parent can block on the sandbox's stdout until a fault happened. SIGTERM and Ctrl+C stop it
cleanly (exit 0); a non-loopback host or a bad option (e.g. a bad `--fault` spec) exits 2.
"""

from __future__ import annotations

import argparse
import math
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from .apps import AppRegistration, parse_app
from .clock import VirtualClock
from .faults import Fault, parse_fault
from .injection import AppliedFault
from .options import SandboxOptions, is_loopback_host
from .persistence import StateFileError
from .server import XeroSandbox


def _fault(text: str) -> Fault:
    try:
        return parse_fault(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _app(text: str) -> AppRegistration:
    try:
        return parse_app(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected 0 or more seconds, not {text!r}")
    return value


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return int(text)


class _FaultLines:
    """Prints fault lines from its own thread, so a parent that never reads stdout cannot
    block the requests; lines queued before start() follow the first line."""

    def __init__(self) -> None:
        self._lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._write, name="fault-lines", daemon=True)

    def put(self, applied: AppliedFault) -> None:
        self._lines.put(applied.line)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Write what is queued (waiting a little for a parent that does not read)."""
        if self._thread.is_alive():
            self._lines.put(None)
            self._thread.join(timeout=2)

    def _write(self) -> None:
        while (line := self._lines.get()) is not None:
            try:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            except (OSError, ValueError):  # the parent closed the pipe
                return


def build_parser() -> argparse.ArgumentParser:
    """The command line; a bad value exits 2 with one sentence saying why."""
    parser = argparse.ArgumentParser(prog="xerosync-sandbox",
                                     description="A local Xero for tests and demo mode.")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--data", choices=("demo", "empty"), default="demo")
    parser.add_argument("--state", type=Path, default=None, help="JSON file to keep state in")
    parser.add_argument("--minute-limit", type=int, default=60)
    parser.add_argument("--day-limit", type=int, default=5000)
    parser.add_argument("--app-minute-limit", type=_count, default=10000, metavar="N")
    parser.add_argument("--concurrent-limit", type=_count, default=5, metavar="N")
    parser.add_argument("--max-page-size", type=_count, default=1000, metavar="N",
                        help="serve at most N contacts a page, whatever pageSize asks, as a "
                             "Xero with a lower cap would (default 1000)")
    parser.add_argument("--token-lifetime", type=int, default=1800, help="seconds")
    parser.add_argument("--idempotency-window", type=_seconds, default=360.0, metavar="SECONDS",
                        help="how long a response is replayed for its Idempotency-Key")
    parser.add_argument("--latency", type=_seconds, default=0.0, metavar="SECONDS",
                        help="time every Accounting call takes")
    parser.add_argument("--fault", type=_fault, action="append", default=[], metavar="SPEC",
                        help="inject a fault, e.g. drop:calls=3 or 503:rate=0.1,methods=PUT/POST"
                             " (repeatable)")
    parser.add_argument("--app", type=_app, action="append", default=[], metavar="SPEC",
                        help="register a Xero app; only registered client ids can then sign "
                             "in, e.g. CLIENT_ID:redirect=http://localhost:8765/callback,"
                             "scopes=offline_access+accounting.contacts,type=pkce|web|custom "
                             "(repeatable; default: any client id)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the faults' rate draws")
    parser.add_argument("--test-endpoints", action="store_true",
                        help="serve /__sandbox/ (calls, faults, fault-log, clock) and print "
                             "each fault applied")
    parser.add_argument("--virtual-clock", action="store_true",
                        help="time moves only through POST /__sandbox/clock")
    parser.add_argument("--call-seconds", type=_seconds, default=0.0, metavar="SECONDS",
                        help="with --virtual-clock: seconds each Accounting call moves it")
    return parser


def options_from(args: argparse.Namespace) -> SandboxOptions:
    """The SandboxOptions the parsed command line asks for."""
    clock: Callable[[], float] = (VirtualClock(per_call=args.call_seconds)
                                  if args.virtual_clock else time.time)
    return SandboxOptions(
        host=args.host, port=args.port, data=args.data, state_file=args.state,
        minute_limit=args.minute_limit, day_limit=args.day_limit,
        app_minute_limit=args.app_minute_limit, concurrent_limit=args.concurrent_limit,
        token_lifetime=args.token_lifetime, idempotency_window=args.idempotency_window,
        latency=args.latency, max_page_size=args.max_page_size, faults=tuple(args.fault),
        seed=args.seed, apps=tuple(args.app),
        test_endpoints=args.test_endpoints, clock=clock)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM or Ctrl+C; returns the exit status."""
    args = build_parser().parse_args(argv)
    if not is_loopback_host(args.host):
        print(f"xerosync-sandbox: refusing to listen on {args.host}: the sandbox only serves "
              "127.0.0.1 or localhost", file=sys.stderr)
        return 2
    options = options_from(args)
    stop = threading.Event()
    fault_lines = _FaultLines()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        sandbox = XeroSandbox(options)
        if options.test_endpoints:
            sandbox.on_fault(fault_lines.put)
        sandbox.start()
        print(f"Xero sandbox listening on {sandbox.url}", flush=True)
        if options.test_endpoints:
            fault_lines.start()
    except (OSError, StateFileError) as exc:
        print(f"xerosync-sandbox: {exc}", file=sys.stderr)
        return 1
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
        fault_lines.stop()
        signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
