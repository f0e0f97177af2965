"""Tokens of a real Xero connection in the OS keyring, and in memory when there is none.

Public API: KeyringTokenVault, KEYRING_SERVICE, NO_KEYRING_TEXT, keyring_description().

One entry per Xero app (client id): the grant covers every organisation the user picked, so
a per-organisation copy would go stale after the next rotation. The entry holds only what a
later session needs to refresh (the refresh token, when it expires unused, and the scopes), well
under the 2,560 bytes Windows Credential Manager allows; the access token lives in memory.
When no keyring works, tokens stay in memory for this session only, never in a file.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from ..errors import NotConnectedError
from .tokens import sdk_token

log = logging.getLogger(__name__)

KEYRING_SERVICE = "xerosync-desktop"
MAX_SECRET_CHARS = 1000
REFRESH_LIFETIME = 60 * 24 * 3600  # Xero drops a refresh token unused for 60 days
NO_KEYRING_TEXT = ("No password store (keyring) is available, so the Xero connection lasts "
                   "for this session only: unlock or install one (GNOME Keyring, KWallet, "
                   "macOS Keychain or Windows Credential Manager) to stay connected.")


class KeyringTokenVault:
    """The SDK's token getter and saver for one Xero app's grant."""

    def __init__(self, client_id: str, service: str = KEYRING_SERVICE) -> None:
        self._service = service
        self._account = f"grant:{client_id}"
        self._lock = threading.Lock()
        self._token: dict[str, Any] | None = None
        self._usable = _safe_backend()
        self.notice = "" if self._usable else NO_KEYRING_TEXT

    def load(self) -> dict[str, Any]:
        """The session's token; from the keyring when there is none or it is due a refresh.

        Re-reading the keyring before a refresh picks up a token another process (the
        nightly `xerosync`, say) rotated meanwhile, instead of refreshing a superseded one.
        """
        with self._lock:
            token = self._token
            if token is None or _due(token):
                stored = self._read()
                if stored is not None and (token is None or
                                           stored["refresh_token"] != token.get("refresh_token")):
                    token = self._token = stored
            if token is None:
                raise NotConnectedError()
            return dict(token)

    def save(self, token: dict[str, Any]) -> None:
        """Keep the new token; write its refresh token to the keyring at once."""
        kept = sdk_token(token)
        with self._lock:
            self._token = kept
            if kept.get("refresh_token"):
                self._write(kept)

    def clear(self) -> None:
        """Forget the tokens here and in the keyring (sign out)."""
        with self._lock:
            self._token = None
            if not self._usable:
                return
            try:
                keyring.delete_password(self._service, self._account)
            except keyring.errors.PasswordDeleteError:
                pass  # nothing stored
            except keyring.errors.KeyringError as exc:
                self._give_up(exc)

    def has_token(self) -> bool:
        with self._lock:
            return self._token is not None or self._read() is not None

    def newest_refresh_token(self) -> str:
        """The grant's latest refresh token: another process may have rotated it (sign out)."""
        with self._lock:
            stored = self._read()
            if stored is not None:
                return str(stored["refresh_token"])
            return str((self._token or {}).get("refresh_token") or "")

    # -- keyring --------------------------------------------------------------------------

    def _read(self) -> dict[str, Any] | None:
        if not self._usable:
            return None
        try:
            secret = keyring.get_password(self._service, self._account)
        except keyring.errors.KeyringError as exc:
            self._give_up(exc)
            return None
        if not secret:
            return None
        try:
            stored = json.loads(secret)
            refresh = str(stored["refresh_token"])
        except (ValueError, KeyError, TypeError):
            log.warning("the stored Xero connection could not be read; connect again")
            return None
        # no access token: the SDK refreshes before the first call (expires_at is past)
        return sdk_token({"access_token": "", "refresh_token": refresh, "expires_at": 0.0,
                          "expires_in": 0, "scope": stored.get("scope") or []})

    def _write(self, token: dict[str, Any]) -> None:
        if not self._usable:
            return
        secret = json.dumps({"refresh_token": token["refresh_token"],
                             "expires_at": int(time.time()) + REFRESH_LIFETIME,
                             "scope": " ".join(token.get("scope") or [])},
                            separators=(",", ":"))
        if len(secret) > MAX_SECRET_CHARS:  # never a partial or oversized entry
            log.warning("Xero's refresh token is too long for the keyring (%d characters); "
                        "keeping it for this session only", len(secret))
            self._forget_stored()
            self._usable = False
            self.notice = ("Xero's sign-in is too large for this computer's password store, "
                           "so the connection lasts for this session only.")
            return
        try:
            keyring.set_password(self._service, self._account, secret)
        except keyring.errors.KeyringError as exc:
            self._forget_stored()
            self._give_up(exc)

    def _forget_stored(self) -> None:
        """Best effort: a stored token older than the session's is superseded; never keep it."""
        try:
            keyring.delete_password(self._service, self._account)
        except keyring.errors.KeyringError:
            pass

    def _give_up(self, exc: Exception) -> None:
        """No working keyring: memory only, for this session; said once."""
        log.warning("no usable keyring (%s); the Xero connection lasts this session only",
                    type(exc).__name__)
        self._usable = False
        self.notice = NO_KEYRING_TEXT


def _usable_backends() -> list[KeyringBackend]:
    """The keyrings that keep secrets encrypted: not the null or fail backends, and not a
    plain or weakly encrypted file (keyrings.alt), which would be a token in a file."""
    backend = keyring.get_keyring()
    chained = getattr(backend, "backends", None)
    return [one for one in (chained if chained is not None else [backend])
            if not type(one).__module__.startswith(
                ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt"))]


def _safe_backend() -> bool:
    if _usable_backends():
        return True
    log.warning("no usable keyring (%s); the Xero connection lasts this session only",
                type(keyring.get_keyring()).__name__)
    return False


def keyring_description() -> str:
    """Which password store a Xero connection goes to, as `xerosync status` shows it.

    Support's question when a connection is not kept, and the packaged build's check that
    it finds the system's keyring (its backends are found through package metadata).
    """
    usable = _usable_backends()
    if not usable:
        return "none usable: a Xero connection lasts for one session"
    return ", ".join(f"{one.name} ({type(one).__module__})" for one in usable)


def _due(token: dict[str, Any]) -> bool:
    """The SDK will refresh this token before its next call (60 s buffer)."""
    expires_at = token.get("expires_at")
    return expires_at is not None and float(expires_at) < time.time() + 60
