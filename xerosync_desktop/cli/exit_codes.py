"""Exit statuses of `xerosync`, and which one an error or a finished run earns.

Public API: ExitCode, UsageError, code_for_error(), code_for_summary().

    0  everything was done
    1  not everything was done: some contacts failed, or the run stopped early (cancelled,
       Xero unreachable or refusing a request, Xero's per-minute limit answered ten waits
       in a row (one is waited out), the app's data file on a full disk, a read-only folder
       or damaged, an unexpected error)
    2  bad input or usage: arguments, the client file, --org, client sync not enabled, a link
       or unlink that cannot be made (unknown client or contact, no suggestion)
    3  not connected to Xero, or Xero refused the authorisation
    4  Xero's daily limit was reached: nothing is lost, run again later
  130  stopped at once by a second Ctrl+C
"""

from __future__ import annotations

from enum import IntEnum

from ..errors import (
    AuthorizationError,
    ClientFileError,
    DecisionError,
    LoginError,
    NotConnectedError,
    OrganisationAccessError,
    OutputPathError,
    RateLimitError,
    SettingsError,
    UserError,
)
from ..sync.events import RunSummary


class ExitCode(IntEnum):
    """What a script calling `xerosync` can act on."""

    OK = 0
    INCOMPLETE = 1
    USAGE = 2
    NOT_CONNECTED = 3
    DAY_LIMIT = 4
    INTERRUPTED = 130


class UsageError(UserError):
    """The command line asks for something that cannot be done as asked (exit 2)."""


def code_for_error(exc: UserError) -> ExitCode:
    """The exit status of a command that ended with `exc`."""
    if isinstance(exc, RateLimitError):
        return ExitCode.DAY_LIMIT if exc.problem == "day" else ExitCode.INCOMPLETE
    if isinstance(exc, (NotConnectedError, AuthorizationError, LoginError,
                        OrganisationAccessError)):
        return ExitCode.NOT_CONNECTED
    if isinstance(exc, (UsageError, SettingsError, ClientFileError, OutputPathError,
                        DecisionError)):
        return ExitCode.USAGE
    return ExitCode.INCOMPLETE


def code_for_summary(summary: RunSummary) -> ExitCode:
    """The exit status of a sync run, from how it ended."""
    if summary.outcome == "stopped" and summary.stopped_by == "day_limit":
        return ExitCode.DAY_LIMIT
    if summary.outcome == "stopped" and summary.stopped_by in ("authorization",
                                                               "organisation_access"):
        return ExitCode.NOT_CONNECTED
    if summary.outcome != "finished" or summary.failed or summary.attention:
        return ExitCode.INCOMPLETE
    return ExitCode.OK
