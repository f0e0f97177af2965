"""Workbooks are never written over an input, however the path is spelled."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from xerosync_desktop.errors import OutputPathError
from xerosync_desktop.excel.output_path import (
    LOG_TITLE,
    REVIEW_TITLE,
    checked_output,
    default_name,
    unused_path,
)


def test_xlsx_is_added_and_other_paths_pass(tmp_path: Path) -> None:
    assert checked_output(tmp_path / "review") == tmp_path / "review.xlsx"
    assert checked_output(tmp_path / "review.XLSX") == tmp_path / "review.XLSX"
    assert checked_output(tmp_path / "log.csv", tmp_path / "clients.csv") == \
        tmp_path / "log.csv.xlsx"


def test_the_client_file_is_refused_however_spelled(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    clients = tmp_path / "clients.xlsx"
    clients.write_bytes(b"PK")
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.xlsx"
    link.symlink_to(clients)
    monkeypatch.chdir(tmp_path)
    for spelled in ("clients.xlsx", "clients", "./sub/../clients.xlsx", str(link)):
        with pytest.raises(OutputPathError, match="is the TimeSolv client file"):
            checked_output(spelled, clients)
    for spelled in ("", ".", str(tmp_path / "sub")):
        with pytest.raises(OutputPathError, match="is a folder"):
            checked_output(spelled, clients)
    assert clients.read_bytes() == b"PK"


WHEN = datetime(2026, 12, 6, 14, 3, 59)  # this computer's local time


@pytest.mark.parametrize(("organisation", "shown"), [
    ("Demo Company (US)", "Demo Company (US)"),
    ("Smith & Jones: Tax/Audit", "Smith & Jones Tax-Audit"),
    ('A*B?C"D<E>F|G\\H', "ABCDEF-G-H"),
    ("Trailing dots...", "Trailing dots"),
    ("  spaces \t and\nlines  ", "spaces and lines"),
    ("Ende. ", "Ende"),
    ("..", ""),
    ("", ""),
    ("CON", "CON"),  # a device name on Windows, but never the whole file name
    ("Zero\u200bwidth\u200d and \u202eright-to-left override", "Zerowidth and right-to-left "
     "override"),
    ("Bell\x07 and\x00 nul", "Bell and nul"),
    ("Cafe\u0301 Zoë", "Caf\u00e9 Zoë"),  # one form (NFC), as macOS and Windows agree
    ("東京会計事務所", "東京会計事務所"),
    ("-Dash- ", "Dash"),
])
def test_default_names_are_safe_file_names(organisation: str, shown: str) -> None:
    name = default_name(LOG_TITLE, organisation, WHEN)
    assert name == " - ".join(p for p in (LOG_TITLE, shown, "2026-12-06 1403") if p) + ".xlsx"
    assert_safe(name)


def test_a_long_organisation_name_is_cut_to_fit_any_file_system() -> None:
    for organisation in ("Partners " * 40, "東" * 200, "\U0001F600" * 200, "a." * 100):
        name = default_name(REVIEW_TITLE, organisation, WHEN)
        assert name.startswith(f"{REVIEW_TITLE} - ") and name.endswith(" - 2026-12-06 1403.xlsx")
        assert len(name.encode()) <= 200 and len(name) <= 130
        assert_safe(name)


def test_a_moment_is_named_in_local_time_and_a_stamp_as_given() -> None:
    moment = datetime(2026, 12, 6, 13, 3, tzinfo=UTC)
    assert default_name(LOG_TITLE, "Org", moment) == \
        f"Xero sync log - Org - {moment.astimezone():%Y-%m-%d %H%M}.xlsx"
    assert default_name(LOG_TITLE, "Org", "2026-12-06 14:03") == \
        "Xero sync log - Org - 2026-12-06 1403.xlsx"
    assert default_name(LOG_TITLE, "Org", "") == "Xero sync log - Org.xlsx"


def test_the_names_can_be_written(tmp_path: Path) -> None:
    for organisation in ("Smith & Jones: Tax/Audit", "東" * 200, "\u202eexe.xlsx", "a/../b"):
        path = tmp_path / default_name(LOG_TITLE, organisation, WHEN)
        path.write_bytes(b"x")
        assert path.parent == tmp_path and path.read_bytes() == b"x"


def test_an_unused_path_counts_up(tmp_path: Path) -> None:
    name = "Xero sync log - Org - 2026-12-06 1403.xlsx"
    assert unused_path(tmp_path, name) == tmp_path / name
    (tmp_path / name).touch()
    assert unused_path(tmp_path, name).name == "Xero sync log - Org - 2026-12-06 1403 (2).xlsx"
    unused_path(tmp_path, name).touch()
    assert unused_path(tmp_path, name).name == "Xero sync log - Org - 2026-12-06 1403 (3).xlsx"


def assert_safe(name: str) -> None:
    assert not set(name) & set('/\\:*?"<>|'), name
    assert all(unicodedata.category(ch)[0] != "C" for ch in name), name
    assert name == unicodedata.normalize("NFC", name)
    assert "  " not in name and not name.startswith((" ", "."))
    stem = name.removesuffix(".xlsx")
    assert not stem.endswith((" ", ".")), name
