"""The garbage collector while a run's inputs are read.

Reading 10,000 benchmarks makes millions of objects (parsed JSON, metrics, samples) and no
reference cycles, yet each full collection on the way walks all of them again, and so does every
later one (judging, rendering) though they live until the run ends. So the collector rests while
the inputs are read, and what was read is then moved out of its sight (:func:`gc.freeze`; still
freed when no longer referenced). A cycle made meanwhile stays uncollected: a few objects in a
process that is about to end.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def reading_inputs() -> Iterator[None]:
    """No collections while the body runs; what it made is frozen when it returns."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if was:
            gc.enable()
