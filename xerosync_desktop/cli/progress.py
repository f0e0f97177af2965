"""Progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise.

Public API: ProgressDisplay.

A log file or a cron mail gets one line per step (each distinct text once); a terminal gets
one line rewritten with `\\r`, which `clear()` erases before any other output is written.
"""

from __future__ import annotations

import shutil
from typing import TextIO

from ..sync.events import Progress, Waiting

BAR_WIDTH = 24


class ProgressDisplay:
    """Shows a job's `Progress` events on one stream (stderr)."""

    def __init__(self, stream: TextIO, interactive: bool | None = None) -> None:
        self._stream = stream
        self.interactive = _is_terminal(stream) if interactive is None else interactive
        self._shown = 0  # characters of the bar now on the terminal line
        self._last = ""

    def show(self, progress: Progress) -> None:
        """Draw `progress`: redraw the bar, or write a line when its text is new."""
        text = progress.text or (f"{progress.done} of {progress.total}"
                                 if progress.total else "")
        if self.interactive:
            self._draw(_bar(progress) + text if progress.total else text)
        elif text and text != self._last:
            self._last = text
            self._stream.write(text + "\n")
            self._stream.flush()

    def wait(self, waiting: Waiting) -> None:
        """A countdown while the job waits for Xero: redrawn each second on a terminal,
        one line when the wait starts otherwise."""
        if self.interactive:
            self._draw(f"{waiting.reason}: {waiting.seconds} s…" if waiting.seconds else "")
        elif waiting.seconds and not self._last.startswith(waiting.reason):
            self.show(Progress(0, 0, f"{waiting.reason}: waiting {waiting.seconds} s…"))
        elif not waiting.seconds:
            self._last = ""

    def note(self, text: str) -> None:
        """A step without a count, such as signing in."""
        self.show(Progress(0, 0, text))

    def clear(self) -> None:
        """Erase the bar, so what is written next starts on a clean line."""
        if self._shown:
            self._stream.write("\r" + " " * self._shown + "\r")
            self._stream.flush()
            self._shown = 0

    def _draw(self, line: str) -> None:
        width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
        line = line[:width]
        padding = " " * max(0, self._shown - len(line))
        self._stream.write("\r" + line + padding)
        self._stream.flush()
        self._shown = len(line)


def _bar(progress: Progress) -> str:
    fraction = min(1.0, max(0.0, progress.done / progress.total)) if progress.total else 0.0
    filled = round(fraction * BAR_WIDTH)
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {fraction:4.0%}  "


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or a stand-in without isatty()
        return False
