"""NumPy, imported when a batch first needs it, with its BLAS held to one thread.

NumPy is only worth its import (0.06 s of CPU) for suites of hundreds of benchmarks, so
nothing imports it at start-up. OpenBLAS, which NumPy loads, starts a thread per core at
load time and they spin, burning CPU the gate never uses (0.12 s instead of 0.06 s here);
it reads its thread count from the environment then and only then. So the variables are
set to 1 around the import and the user's own values (or their absence) put back right
after: the benchmark commands ``perf-gate run`` starts later inherit what the user set.

This writes the process environment for the length of one import; it reads nothing that
configures the gate (the exception ``tests/unit/test_layers.py`` names).
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""What OpenBLAS (and MKL, in a NumPy built on it) read for their thread count at load."""


def numpy() -> ModuleType:
    """The ``numpy`` module, imported on the first call with one BLAS thread."""
    loaded = sys.modules.get("numpy")
    if loaded is not None:
        return loaded
    environment = os.environ
    saved = {name: environment.get(name) for name in THREAD_VARIABLES}
    environment.update(dict.fromkeys(THREAD_VARIABLES, "1"))
    try:
        return importlib.import_module("numpy")
    finally:
        for name, value in saved.items():
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
