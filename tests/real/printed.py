"""What the real tools printed, read independently of perf_gate's parsers.

The tier checks perf-gate's names, units and values against these readings, so they share
no code with ``perf_gate/inputs/parsers/`` (its unit tables included).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

TIME_NS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
BYTES_PER_S = {
    "B/s": 1.0,
    "KiB/s": 1024.0,
    "MiB/s": 1024.0**2,
    "GiB/s": 1024.0**3,
    "TiB/s": 1024.0**4,
}

_TRIPLE = r"\[(\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\]"
_CRITERION_TIME = re.compile(rf"^(\S+)\s+time:\s+{_TRIPLE}\s*$", re.MULTILINE)
_CRITERION_THRPT = re.compile(rf"^\s+thrpt:\s+{_TRIPLE}\s*$")


def criterion_terminal(output: str) -> dict[str, float]:
    """``name time: [lo est hi]`` -> the estimate in ns; ``thrpt:`` on the next line ->
    ``<name> throughput`` in B/s (the crate's only throughput is bytes)."""
    found: dict[str, float] = {}
    lines = output.splitlines()
    for i, line in enumerate(lines):
        match = _CRITERION_TIME.match(line)
        if not match:
            continue
        name, _, _, est, unit, _, _ = match.groups()
        found[name] = float(est) * TIME_NS[unit]
        thrpt = _CRITERION_THRPT.match(lines[i + 1]) if i + 1 < len(lines) else None
        if thrpt:
            _, _, rate, rate_unit, _, _ = thrpt.groups()
            found[f"{name} throughput"] = float(rate) * BYTES_PER_S[rate_unit]
    return found


def criterion_tree(home: Path) -> dict[str, tuple[float, float, float]]:
    """Each benchmark of a criterion tree: criterion's typical estimate and its interval,
    what its terminal line prints: the slope of a linear sampling, else the mean."""
    found = {}
    for sample in home.rglob("new/sample.json"):
        estimates = json.loads((sample.parent / "estimates.json").read_text())
        typical = estimates.get("slope") or estimates["mean"]
        interval = typical["confidence_interval"]
        name = json.loads((sample.parent / "benchmark.json").read_text())["full_id"]
        found[name] = (
            typical["point_estimate"],
            interval["lower_bound"],
            interval["upper_bound"],
        )
    return found


def close(actual: float, expected: float, digits: int = 5) -> bool:
    """Equal to the ``digits`` significant digits the tool printed."""
    return abs(actual - expected) <= abs(expected) * 10.0 ** (1 - digits)
