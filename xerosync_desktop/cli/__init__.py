"""`xerosync`: the headless command, for nightly runs and scripts. No Qt.

Public API: main().

    xerosync review  --clients FILE --out REVIEW.xlsx
    xerosync confirm --clients FILE
    xerosync link    --client ID (--suggested | --contact CONTACTID | --new) [--clients FILE]
    xerosync unlink  --client ID [--clients FILE]
    xerosync sync    --clients FILE [--log LOG.xlsx] [--dry-run]
    xerosync status
    (each with --demo | --sandbox URL, --org NAME|ID, --data-dir DIR)

The same composition root, store and jobs as the desktop app. Progress goes to stderr,
results to stdout; `link` and `unlink` make the Mapping tab's decisions (they read Xero and
send nothing). The exit status says how it went (see `exit_codes`). A UserError is
printed as its sentence, never as a traceback; anything else is logged to the log file,
which the message names.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from .. import __version__
from ..bootstrap import build_context
from ..errors import NotConnectedError, UserError
from ..logsetup import CLI_LOG_FILE_NAME, setup_logging
from ..paths import AppPaths, data_folder_error
from ..store import Store
from . import commands, decisions
from .arguments import parse_args
from .connection import DEMO_CHOSEN_TEXT, connect, job_settings, pick_organisation
from .console import Console
from .exit_codes import ExitCode, code_for_error
from .status import show_status

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # usage error (2), --help or --version (0): argparse printed it
        return exc.code if isinstance(exc.code, int) else ExitCode.USAGE
    for stream in (sys.stdout, sys.stderr):  # a client name the console cannot show
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    console = Console(sys.stdout, sys.stderr)
    paths = AppPaths.under(args.data_dir) if args.data_dir else AppPaths.default()
    try:
        paths.ensure()
    except OSError as exc:
        console.message(data_folder_error(paths, exc))
        return ExitCode.USAGE
    log_file = setup_logging(paths.log_dir, file_name=CLI_LOG_FILE_NAME)
    log.info("xerosync %s: %s", __version__, args.command)
    try:
        code = _run(args, paths, console)
    except UserError as exc:
        code = code_for_error(exc)
        log.info("xerosync %s ended: %s (exit %d)", args.command, type(exc).__name__, code)
        console.message(exc.message)
    except KeyboardInterrupt:
        code = ExitCode.INTERRUPTED
        console.message("Stopped at once. What Xero confirmed before is kept; run the "
                        "command again to carry on.")
    except Exception:
        log.exception("xerosync %s failed", args.command)
        code = ExitCode.INCOMPLETE
        console.message(f"Something unexpected went wrong. The details are in {log_file}.")
    else:
        log.info("xerosync %s ended (exit %d)", args.command, code)
    console.progress.clear()
    return int(code)


def _run(args: argparse.Namespace, paths: AppPaths, console: Console) -> ExitCode:
    """Build the context the options ask for, reach Xero, and run the command."""
    if args.command == "status":
        return show_status(args, paths, console)
    outputs = ((getattr(args, "out", None), "--out"), (getattr(args, "log", None), "--log"))
    for path, option in outputs:
        commands.check_output(path, option, getattr(args, "clients", None), paths.database)
    if not (args.demo or args.sandbox):
        with Store(paths.database, paths.lock_dir) as store:
            if store.settings.xero_app().demo:  # never sync to the demo unasked
                raise NotConnectedError(DEMO_CHOSEN_TEXT)
    ctx = build_context(paths, demo=args.demo, sandbox_url=args.sandbox)
    try:
        with ctx.open_store() as store, ctx.open_xero() as xero:
            organisations = connect(ctx, xero, console)
            organisation = pick_organisation(organisations, args.org,
                                             store.settings.get("tenant_id"))
            settings = job_settings(store, ctx, organisation, args.clients)
            out, log_path = (commands.check_output(path, option, settings.clients_file,
                                                   paths.database) for path, option in outputs)
            log.info("xerosync %s for tenant %s", args.command, organisation.tenant_id)
            if args.command == "review":
                assert out is not None  # --out is required
                return commands.review(settings, xero, store, console, out)
            if args.command == "confirm":
                return commands.confirm(settings, xero, store, console)
            if args.command == "link":
                return decisions.link(settings, xero, store, console, args.client,
                                      args.contact, args.suggested, args.new)
            if args.command == "unlink":
                return decisions.unlink(settings, xero, store, console, args.client)
            if args.dry_run:
                return commands.dry_run(settings, xero, store, console)
            return commands.sync(settings, xero, store, console, log_path)
    finally:
        ctx.close()
