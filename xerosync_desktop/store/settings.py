"""Settings: the app's and each Xero organisation's, as text in SQLite.

Public API: Settings, SyncSettings, XeroApp, DEFAULT_REDIRECT_PORT.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

_APP = ""
DEFAULT_REDIRECT_PORT = 8765


@dataclass(frozen=True)
class XeroApp:
    """Which Xero the app talks to: the demo, or real Xero through the firm's own Xero app.

    A client id is not a secret (PKCE apps have none); the redirect port must match the
    redirect URI registered with the app, `http://localhost:PORT/callback`.
    """

    demo: bool = True
    client_id: str = ""
    redirect_port: int = DEFAULT_REDIRECT_PORT

    @property
    def redirect_uri(self) -> str:
        return f"http://localhost:{self.redirect_port}/callback"


@dataclass(frozen=True)
class SyncSettings:
    """What Setup saves: the organisation picked, its client file, Enable Client Sync, and
    whose name wins when a client is linked to a contact named otherwise (`keep_xero_names`:
    the name already in Xero; else, as the article's sync does, the TimeSolv name)."""

    tenant_id: str = ""
    tenant_name: str = ""
    clients_file: str = ""
    client_sync_enabled: bool = False
    keep_xero_names: bool = False

    @property
    def complete(self) -> bool:
        return bool(self.tenant_id and self.clients_file and self.client_sync_enabled)


class Settings:
    """Key/value settings with a scope: '' for the app, a tenant id for an organisation."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, key: str, scope: str = _APP, default: str = "") -> str:
        row = self._conn.execute("SELECT value FROM settings WHERE scope = ? AND key = ?",
                                 (scope, key)).fetchone()
        return row[0] if row else default

    def put(self, values: dict[str, str], scope: str = _APP) -> None:
        self._conn.executemany(
            "INSERT INTO settings (scope, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value",
            [(scope, key, value) for key, value in values.items()])

    def xero_app(self) -> XeroApp:
        """The Xero connection chosen in Setup; the demo until real Xero is chosen."""
        try:
            port = int(self.get("xero_redirect_port") or DEFAULT_REDIRECT_PORT)
        except ValueError:
            port = DEFAULT_REDIRECT_PORT
        return XeroApp(demo=self.get("xero_mode", default="demo") != "xero",
                       client_id=self.get("xero_client_id"), redirect_port=port)

    def save_xero_app(self, app: XeroApp) -> None:
        self.put({"xero_mode": "demo" if app.demo else "xero", "xero_client_id": app.client_id,
                  "xero_redirect_port": str(app.redirect_port)})

    def sync_settings(self, tenant_id: str | None = None) -> SyncSettings:
        """The saved setup of `tenant_id`, or of the organisation picked last."""
        tenant_id = self.get("tenant_id") if tenant_id is None else tenant_id
        if not tenant_id:
            return SyncSettings()
        return SyncSettings(
            tenant_id=tenant_id,
            tenant_name=self.get("tenant_name", tenant_id),
            clients_file=self.get("clients_file", tenant_id),
            client_sync_enabled=self.get("client_sync_enabled", tenant_id) == "1",
            keep_xero_names=self.get("names", tenant_id) == "xero",
        )

    def save_sync_settings(self, settings: SyncSettings) -> None:
        """Remember the organisation as the one picked, and its own setup."""
        self.put({"tenant_id": settings.tenant_id})
        self.put({"tenant_name": settings.tenant_name,
                  "clients_file": settings.clients_file,
                  "client_sync_enabled": "1" if settings.client_sync_enabled else "0",
                  "names": "xero" if settings.keep_xero_names else "timesolv"},
                 scope=settings.tenant_id)
