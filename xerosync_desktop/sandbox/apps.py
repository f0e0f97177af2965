"""Xero apps registered with the sandbox, as at developer.xero.com/app/manage, and their text form.

Public API: AppRegistration, parse_app(), APP_TYPES.

With no registration the sandbox knows every client id, any loopback redirect URI and any
scope (the demo and most tests). With registrations it knows only those client ids, and checks
each sign-in as Xero does:

- an unknown client id, or a redirect URI not registered character for character: Xero shows
  its own error page at /identity/connect/authorize and never goes back to the app;
- a scope the app may not use: back to the app with `error=invalid_scope`;
- `type=custom` (a Custom connection, machine to machine only): back with
  `error=unauthorized_client` (unverified: Xero may show its error page instead);
- `type=web` (a Web app): the token endpoint wants its client secret (form `client_secret` or
  HTTP Basic) and answers `invalid_client` without it, as the revocation endpoint does;
- `type=pkce` (a Mobile or desktop app, the default): no secret, the code verifier instead.

Text form (`--app`): `CLIENT_ID[:key=value[,key=value...]]`, keys `redirect=URI` (repeatable),
`scopes=offline_access+accounting.contacts` (`+` or spaces between), `type=pkce|web|custom`,
`secret=S` (web apps); e.g. `ABC123:redirect=http://localhost:8765/callback,type=web`.
"""

from __future__ import annotations

from dataclasses import dataclass

APP_TYPES = ("pkce", "web", "custom")
_KEYS = ("redirect", "scopes", "type", "secret")


@dataclass(frozen=True)
class AppRegistration:
    """One Xero app: its client id, redirect URIs, the scopes it may ask for and its type.

    Empty `redirect_uris`: any loopback redirect URI; `scopes` None: any scope.
    """

    client_id: str
    redirect_uris: tuple[str, ...] = ()
    scopes: tuple[str, ...] | None = None
    app_type: str = "pkce"
    client_secret: str = ""

    def __post_init__(self) -> None:
        if not self.client_id.strip():
            raise ValueError("An app registration needs a client id.")
        if self.app_type not in APP_TYPES:
            raise ValueError(f"Unknown app type {self.app_type!r}: use one of "
                             f"{', '.join(APP_TYPES)}.")
        object.__setattr__(self, "client_id", self.client_id.strip())
        object.__setattr__(self, "redirect_uris", tuple(self.redirect_uris))
        if self.scopes is not None:
            object.__setattr__(self, "scopes", tuple(self.scopes))

    def allows_redirect(self, uri: str) -> bool:
        """Whether `uri` is registered, compared character for character as Xero does."""
        return not self.redirect_uris or uri in self.redirect_uris

    def refused_scopes(self, scopes: list[str]) -> list[str]:
        """The asked-for scopes this app may not use."""
        return [] if self.scopes is None else [s for s in scopes if s not in self.scopes]

    def secret_matches(self, secret: str) -> bool:
        """A web app's secret check; a PKCE app has no secret and passes."""
        if self.app_type != "web":
            return True
        return bool(self.client_secret) and secret == self.client_secret


def parse_app(text: str) -> AppRegistration:
    """An AppRegistration from its text form; ValueError with a sentence when malformed."""
    client_id, _, rest = text.strip().partition(":")
    redirects: list[str] = []
    fields: dict[str, str] = {}
    for item in (part for part in rest.split(",") if part.strip()):
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in _KEYS:
            keys = ", ".join(k + "=" for k in _KEYS)
            raise ValueError(f"Unknown app setting {item!r}: use {keys}")
        if key == "redirect":
            redirects.append(value.strip())
        else:
            fields[key] = value.strip()
    scopes = None
    if "scopes" in fields:
        scopes = tuple(fields["scopes"].replace("+", " ").split())
    return AppRegistration(client_id=client_id, redirect_uris=tuple(redirects), scopes=scopes,
                           app_type=fields.get("type", "pkce"),
                           client_secret=fields.get("secret", ""))
