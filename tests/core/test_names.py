"""The two-spaces rule and Xero's name equality, table-driven."""

from __future__ import annotations

import pytest

from xerosync_desktop.core.names import name_key, xero_name


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [
        ("John  Smith", "John _Smith"),
        ("John Smith", "John Smith"),
        ("  Acme Holdings LLC ", "Acme Holdings LLC"),
        ("A   B", "A _ B"),
        ("A    B", "A _ _B"),
        ("Quinn  &  Associates", "Quinn _& _Associates"),
        ("Tab\tSeparated", "Tab Separated"),
        ("Tab\t Space", "Tab _Space"),
        ("No\u00a0\u00a0Break", "No _Break"),
        ("Café Lumière", "Café Lumière"),
        ("", ""),
    ],
)
def test_xero_name(client_name: str, expected: str) -> None:
    assert xero_name(client_name) == expected


def test_xero_name_never_leaves_two_spaces() -> None:
    for spaces in range(1, 9):
        assert "  " not in xero_name("a" + " " * spaces + "b")


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        ("Acme", "ACME", True),
        ("Café Lumière", "Cafe Lumiere", True),
        ("John  Smith", "John Smith", True),
        (" John Smith ", "John Smith", True),
        ("John _Smith", "John Smith", False),
        ("John _Smith", "john _smith", True),
        ("Acme Ltd", "Acme Limited", False),
    ],
)
def test_name_key(left: str, right: str, equal: bool) -> None:
    assert (name_key(left) == name_key(right)) is equal


def test_rule_keeps_double_space_client_apart_from_single_space_contact() -> None:
    assert name_key(xero_name("John  Smith")) != name_key("John Smith")
    assert name_key(xero_name("John  Smith")) == name_key("John _Smith")
