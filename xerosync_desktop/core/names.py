"""Name rules: how a TimeSolv client name becomes a Xero contact name, and Xero's name equality.

Public API: xero_name(), name_key(), NAME_MAX_LENGTH.

Xero treats two contact names as the same when they differ only in case, accents or runs of
whitespace, so `John  Smith` would collide with (and overwrite, on POST) a contact `John Smith`.
TimeSolv's rule keeps them apart: two consecutive spaces become a space and an underscore.
"""

from __future__ import annotations

import re
import unicodedata

NAME_MAX_LENGTH = 255

_ANY_WHITESPACE = re.compile(r"\s")
_WHITESPACE_RUN = re.compile(r"\s+")


def xero_name(client_name: str) -> str:
    """The contact name a client gets in Xero: trimmed, every two consecutive spaces -> ' _'.

    Tabs, line breaks and non-breaking spaces count as spaces first, since Xero would collapse
    them too. `'John  Smith'` -> `'John _Smith'`; three spaces -> `' _ '`.
    """
    spaced = _ANY_WHITESPACE.sub(" ", client_name).strip()
    return spaced.replace("  ", " _")


def name_key(name: str) -> str:
    """The key under which Xero considers two contact names equal.

    Case- and accent-insensitive, surrounding whitespace trimmed, whitespace runs collapsed.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WHITESPACE_RUN.sub(" ", bare).strip().casefold()
