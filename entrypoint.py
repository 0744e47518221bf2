"""The container's entry point: the GitHub Action ``uses: org/perf-finalizer@v1``.

Thin on purpose: the runner's environment goes to :func:`perf_gate.action.run_step`, which
reads the ``INPUT_*`` variables, runs ``perf-gate finalize`` and writes the step's
outputs, job summary and annotations. Exit status: 0 pass (or fail-on: never), 1 the
gate fails, 2 bad input, more for other errors (see ``perf-gate --help``).
"""

import os
import sys

from perf_gate.action import run_step
from perf_gate.cli import main as cli_main


def main() -> int:
    """Run the step in the workspace; it calls the real CLI (the two entry points meet here)."""
    return run_step(os.environ, cli_main, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
