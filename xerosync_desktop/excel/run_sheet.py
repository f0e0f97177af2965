"""The Run sheet of a log workbook: what an auditor needs to know about one sync run.

Public API: run_rows(), moment_text(), size_text(), XERO_LABELS.

Which organisation and which Xero, the client file as it was read (absolute path, size,
modified time, SHA-256: compare it with the file you hold), when the run started and
finished, the app's version, how it ended, and every count. A run recorded by an earlier
version lacks some of these: its cells are left blank, never filled with a guess.

Times are text with their UTC offset (`2026-12-06 14:03:07 +01:00`), not Excel date cells:
Excel has no time zones, so a date cell alone would drop the offset, and one cell holding
the whole instant reads the same everywhere it is opened and pasted; written year first
with fixed widths, the times sort in time order as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from ..store.runs import RunRecord
from ..sync.events import OUTCOME_LABELS

XERO_LABELS = {"demo": "Demo sandbox", "real": "Real Xero"}
_UNFINISHED = ("running", "interrupted")  # outcomes whose counts were never stored
_UNITS = ("bytes", "KB", "MB", "GB", "TB")

Row = tuple[str, "str | int | None"]


def run_rows(run: RunRecord, entries: int, counted: Mapping[str, int]) -> list[Row]:
    """The sheet's Item/Value rows. `counted` are the log's lines per result (and
    'Need attention'): the counts of a run that never finished, whose record has none."""
    file = run.client_file
    unfinished = run.outcome in _UNFINISHED
    counts: Mapping[str, int | None] = counted if unfinished else {
        "Created": run.created, "Updated": run.updated, "Unchanged": run.unchanged,
        "Skipped": run.skipped, "Need attention": run.attention, "Failed": run.failed}
    rows: list[Row] = [
        ("Organisation", run.tenant_name),
        ("Tenant ID", run.tenant_id),
        ("Xero", XERO_LABELS.get(run.xero)),
        ("Client file", file.path if file else run.source_file),
        ("Client file size", size_text(file.size) if file else None),
        ("Client file modified", moment_text(file.modified) if file else None),
        ("Client file SHA-256", file.sha256 if file else None),
    ]
    if file and file.note:
        rows.append(("Client file note", file.note))
    rows += [
        ("Started", moment_text(run.started_at)),
        ("Finished", moment_text(run.finished_at)),
        ("Duration", _duration(run.started_at, run.finished_at)),
        ("App version", run.app_version or None),
        ("Outcome", OUTCOME_LABELS.get(run.outcome, run.outcome.capitalize())),
        ("Created", counts["Created"]),
        ("Updated", counts["Updated"]),
        ("Unchanged", counts["Unchanged"]),
        ("Skipped", counts["Skipped"]),
        ("Need attention (of the skipped)", counts["Need attention"]),
        ("Waiting for a decision (of the skipped)", None if unfinished else run.waiting),
        ("Failed", counts["Failed"]),
        ("Log entries", entries),
    ]
    if unfinished:
        rows.append(("Counts", "Counted from the log's lines: the run did not finish, so it "
                               "stored no counts of its own."))
    if run.message:
        rows.append(("Message", run.message))
    return rows


def moment_text(moment: datetime | None) -> str | None:
    """`2026-12-06 14:03:07 +01:00`: this computer's local time, with its offset from UTC."""
    if moment is None:
        return None
    local = moment.astimezone()
    offset = local.strftime("%z")  # +0100
    return f"{local:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"


def size_text(size: int) -> str:
    """`12,345 bytes (12.1 KB)`: the exact count, then as a file browser shows it."""
    exact = f"{size:,} byte{'' if size == 1 else 's'}"
    value, unit = float(size), 0
    while value >= 1024 and unit < len(_UNITS) - 1:
        value, unit = value / 1024, unit + 1
    return exact if unit == 0 else f"{exact} ({value:.1f} {_UNITS[unit]})"


def _duration(started: datetime, finished: datetime | None) -> str | None:
    """`0:01:23.4` (hours:minutes:seconds, to a tenth: a small run takes under one)."""
    if finished is None:
        return None
    tenths = max(0, round((finished - started) / timedelta(milliseconds=100)))
    seconds, tenth = divmod(tenths, 10)
    return f"{seconds // 3600}:{seconds // 60 % 60:02}:{seconds % 60:02}.{tenth}"
