"""Run the sandbox from a shell: `python -m xerosync_desktop.sandbox` (or `xerosync-sandbox`).

Public API: main().

The first line on stdout is `Xero sandbox listening on http://127.0.0.1:PORT`, flushed at once
so a parent process can read the port. SIGTERM and Ctrl+C stop it cleanly (exit 0); a
non-loopback host is refused (exit 2).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from .options import SandboxOptions, is_loopback_host
from .persistence import StateFileError
from .server import XeroSandbox


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xerosync-sandbox",
                                     description="A local Xero for tests and demo mode.")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--data", choices=("demo", "empty"), default="demo")
    parser.add_argument("--state", type=Path, default=None, help="JSON file to keep state in")
    parser.add_argument("--minute-limit", type=int, default=60)
    parser.add_argument("--day-limit", type=int, default=5000)
    parser.add_argument("--token-lifetime", type=int, default=1800, help="seconds")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM or Ctrl+C; returns the exit status."""
    args = _parser().parse_args(argv)
    if not is_loopback_host(args.host):
        print(f"xerosync-sandbox: refusing to listen on {args.host}: the sandbox only serves "
              "127.0.0.1 or localhost", file=sys.stderr)
        return 2
    options = SandboxOptions(host=args.host, port=args.port, data=args.data,
                             state_file=args.state, minute_limit=args.minute_limit,
                             day_limit=args.day_limit, token_lifetime=args.token_lifetime)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        sandbox = XeroSandbox(options).start()
    except (OSError, StateFileError) as exc:
        print(f"xerosync-sandbox: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"Xero sandbox listening on {sandbox.url}", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
        signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
