"""Pausing Python's cyclic garbage collector while a load builds its per-item structures.

Ensure Entities holds every input item and an index of the stored objects it compares them with:
hundreds of thousands of dictionaries made in a burst. Each burst triggers collections that walk
every object in the process, and inside Robot that includes Robot's own model: measured through
Robot (bench/perf_bench.py, keywords part), 0.2 s of 1.5 s for 100,000 items. None of these
dictionaries forms a reference cycle, so nothing is left for the collector to find: pausing it costs
no memory, and it runs again, as before, when the load ends (also on an error or an interrupt).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector for the ``with`` block; leave it as found (already paused stays paused)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
