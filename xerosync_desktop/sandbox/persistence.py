"""Saving sandbox state to one JSON file so that a killed sandbox never leaves it corrupt.

Public API: read_state_file(), write_state_file(), StateFileError.

Writes go to a temporary file in the same directory, are flushed and fsynced, then replace the
old file with os.replace(): a reader sees the old state or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


class StateFileError(ValueError):
    """The state file exists but does not hold sandbox state."""


def read_state_file(path: Path) -> dict[str, Any] | None:
    """The saved state, or None when there is no file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise StateFileError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != "xero-sandbox" or "orgs" not in data:
        raise StateFileError(f"{path} does not hold Xero sandbox state")
    return data


def write_state_file(path: Path, data: dict[str, Any]) -> None:
    """Replace the file at `path` with `data`, atomically."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(payload)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
