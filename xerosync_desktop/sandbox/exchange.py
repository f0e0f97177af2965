"""One HTTP exchange as the handlers see it: a parsed Request in, a Response out.

Public API: Request, Response, json_response(), text_response(), html_response(),
JSON_TYPE, NOT_FOUND_TEXT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import parse_qsl

from .shapes import json_bytes

JSON_TYPE = "application/json; charset=utf-8"
NOT_FOUND_TEXT = "The resource you're looking for cannot be found"


@dataclass(frozen=True)
class Request:
    """Method, path (still percent-encoded), query, headers (lower-case names) and body."""

    method: str
    path: str
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    too_large: bool = False

    def header(self, name: str) -> str | None:
        """A header value by case-insensitive name."""
        return self.headers.get(name.lower())

    def params(self) -> dict[str, str]:
        """Query parameters by lower-case name (first value wins), `+` read as a space."""
        result: dict[str, str] = {}
        for key, value in parse_qsl(self.query_string, keep_blank_values=True):
            result.setdefault(key.lower(), value)
        return result

    def form(self) -> dict[str, str]:
        """An application/x-www-form-urlencoded body (first value wins)."""
        result: dict[str, str] = {}
        text = self.body.decode("utf-8", errors="replace")
        for key, value in parse_qsl(text, keep_blank_values=True):
            result.setdefault(key, value)
        return result

    def bearer(self) -> str:
        """The bearer token of the Authorization header, or ''."""
        scheme, _, token = (self.header("authorization") or "").strip().partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""


@dataclass
class Response:
    """Status, body, content type and extra headers.

    `close`: answer, then close the connection. `drop`: close it without answering at all.
    """

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False
    drop: bool = False


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response in Xero's content type."""
    return Response(status, json_bytes(data), JSON_TYPE, dict(headers or {}))


def text_response(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text response (Xero's 404 is text)."""
    return Response(status, text.encode("utf-8"), "text/plain; charset=utf-8",
                    dict(headers or {}))


def html_response(status: int, title: str, text: str) -> Response:
    """A small HTML page, for the browser-facing authorize endpoint."""
    page = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            f"</head><body><h1>{escape(title)}</h1><p>{escape(text)}</p></body></html>")
    return Response(status, page.encode("utf-8"), "text/html; charset=utf-8")
