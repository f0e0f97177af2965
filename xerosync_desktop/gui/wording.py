"""Counts in words, as the tabs' messages say them.

Public API: clients(), rows().
"""

from __future__ import annotations


def clients(count: int, one: str = "", many: str = "") -> str:
    """'1 client is' / '3 clients are': a count with its noun (and verb) agreeing."""
    words = f"client {one}" if count == 1 else f"clients {many}"
    return f"{count} {words.strip()}"


def rows(count: int) -> str:
    """'1 row' / '3 rows'."""
    return f"{count} row{'' if count == 1 else 's'}"
