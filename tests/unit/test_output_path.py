"""Workbooks are never written over an input, however the path is spelled."""

from __future__ import annotations

from pathlib import Path

import pytest

from xerosync_desktop.errors import OutputPathError
from xerosync_desktop.excel.output_path import checked_output


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
