"""``python -m perf_gate``."""

import sys

from perf_gate.cli import main

sys.exit(main())
