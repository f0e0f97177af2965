"""The progress display: a bar redrawn with \\r on a terminal, each new line once otherwise."""

from __future__ import annotations

import io

from xerosync_desktop.cli.console import Console
from xerosync_desktop.cli.progress import ProgressDisplay
from xerosync_desktop.sync.events import Progress


def test_a_terminal_gets_one_line_redrawn_and_erased_before_a_result() -> None:
    out, err = io.StringIO(), io.StringIO()
    console = Console(out, err, interactive=True)

    console.progress.show(Progress(0, 0, "Reading…"))
    console.progress.show(Progress(50, 200, "50 of 200 clients"))
    console.result("Sync finished.")

    assert "\n" not in err.getvalue()
    frames = err.getvalue().split("\r")
    assert frames[1] == "Reading…"
    assert frames[2].startswith("[######..................]  25%  50 of 200 clients")
    assert frames[-2].strip() == "" and frames[-1] == ""  # erased before the result
    assert out.getvalue() == "Sync finished.\n"


def test_without_a_terminal_each_new_text_is_one_line() -> None:
    err = io.StringIO()
    display = ProgressDisplay(err)

    for progress in (Progress(0, 0, "Reading…"), Progress(0, 0, "Reading…"),
                     Progress(50, 200, "50 of 200 clients"), Progress(60, 200)):
        display.show(progress)
    display.clear()

    assert err.getvalue() == "Reading…\n50 of 200 clients\n60 of 200\n"
