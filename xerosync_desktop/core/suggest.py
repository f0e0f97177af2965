"""Suggestions: the Xero contact a client that would be New probably already is.

Public API: suggest(), company_key(), SPELLING_CUTOFF (the Suggestion type is in model.py).

A client whose name differs from its contact only by `Ltd`/`Limited`, `&`/`and`, punctuation
or word order would otherwise become a duplicate contact. For each such client the best free
contact is suggested, with its reason, strongest first:

1. the same email address;
2. the same name once case, accents, punctuation, `&`/`and`, `The` and legal-form words
   (`Ltd`, `Limited`, `Inc`, `LLC`, `LLP`, `PLLC`, `Co`, `Corp`, `PC`, `PA`, ...) are set aside;
3. the same words in another order (`Smith, John` / `John Smith`);
4. a close spelling: rapidfuzz's normalised Indel similarity of those keys at least
   SPELLING_CUTOFF percent, for keys of 6 characters or more that begin with the same
   letter (every such pair scored in C by `rapidfuzz.process.cdist`, which needs numpy).
   `Acme Holdings` and `Acme Plumbing` are 69 % alike, `Jonathan Smith` and `Jonathon
   Smith` 93 %.

A contact that differs only as the two-spaces rule keeps apart on purpose (`John  Smith` /
`John Smith`) is never suggested. An active contact is preferred to an archived one for the
same reason (an archived one is suggested only when no active one fits, and marked so).
Only contacts no client is paired with are candidates. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy
from rapidfuzz import fuzz, process

from .model import Client, Contact, Suggestion
from .names import name_key

SPELLING_CUTOFF = 90.0  # percent alike; tested both ways in tests/core/test_suggest.py
_MIN_FUZZY_KEY = 6  # shorter keys are too alike by chance ("Kim Lee" / "Kim Li")
# clients scored at once: cdist holds the GIL while it scores, so a chunk of 200 against 8,000
# contacts (about 15 ms) keeps the window's turns short; its scores are 1.6 MB
_CHUNK = 200

_LEGAL_FORMS = frozenset({
    "ltd", "limited", "inc", "incorporated", "llc", "llp", "pllc", "co", "company", "corp",
    "corporation", "pc", "pa", "plc", "lp",
})
_SET_ASIDE = _LEGAL_FORMS | {"the", "and"}
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")

SAME_EMAIL = "Same email address"
SAME_NAME = "Same name apart from case, accents, punctuation and legal form"
WORD_ORDER = "Same words in another order"


def _words(name: str) -> list[str]:
    bare = name.casefold()
    if not bare.isascii():  # accents set aside; an ASCII name (most) has none to remove
        bare = "".join(c for c in unicodedata.normalize("NFKD", bare)
                       if not unicodedata.combining(c))
    bare = bare.replace("&", " and ")
    words = _NOT_WORD.sub(" ", _APOSTROPHES.sub("", bare)).split()
    joined: list[str] = []  # initials run together: "L.L.C." -> "l l c" -> "llc"
    in_initials = False
    for word in words:
        initial = len(word) == 1 and word.isalpha()
        if initial and in_initials:
            joined[-1] += word
        else:
            joined.append(word)
        in_initials = initial
    return joined


def company_key(name: str) -> str:
    """`name` with case, accents, punctuation, `&`/`and`, `The` and legal forms set aside;
    the words themselves when nothing else is left (`The Company`)."""
    words = _words(name)
    kept = [w for w in words if w not in _SET_ASIDE]
    return " ".join(kept or words)


def suggest(clients: Iterable[Client], contacts: Sequence[Contact]) -> dict[str, Suggestion]:
    """Client id -> the best suggestion among `contacts` (those no client is paired with);
    clients without one are left out."""
    by_email: dict[str, list[Contact]] = defaultdict(list)
    by_key: dict[str, list[Contact]] = defaultdict(list)
    by_words: dict[str, list[Contact]] = defaultdict(list)
    keys: list[str] = []
    for contact in sorted(contacts, key=lambda c: c.is_archived):  # active ones first
        key = company_key(contact.name)
        if contact.email.strip():
            by_email[contact.email.strip().casefold()].append(contact)
        by_key[key].append(contact)
        by_words[" ".join(sorted(key.split()))].append(contact)
        keys.append(key)
    found: dict[str, Suggestion] = {}
    spell: list[tuple[str, str]] = []  # (client id, key) left for the close-spelling pass
    for client in clients:
        key = company_key(client.name)
        email = client.email.strip().casefold()
        kept_apart = False
        for reason, candidates in (
                (SAME_EMAIL, by_email.get(email) if email else None),
                (SAME_NAME, by_key.get(key)),
                (WORD_ORDER, by_words.get(" ".join(sorted(key.split()))))):
            if not candidates:
                continue
            free = [c for c in candidates if not _kept_apart(client.name, c.name)]
            kept_apart = kept_apart or len(free) < len(candidates)
            if free:
                found[client.client_id] = Suggestion(free[0], reason)
                break
        else:
            if len(key) >= _MIN_FUZZY_KEY and not kept_apart:
                spell.append((client.client_id, key))
    choices: dict[str, list[str]] = defaultdict(list)  # by first letter: see _close()
    for key in sorted({k for k in keys if len(k) >= _MIN_FUZZY_KEY}):
        choices[key[0]].append(key)
    waiting: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for client_id, key in spell:
        waiting[key[0]].append((client_id, key))
    for letter, part in waiting.items():
        for client_id, (key, score) in _close(part, choices.get(letter, [])).items():
            found[client_id] = Suggestion(by_key[key][0], f"Close spelling ({score}% alike)")
    return found


def _close(clients: list[tuple[str, str]], choices: list[str]) -> dict[str, tuple[str, int]]:
    """Client id -> (the closest key, its score) for those with one at SPELLING_CUTOFF.

    Only keys with the same first letter are compared (a typo rarely changes it): a
    100,000-row file against 4,000 free contacts is then about 15 times fewer pairs. Every
    pair of a chunk is scored at once in C (SIMD), a chunk of clients at a time to bound the
    memory and the time cdist holds the GIL.
    """
    best: dict[str, tuple[str, int]] = {}
    for start in range(0, len(clients) if choices else 0, _CHUNK):
        part = clients[start:start + _CHUNK]
        scores = process.cdist([key for _, key in part], choices, scorer=fuzz.ratio,
                               score_cutoff=SPELLING_CUTOFF, dtype=numpy.uint8, workers=1)
        for (client_id, _), column, row in zip(part, scores.argmax(axis=1), scores,
                                               strict=True):
            if row[column]:
                best[client_id] = (choices[column], int(row[column]))
    return best


def _kept_apart(client_name: str, contact_name: str) -> bool:
    """The article's rule keeps `John  Smith` apart from `John Smith` on purpose (it becomes
    `John _Smith`): a contact that differs only so is never suggested."""
    return "  " in client_name.strip() and name_key(client_name) == name_key(contact_name)
