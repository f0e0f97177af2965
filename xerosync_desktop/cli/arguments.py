"""The command line of `xerosync`: six subcommands and the options saying where Xero is.

Public API: build_parser(), parse_args().

The options choosing Xero, the organisation and the data folder are accepted before and
after the subcommand (`xerosync --demo sync ...` and `xerosync sync --demo ...`); given in
both places, the one after wins.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__

DESCRIPTION = ("Sync TimeSolv clients into Xero as contacts, without the window: the same "
               "review, mappings and sync as xerosync-desktop, on the same data.")
EPILOG = """\
exit status:
  0  everything was done
  1  not everything was done: some contacts failed, rows of the client file need
     attention (listed, not synced; a dry run lists them and exits 0), or the run
     stopped early (cancelled, Xero unreachable, the data file's disk full or
     read-only) or failed unexpectedly. Xero's per-minute limit is waited out and
     the run carries on; only if Xero keeps refusing for ten waits in a row does it
     stop. Possible matches waiting for a decision are skipped (listed) without
     changing the status.
  2  bad input or usage (arguments, client file, --org, client sync not enabled, a
     link or unlink that cannot be made: unknown client or contact, no suggestion)
  3  not connected to Xero, or the authorisation was refused
  4  Xero's daily limit was reached: nothing is lost, run again later
130  stopped at once by a second Ctrl+C
"""


def _add_where_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """--demo, --sandbox, --org, --data-dir; a subcommand's copy sets only what is given."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    group = parser.add_argument_group("where to sync")
    group.add_argument("--demo", action="store_true", default=default(False),
                       help="use the embedded demo Xero, started in this process (its "
                            "organisations are kept in the data folder)")
    group.add_argument("--sandbox", metavar="URL", default=default(None),
                       help="use a Xero sandbox already running at URL")
    group.add_argument("--org", metavar="NAME|ID", default=default(None),
                       help="the Xero organisation, by name or tenant id (default: the one "
                            "picked in Setup, or the only one connected)")
    group.add_argument("--data-dir", type=Path, metavar="DIR", default=default(None),
                       help="keep data and logs under DIR instead of the user's folders")


def _add_clients_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=Path, metavar="FILE",
                        help="the TimeSolv client export, CSV or XLSX (default: the file "
                             "picked in Setup for the organisation)")


def _add_client_id_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--client", metavar="ID", required=True,
                        help="the client's ID, as in the client file")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xerosync", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_where_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    review = commands.add_parser(
        "review", help="write the mapping review of clients and Xero contacts to Excel",
        description="Read the client file and Xero's contacts, pair them, and write the "
                    "review workbook; list the Possible matches waiting for a decision "
                    "(see link). Changes nothing.")
    _add_clients_option(review)
    review.add_argument("--out", type=Path, metavar="REVIEW.xlsx", required=True,
                        help="the workbook to write; a folder: write it there as 'Xero "
                             "mapping review - ORGANISATION - DATE TIME.xlsx'")

    confirm = commands.add_parser(
        "confirm", help="confirm the mappings: every Matched client becomes Mapped",
        description="Store the Xero ContactID of every Matched client, as Confirm Mappings "
                    "does. Sends nothing to Xero.")
    _add_clients_option(confirm)

    link = commands.add_parser(
        "link", help="decide a client's contact: the suggested one, another, or a new one",
        description="Decide what a client becomes in Xero, as the Mapping tab does: "
                    "--suggested accepts the contact suggested for a Possible match, "
                    "--contact links it to any contact of the organisation by its Xero "
                    "ContactID (the review workbook lists them), --new adds it as a new "
                    "contact at the next sync. Stored at once; sends nothing to Xero.")
    _add_client_id_option(link)
    decision = link.add_mutually_exclusive_group(required=True)
    decision.add_argument("--contact", metavar="CONTACTID",
                          help="link the client to this Xero contact")
    decision.add_argument("--suggested", action="store_true",
                          help="link the client to the contact suggested for it")
    decision.add_argument("--new", action="store_true",
                          help="add the client as a new contact at the next sync")
    _add_clients_option(link)

    unlink = commands.add_parser(
        "unlink", help="forget a client's link or decision: it is matched again",
        description="Forget the link or the decision stored for a client, as Unlink in "
                    "the Mapping tab does: it is paired by the usual rules again (and may "
                    "become a Possible match). Sends nothing to Xero.")
    _add_client_id_option(unlink)
    _add_clients_option(unlink)

    sync = commands.add_parser(
        "sync", help="create and update the clients' contacts in Xero",
        description="Create and update contacts in Xero, as Sync to Xero does. Refuses "
                    "until Enable Client Sync is saved for the organisation (always on with "
                    "--demo and --sandbox). Ctrl+C or SIGTERM stops after the call in "
                    "flight and keeps what was done.")
    _add_clients_option(sync)
    sync.add_argument("--log", type=Path, metavar="LOG.xlsx",
                      help="write the run's full log to this workbook, however the run "
                           "ends; a folder: write it there as 'Xero sync log - ORGANISATION "
                           "- DATE TIME.xlsx' (a new file for each run)")
    sync.add_argument("--dry-run", action="store_true",
                      help="print what a sync would create, update and skip; only reads "
                           "from Xero")

    commands.add_parser(
        "status", help="show the Xero connection, organisation, settings and last run",
        description="Show what is stored: which Xero, whether a connection is saved, the "
                    "organisation picked in Setup, its settings, mappings and last run. "
                    "Does not go to Xero.")

    for sub in (review, confirm, link, unlink, sync, commands.choices["status"]):
        _add_where_options(sub, defaults=False)
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The parsed command line; exits with status 2 (argparse's) on a usage error."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo and args.sandbox:
        parser.error("--demo and --sandbox cannot be used together")
    if args.sandbox and not _loopback_url(args.sandbox):
        parser.error(f"--sandbox {args.sandbox}: give the address the sandbox printed, "
                     "such as http://127.0.0.1:8765")
    if getattr(args, "dry_run", False) and args.log:
        parser.error("--log records a sync run; a dry run records none")
    return args


def _loopback_url(url: str) -> bool:
    """http://127.0.0.1:PORT or http://localhost:PORT: where a sandbox can be."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost") \
        and port is not None
