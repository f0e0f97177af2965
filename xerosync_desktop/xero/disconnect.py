"""Sign out and Remove organisation, by the path Xero documents for an app without a secret.

Public API: Disconnection, sign_out(), remove_organisation(), CHECK_AT_XERO_TEXT.

The order is always: DELETE /connections/{id} for each organisation (documented for every app,
so the app surely loses access), then the revocation endpoint (documented with a client secret,
which a PKCE app does not have: tried, and its answer reported), then the tokens on this
computer are forgotten (the keyring entry deleted). Whatever Xero answers, the sentence
returned says what was done and how to check it, or finish it, at xero.com. Qt-free: the
GUI's jobs and the command line call these.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import AuthorizationError, NotConnectedError, XeroError, XeroUnavailableError
from .auth import revoke_grant
from .client import Organisation, XeroClient
from .endpoints import XeroEndpoints
from .tokens import TokenVault

log = logging.getLogger(__name__)

CHECK_AT_XERO_TEXT = ("To check, sign in at xero.com and open Settings, Connected apps in "
                      "{where}: your xerosync app is no longer listed.")
FINISH_AT_XERO_TEXT = ("To finish, sign in at xero.com, open Settings, Connected apps in "
                       "{where} and disconnect your xerosync app there.")
KEPT_TEXT = "Your mappings and settings are kept."


@dataclass(frozen=True)
class Disconnection:
    """What was done: the sentence for the user, and what is left connected.

    `complete`: Xero confirmed that the app reaches none of the organisations it was asked
    to let go. `remaining`: the organisations still connected. `signed_out`: the sign-in on
    this computer was forgotten.
    """

    message: str
    complete: bool
    remaining: tuple[Organisation, ...] = ()
    signed_out: bool = True


def sign_out(xero: XeroClient, endpoints: XeroEndpoints, client_id: str,
             vault: TokenVault) -> Disconnection:
    """Disconnect every organisation, revoke the grant, forget the tokens here."""
    if not vault.has_token():
        vault.clear()
        return Disconnection(f"Signed out of Xero. This computer held no Xero sign-in, so "
                             f"nothing was sent to Xero. {KEPT_TEXT}", complete=True)
    sentences: list[str] = []
    not_removed: list[str] = []
    grant_ended = False
    try:
        organisations = xero.connections()
    except (AuthorizationError, NotConnectedError):
        organisations, grant_ended = [], True
        sentences.append("Xero had already ended this app's access, so there was no "
                         "organisation left to disconnect.")
    except XeroError as exc:
        organisations = []
        not_removed.append("each organisation")
        sentences.append(_failed("list the organisations to disconnect", exc))
    removed: list[str] = []
    for organisation in organisations:
        try:
            xero.remove_connection(organisation)
        except (AuthorizationError, NotConnectedError):
            grant_ended = True
            not_removed.append(organisation.name)
        except XeroError as exc:
            log.info("disconnecting an organisation at sign-out failed")
            not_removed.append(organisation.name)
            sentences.append(_failed(f"disconnect {organisation.name}", exc))
        else:
            removed.append(organisation.name)
    if removed:
        sentences.insert(0, f"{_names(removed)} {'was' if len(removed) == 1 else 'were'} "
                            "disconnected from this app.")
    revoked = _revoke(endpoints, client_id, vault, grant_ended, sentences)
    vault.clear()
    complete = not not_removed or grant_ended or revoked is True
    sentences.append(f"The sign-in was removed from this computer. {KEPT_TEXT}")
    where = _names(not_removed) if not_removed else "each organisation"
    sentences.append((CHECK_AT_XERO_TEXT if complete else FINISH_AT_XERO_TEXT)
                     .format(where=where))
    return Disconnection("Signed out of Xero. " + " ".join(sentences), complete=complete)


def remove_organisation(xero: XeroClient, organisation: Organisation,
                        connected: Sequence[Organisation], endpoints: XeroEndpoints,
                        client_id: str, vault: TokenVault) -> Disconnection:
    """Disconnect one organisation; the last one goes with the grant and the tokens here.

    XeroError when Xero does not disconnect it: then nothing changed, and the sentence says
    how to do it at xero.com instead.
    """
    try:
        xero.remove_connection(organisation)
    except XeroError as exc:
        if not _still_connected(xero, organisation):  # gone already (removed at xero.com)
            log.info("the organisation was no longer connected")
            return _removed(xero, organisation, connected, endpoints, client_id, vault)
        error = XeroUnavailableError if isinstance(exc, XeroUnavailableError) else XeroError
        raise error(f"{organisation.name} was not disconnected: {_reason(exc)} Nothing "
                    "changed in this app. Try again, or disconnect it yourself: sign in at "
                    f"xero.com, open Settings, Connected apps in {organisation.name} and "
                    "disconnect your xerosync app there.") from None
    return _removed(xero, organisation, connected, endpoints, client_id, vault)


def _still_connected(xero: XeroClient, organisation: Organisation) -> bool:
    try:
        return any(o.tenant_id == organisation.tenant_id for o in xero.connections())
    except XeroError:
        return True  # cannot tell: say it was not disconnected


def _removed(xero: XeroClient, organisation: Organisation, connected: Sequence[Organisation],
             endpoints: XeroEndpoints, client_id: str, vault: TokenVault) -> Disconnection:
    """After the organisation is gone: what is left, and the sign-out with the last one."""
    try:
        remaining = tuple(xero.connections())
    except XeroError:
        log.info("listing the organisations after removing one failed")
        remaining = tuple(o for o in connected if o.tenant_id != organisation.tenant_id)
    sentences = [f"{organisation.name} was disconnected from this app; Xero keeps all its "
                 "data, and its mappings are kept here."]
    check = CHECK_AT_XERO_TEXT.format(where=organisation.name)
    if remaining:
        return Disconnection(" ".join([*sentences, check]), complete=True,
                             remaining=remaining, signed_out=False)
    sentences.append("It was the last organisation connected, so xerosync also signed out.")
    revoked = _revoke(endpoints, client_id, vault, False, sentences)
    vault.clear()
    sentences.append("The sign-in was removed from this computer; click Connect to Xero to "
                     "connect again.")
    log.info("last organisation removed; signed out (revoked: %s)", revoked)
    return Disconnection(" ".join([*sentences, check]), complete=True)


def _revoke(endpoints: XeroEndpoints, client_id: str, vault: TokenVault, grant_ended: bool,
            sentences: list[str]) -> bool | None:
    """Try the revocation; True when Xero confirmed it, False when not, None if not tried."""
    refresh_token = vault.newest_refresh_token()  # after the calls above: maybe rotated
    if grant_ended or not refresh_token:
        return None
    try:
        revoke_grant(endpoints, client_id, refresh_token)
    except XeroError as exc:
        sentences.append(f"{_reason(exc)} This matters only if an organisation is still "
                         "connected.")
        return False
    sentences.append("Xero confirmed that the sign-in was revoked.")
    return True


def _failed(doing: str, exc: XeroError) -> str:
    if isinstance(exc, XeroUnavailableError):
        return f"Xero could not be reached to {doing}."
    return f"Xero did not {doing}: {_reason(exc)}"


def _reason(exc: XeroError) -> str:
    """The first sentence of Xero's error, which says what happened (not what to do)."""
    first = exc.message.split(". ")[0].rstrip(".")
    return first + "."


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
