"""NumPy comes in with one BLAS thread, and the user's thread settings are as they were.

Each case imports in a fresh interpreter (the first import is the one that counts) and
reports the threads the process has and the variables it would hand to a child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from perf_gate.core.lazy_numpy import THREAD_VARIABLES

PROBE = """
import json, os, sys
from perf_gate.core.lazy_numpy import THREAD_VARIABLES
if sys.argv[1] == "lazy":
    from perf_gate.core.lazy_numpy import numpy
    module = numpy()
else:
    import numpy as module
module.ones(3).sum()
print(json.dumps({
    "threads": len(os.listdir("/proc/self/task")),
    "environment": {name: os.environ.get(name) for name in THREAD_VARIABLES},
    "numpy": module.__name__,
}))
"""


def imported(how: str, environment: dict[str, str]) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, how],
        capture_output=True,
        text=True,
        env={**clean, **environment},
        timeout=60,
        check=True,
    )
    result: dict[str, object] = json.loads(proc.stdout)
    return result


needs_cores = pytest.mark.skipif(
    (os.cpu_count() or 1) < 2, reason="OpenBLAS starts one thread per core"
)


@needs_cores
def test_a_plain_import_starts_a_blas_thread_per_core() -> None:
    """What the lazy import avoids (so the test below can fail)."""
    assert imported("plain", {})["threads"] > 1


@needs_cores
def test_the_lazy_import_starts_no_blas_thread_and_leaves_no_variable_set() -> None:
    result = imported("lazy", {})
    assert result["numpy"] == "numpy"
    assert result["threads"] == 1
    assert result["environment"] == dict.fromkeys(THREAD_VARIABLES)


def test_the_users_thread_settings_are_put_back_for_the_benchmarks() -> None:
    mine = {"OPENBLAS_NUM_THREADS": "4", "OMP_NUM_THREADS": "3"}
    result = imported("lazy", mine)
    assert result["environment"] == {**dict.fromkeys(THREAD_VARIABLES), **mine}
    assert result["threads"] == 1
