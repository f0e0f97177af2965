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

    The young generations are collected first, so that fresh garbage in reference cycles is
    not frozen with it (it would never be freed). Only they: a full collection would walk
    everything made since the last freeze (a whole review) while holding the GIL, the very
    pause freezing avoids (the Mapping table's load stalled 61 ms with it, 43 without).
    """
    gc.collect(1)
    gc.freeze()
