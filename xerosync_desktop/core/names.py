"""Name rules: how a TimeSolv client name becomes a Xero contact name, and Xero's name equality.

Public API: clean_text(), has_invisible(), xero_name(), name_key(), NAME_MAX_LENGTH.

Xero treats two contact names as the same when they differ only in case, accents or runs of
whitespace, so `John  Smith` would collide with (and overwrite, on POST) a contact `John Smith`.
TimeSolv's rule keeps them apart: two consecutive spaces become a space and an underscore.

Before that rule, a name is put as Xero will store it: Unicode NFC (so a name typed on a Mac,
in NFD, is the same name as on Windows), without control characters (NUL, BEL ...) or
invisible format characters (zero-width spaces and joiners, direction marks, BOMs). Whitespace
is defined once, here: tabs, line breaks and non-breaking spaces are spaces.
"""

from __future__ import annotations

import re
import unicodedata

NAME_MAX_LENGTH = 255

_ANY_WHITESPACE = re.compile(r"\s")
_WHITESPACE_RUN = re.compile(r"\s+")
_INVISIBLE_CATEGORIES = ("Cc", "Cf")  # controls; format (zero-width, direction marks, BOM)
_ASCII_CONTROLS = {code: None for code in (*range(0x20), 0x7F) if not chr(code).isspace()}


def clean_text(text: str) -> str:
    """`text` in Unicode NFC, with control, invisible format and non-characters removed.

    Whitespace (tabs, line breaks) is kept for the rules below; nothing else is changed.
    """
    if text.isascii():
        return text if text.isprintable() else text.translate(_ASCII_CONTROLS)
    return "".join(ch for ch in unicodedata.normalize("NFC", text)
                   if ch.isspace() or (unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
                                       and not _is_noncharacter(ch)))


def has_invisible(text: str) -> bool:
    """True if `text` holds characters clean_text() leaves out (not just another Unicode
    spelling of the same letters)."""
    return clean_text(text) != unicodedata.normalize("NFC", text)


def _is_noncharacter(ch: str) -> bool:
    """U+FFFE, U+FFFF and the like: never text, and XML (so Excel) can't hold them."""
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE or 0xD800 <= code <= 0xDFFF


def xero_name(client_name: str) -> str:
    """The contact name a client gets in Xero: cleaned, trimmed, two spaces -> ' _'.

    Tabs, line breaks and non-breaking spaces count as spaces first, since Xero would collapse
    them too. Runs of spaces are read left to right: `'John  Smith'` -> `'John _Smith'`,
    three spaces -> `' _ '`, four -> `' _ _'`.
    """
    spaced = _ANY_WHITESPACE.sub(" ", clean_text(client_name)).strip()
    return spaced.replace("  ", " _")


def name_key(name: str) -> str:
    """The key under which Xero considers two contact names equal.

    Case- and accent-insensitive, surrounding whitespace trimmed, whitespace runs collapsed.
    """
    if name.isascii():  # nothing to decompose
        return _WHITESPACE_RUN.sub(" ", name).strip().casefold()
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WHITESPACE_RUN.sub(" ", bare).strip().casefold()
