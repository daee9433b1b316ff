"""Garbage-collector settings for long bulk loads.

An import allocates millions of short-lived tuples and strings, and keeps a batch of ten
thousand records alive at a time. With CPython's default thresholds the cyclic collector runs
every 700 container allocations and, every so often, walks every object alive, including
everything Django loaded at start-up: profiles of a 200,000-row import showed about a tenth
of the time in ``gc_collect_main``. Import rows hold no reference cycles, so collecting less
often frees the same memory later, not never.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

# Young-generation threshold during a bulk load: one collection per this many allocations.
BULK_THRESHOLD = 100_000


@contextlib.contextmanager
def bulk_gc() -> Iterator[None]:
    """Freeze what is alive now out of the collector's sight and collect rarely; undo after."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(BULK_THRESHOLD, previous[1], previous[2])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
