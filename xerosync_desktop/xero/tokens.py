"""Token vaults: where a connection's OAuth2 tokens live between calls.

Public API: TokenVault, MemoryTokenVault, sdk_token().

The vault is the SDK's token getter/saver. Only the keys the SDK accepts are kept, never the
id token. The demo keeps tokens for the session only; the keyring vault for a real Xero
connection builds on the same interface.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from ..errors import NotConnectedError

_SDK_KEYS = ("access_token", "refresh_token", "expires_in", "expires_at", "token_type",
             "scope")


def sdk_token(token: dict[str, Any]) -> dict[str, Any]:
    """The part of a token response the SDK's `OAuth2Token.update_token()` takes.

    `scope` is kept as a list: the SDK joins it with spaces, so a string would be sent
    letter by letter.
    """
    kept = {key: token[key] for key in _SDK_KEYS if token.get(key) is not None}
    scope = kept.get("scope")
    if isinstance(scope, str):
        kept["scope"] = scope.split()
    kept.setdefault("token_type", "Bearer")
    kept.setdefault("scope", [])
    kept.setdefault("expires_in", None)
    return kept


class TokenVault(Protocol):
    """Holds one grant's tokens; `load()` raises NotConnectedError when there are none.

    `notice` is a sentence for the user when the tokens cannot be kept beyond this session.
    """

    notice: str

    def load(self) -> dict[str, Any]: ...

    def save(self, token: dict[str, Any]) -> None: ...

    def clear(self) -> None: ...

    def has_token(self) -> bool: ...

    def newest_refresh_token(self) -> str:
        """The refresh token to revoke at sign-out; '' when there is none."""
        ...


class MemoryTokenVault:
    """Tokens in memory for this session only (the demo; or no keyring backend)."""

    def __init__(self) -> None:
        self.notice = ""
        self._lock = threading.Lock()
        self._token: dict[str, Any] | None = None

    def load(self) -> dict[str, Any]:
        with self._lock:
            if self._token is None:
                raise NotConnectedError()
            return dict(self._token)

    def save(self, token: dict[str, Any]) -> None:
        with self._lock:
            self._token = sdk_token(token)

    def clear(self) -> None:
        with self._lock:
            self._token = None

    def has_token(self) -> bool:
        with self._lock:
            return self._token is not None

    def newest_refresh_token(self) -> str:
        with self._lock:
            return str((self._token or {}).get("refresh_token") or "")
