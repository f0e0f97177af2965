"""Errors that carry the sentence the user sees: what happened, then what to do.

Public API: XerosyncError, UserError and its subclasses.
"""

from __future__ import annotations

from datetime import datetime


class XerosyncError(Exception):
    """Base of the product's own errors."""


class UserError(XerosyncError):
    """An error whose message is written for the user, never a traceback or a server dump."""

    default_message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ClientFileError(UserError):
    """The TimeSolv client file cannot be read or holds values the product cannot use."""


class OutputPathError(UserError):
    """A workbook would be written over an input: the client file or the app's store."""


class DecisionError(UserError):
    """A decision in Mapping (or `xerosync link`) that cannot be made as asked: nothing changed."""


class SettingsError(UserError):
    """Setup is incomplete: no organisation, no client file, or client sync not enabled."""


class NotConnectedError(UserError):
    default_message = "The app is not connected to Xero. Open Setup and click Connect to Xero."


class AuthorizationError(UserError):
    """Xero refused the connection (bad code, revoked or expired grant): reconnect."""

    default_message = ("Xero no longer accepts this connection. Open Setup and click "
                       "Connect to Xero again; your mappings are kept.")


class XeroError(UserError):
    """Xero answered a request with an error the product could not act on."""


class OrganisationAccessError(XeroError):
    """Xero refused this organisation (HTTP 403): the grant stands, the organisation not."""


class RateLimitError(XeroError):
    """Xero's rate limit was reached (HTTP 429)."""

    def __init__(self, message: str, problem: str, retry_after: int,
                 resume_at: datetime | None = None) -> None:
        super().__init__(message)
        self.problem = problem
        self.retry_after = retry_after
        self.resume_at = resume_at


class XeroUnavailableError(XeroError):
    """Xero could not be reached or answered with a server error."""


class SyncBusyError(UserError):
    """Another run holds this organisation's sync lock (the app and xerosync together)."""


class StoreError(UserError):
    """The app's data file cannot be written or read: a full disk, a read-only folder, a
    damaged file. The message names the file and what to do; what Xero answered before is
    settled by the next sync (write-ahead intents)."""


class CancelledError(XerosyncError):
    """The user asked the job to stop; raised between calls, never in the middle of one."""


class LoginError(UserError):
    """The browser sign-in did not complete: denied, timed out, wrong state, port busy."""
