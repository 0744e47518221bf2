"""The container's entry point: the GitHub Action ``uses: org/perf-finalizer@v1``.

Thin on purpose: the runner's environment goes to :func:`perf_gate.action.run_step`, which
reads the ``INPUT_*`` variables, calls the ``finalize`` command (the same function
``perf-gate finalize`` calls, with a typed request, not argv) and writes the step's
outputs, job summary and annotations. Exit status: 0 pass (or fail-on: never), 1 the
gate fails, 2 bad input, more for other errors (see ``perf-gate --help``).
"""

import os
import sys

from perf_gate import cli
from perf_gate.action import Commands, run_step

COMMANDS = Commands(
    run=cli.guarded_command(cli.run_command),
    finalize=cli.guarded_command(cli.finalize_command),
)


def main() -> int:
    """Run the step in the workspace with the CLI's commands (the two entry points meet
    here); the environment is read here, once."""
    return run_step(os.environ, sys.stdout, COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
