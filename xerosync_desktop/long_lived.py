"""Keeping a job's long-lived data out of the garbage collector's full passes.

Public API: freeze_long_lived().

A full collection walks every object the collector tracks while holding the GIL: with a
10,000-client review and its plan alive, each pass takes 100-150 ms, and the window cannot
paint meanwhile (the bench measured its stalls there, with nothing to collect). Those
objects live until the job ends and hold no reference cycles (frozen dataclasses, tuples,
strings), so moving them to the permanent generation changes nothing but the pauses. The
app does the same with its start-up objects (gui/responsiveness.py). Objects frozen here
are still freed as usual when their last reference goes; only a reference cycle among them
would outlive the job.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Everything alive now is left out of later collections (see the module docstring).

    A collection first, so that no garbage in reference cycles is frozen with it (it would
    never be freed): it walks only what was made since the last freeze, a page's or a
    batch's worth, as the frozen objects are skipped.
    """
    gc.collect()
    gc.freeze()
