"""The window as the user left it: its size and place, the tab, the tables' columns.

Public API: WindowState.

Kept in the store's settings (scope `window`, so per data folder), read when the window is
built and written when it closes: Qt's own saveGeometry() and header saveState() blobs, in
base64. A header's state is kept with its column names, so a state saved for other columns
(an earlier version's) is left unused rather than applied to the wrong ones. Failing to keep
the layout (a full or read-only disk) never stops the window closing: it is logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QTableView, QWidget

from ..errors import StoreError
from ..store import Store

log = logging.getLogger(__name__)
SCOPE = "window"


class WindowState:
    """Read and write the window's layout in one data folder's store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def restore_geometry(self, window: QWidget) -> bool:
        """Put the window where it was; False when nothing (usable) was kept."""
        blob = _blob(self._get("geometry"))
        return blob is not None and window.restoreGeometry(blob)

    def last_tab(self) -> int | None:
        """The tab shown when the window last closed."""
        text = self._get("tab")
        return int(text) if text.isdigit() else None

    def restore_columns(self, name: str, table: QTableView) -> None:
        """The widths, order, hidden columns and sort of table `name`, if kept for these
        columns."""
        kept = self._get(f"columns.{name}")
        try:
            saved = json.loads(kept) if kept else None
        except ValueError:
            saved = None
        if not isinstance(saved, dict) or saved.get("headers") != _headers(table):
            return
        blob = _blob(saved.get("state"))
        if blob is not None:
            table.horizontalHeader().restoreState(blob)

    def save(self, window: QWidget, tab: int, tables: Mapping[str, QTableView]) -> None:
        """Keep the window's layout now (at close)."""
        values = {"geometry": _text(window.saveGeometry()), "tab": str(tab)}
        for name, table in tables.items():
            values[f"columns.{name}"] = json.dumps({
                "headers": _headers(table),
                "state": _text(table.horizontalHeader().saveState())})
        try:
            with self._store.transaction():
                self._store.settings.put(values, scope=SCOPE)
        except StoreError as exc:  # a sick disk: the layout is only a convenience
            log.warning("the window's layout was not kept: %s", exc.message)

    def _get(self, key: str) -> str:
        try:
            return self._store.settings.get(key, scope=SCOPE)
        except StoreError as exc:
            log.warning("the window's layout was not read: %s", exc.message)
            return ""


def _headers(table: QTableView) -> list[str]:
    model = table.model()
    return [str(model.headerData(c, Qt.Orientation.Horizontal))
            for c in range(model.columnCount())]


def _text(blob: QByteArray) -> str:
    return bytes(blob.toBase64().data()).decode("ascii")


def _blob(text: object) -> QByteArray | None:
    if not isinstance(text, str) or not text:
        return None
    blob = QByteArray.fromBase64(text.encode("ascii", "replace"))
    return blob if not blob.isEmpty() else None
