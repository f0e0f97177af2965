"""GET /Contacts filters: the `where` language, `order`, `If-Modified-Since`.

Public API: QueryError, parse_where(), parse_order(), sort_contacts(), parse_if_modified_since().

`where` grammar (the subset of Xero's filter language the sandbox knows):
    expr   := term (("OR" | "||") term)*
    term   := factor (("AND" | "&&") factor)*
    factor := "(" expr ")" | Field ("==" | "!=") value | Field "." Method "(" string ")"
    value  := "string" | Guid("...") | true | false | null
    Method := Contains | StartsWith | EndsWith
Name equality uses the name key; the other text fields compare case- and accent-insensitively,
except ContactNumber (exact). Unknown fields or bad syntax raise QueryError.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import re
from collections.abc import Callable
from typing import Any

from .rules import fold, is_guid, name_key

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<op>==|!=|&&|\|\||[().,])
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<bad>\S)
    )""", re.VERBOSE)
_TEXT = {"name": "Name", "firstname": "FirstName", "lastname": "LastName",
         "emailaddress": "EmailAddress", "accountnumber": "AccountNumber",
         "companynumber": "CompanyNumber", "contactnumber": "ContactNumber",
         "taxnumber": "TaxNumber", "contactstatus": "ContactStatus", "contactid": "ContactID"}
_BOOL = {"issupplier": "IsSupplier", "iscustomer": "IsCustomer",
         "hasattachments": "HasAttachments"}
_ORDER = {**_TEXT, "updateddateutc": "UpdatedDateUTC"}
_METHODS = {"contains": str.__contains__, "startswith": str.startswith,
            "endswith": str.endswith}


class QueryError(ValueError):
    """A `where` or `order` the sandbox cannot read; the message says why."""


def _normal(field: str, value: str) -> str:
    if field == "Name":
        return name_key(value)
    if field == "ContactNumber":
        return value
    if field in ("ContactID", "ContactStatus"):
        return value.strip().lower()
    return fold(value)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind is None:
                continue
            if kind == "bad":
                raise QueryError(f"Unexpected character {match.group(kind)!r} in where clause.")
            self.tokens.append((kind, match.group(kind)))
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (expected is not None and token[1] != expected):
            want = f"{expected!r}" if expected else "more input"
            raise QueryError(f"Expected {want} in where clause but found {token[1] or 'the end'}.")
        self.pos += 1
        return token

    def is_word(self, *words: str) -> bool:
        kind, text = self.peek()
        return (kind == "word" and text.upper() in words) or (kind == "op" and text in words)

    def expr(self) -> Predicate:
        parts = [self.term()]
        while self.is_word("OR", "||"):
            self.take()
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else (lambda c: any(p(c) for p in parts))

    def term(self) -> Predicate:
        parts = [self.factor()]
        while self.is_word("AND", "&&"):
            self.take()
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else (lambda c: all(p(c) for p in parts))

    def factor(self) -> Predicate:
        if self.peek() == ("op", "("):
            self.take()
            inner = self.expr()
            self.take(")")
            return inner
        kind, word = self.take()
        lowered = word.lower()
        if kind != "word" or (lowered not in _TEXT and lowered not in _BOOL):
            raise QueryError(f"Unknown field {word!r} in where clause.")
        if self.peek() == ("op", "."):
            return self.method(_TEXT.get(lowered, ""), word)
        op = self.take()[1]
        if op not in ("==", "!="):
            raise QueryError(f"Expected == or != after {word} in where clause.")
        value = self.value()
        test = (self.bool_test(_BOOL[lowered], value) if lowered in _BOOL
                else self.text_test(_TEXT[lowered], value))
        return test if op == "==" else (lambda c: not test(c))

    def method(self, field: str, word: str) -> Predicate:
        self.take(".")
        name = self.take()[1]
        call = _METHODS.get(name.lower())
        if call is None or not field:
            raise QueryError(f"{word}.{name}() is not supported in where clause.")
        self.take("(")
        kind, literal = self.take()
        if kind != "string":
            raise QueryError(f"{word}.{name}() needs a quoted string.")
        self.take(")")
        needle = fold(_unquote(literal))
        return lambda c: call(fold(str(c.get(field) or "")), needle)

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return _unquote(text)
        lowered = text.lower()
        if lowered == "guid":
            self.take("(")
            kind, literal = self.take()
            self.take(")")
            guid = _unquote(literal) if kind == "string" else ""
            if not is_guid(guid):
                raise QueryError(f"Guid({literal}) is not a valid GUID.")
            return guid
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered == "null":
            return None
        raise QueryError(f"Unexpected value {text!r} in where clause.")

    @staticmethod
    def bool_test(field: str, value: Any) -> Predicate:
        if not isinstance(value, bool):
            raise QueryError(f"{field} can only be compared with true or false.")
        return lambda c: bool(c.get(field, False)) is value

    @staticmethod
    def text_test(field: str, value: Any) -> Predicate:
        if value is None:
            return lambda c: not c.get(field)
        if not isinstance(value, str):
            raise QueryError(f"{field} can only be compared with a quoted string.")
        wanted = _normal(field, value)
        return lambda c: bool(c.get(field)) and _normal(field, str(c[field])) == wanted


def _unquote(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


def parse_where(text: str) -> Predicate:
    """A predicate over stored contacts for a `where` clause."""
    parser = _Parser(text)
    if parser.peek()[0] == "end":
        return lambda c: True
    predicate = parser.expr()
    if parser.peek()[0] != "end":
        raise QueryError(f"Unexpected {parser.peek()[1]!r} in where clause.")
    return predicate


def parse_order(text: str) -> list[tuple[str, bool]]:
    """`Name ASC, UpdatedDateUTC DESC` as [(field, descending)]."""
    order = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        words = part.split()
        field = _ORDER.get(words[0].lower())
        direction = words[1].upper() if len(words) > 1 else "ASC"
        if field is None or len(words) > 2 or direction not in ("ASC", "DESC"):
            raise QueryError(f"Cannot order by {part!r}.")
        order.append((field, direction == "DESC"))
    return order


def _sort_value(contact: dict[str, Any], field: str) -> Any:
    if field == "UpdatedDateUTC":
        return contact["UpdatedDateUTC"]
    return _normal(field, str(contact.get(field) or ""))


def sort_contacts(contacts: list[dict[str, Any]], order: list[tuple[str, bool]]
                  ) -> list[dict[str, Any]]:
    """Contacts sorted by `order`, ties broken by ContactID ascending."""
    result = sorted(contacts, key=lambda c: c["ContactID"])
    for field, descending in reversed(order):
        result.sort(key=functools.partial(_sort_value, field=field), reverse=descending)
    return result


def parse_if_modified_since(value: str) -> int | None:
    """The instant of an If-Modified-Since header in microseconds since the epoch.

    Accepts ISO-8601 as the SDK sends it (`2026-05-01T10:00:00`, with or without an offset or
    microseconds; naive means UTC) and RFC 1123 dates. Unreadable values give None: the header
    is then ignored, as HTTP prescribes.
    """
    text = value.strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
