"""Interpreter settings that keep the window responsive while a worker thread is busy.

Public API: keep_window_responsive().

Both threads share one GIL. A busy worker hands it over only every `sys.getswitchinterval()`
(5 ms by default), and every call from Qt into Python (a slot, a model's `data()` while the
view paints) must wait for it: a repaint makes dozens of such calls. A full garbage
collection in the worker holds the GIL while it scans every tracked object, so the objects
made at start-up (Qt's and the Xero SDK's modules) are frozen out of the collector, and
full collections come a tenth as often: each one walks every object not frozen (a job's
data while it is being made), and the jobs make no reference cycles for it to find
(long_lived.py freezes what they keep at each page and batch).
"""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL = 0.0001  # seconds
FULL_COLLECTION_EVERY = 100  # collections of the middle generation (Python's default: 10)


def keep_window_responsive() -> None:
    """Call once the window is built: shorter GIL turns, start-up objects frozen."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
    gc.collect()
    gc.freeze()
