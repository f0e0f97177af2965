"""One version, from the package metadata (tests/gui/test_help_menu.py: it is pyproject's)."""

from __future__ import annotations

import pytest

import xerosync_desktop
from xerosync_desktop import UNKNOWN_VERSION, read_version
from xerosync_desktop.cli import main as cli_main


def test_a_copy_without_metadata_says_its_version_is_unknown() -> None:
    assert read_version("xerosync-desktop-never-installed") == UNKNOWN_VERSION


def test_xerosync_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["--version"]) == 0
    assert capsys.readouterr().out == f"xerosync {xerosync_desktop.__version__}\n"
