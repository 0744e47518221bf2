"""How long the sample statistics take for a large suite.

Usage (from the repository root)::

    python benchmarks/bench_stats.py                 # 5,000 benchmarks x 100 samples, 7 repeats
    python benchmarks/bench_stats.py --benchmarks 1000 --samples 30 --repeats 5

Times :func:`perf_gate.judge.sample_verdict.judge_suite` on generated lognormal samples
(the same seed every time) in two shapes: one baseline run per benchmark, and one
baseline plus five earlier runs (suite history). Prints the median, fastest and
slowest of the repeats; the budget is 1 s for the first shape. Exits 1 when the
median exceeds ``--budget`` and ``--check`` is given.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from perf_gate.judge.sample_verdict import SampleCase, judge_suite


def make_cases(benchmarks: int, samples: int, history: int, seed: int) -> list[SampleCase]:
    """A suite of timing benchmarks; one in fifty is 10 % slower."""
    rng = random.Random(seed)
    cases = []
    for b in range(benchmarks):
        level = rng.lognormvariate(0.0, 2.0)
        cv = rng.uniform(0.005, 0.05)

        def run(factor: float = 1.0, level: float = level, cv: float = cv) -> list[float]:
            return [factor * level * rng.lognormvariate(0.0, cv) for _ in range(samples)]

        cases.append(
            SampleCase(
                key=f"bench{b}",
                baseline=run(),
                current=run(1.10 if b % 50 == 0 else 1.0),
                tolerance_pct=5.0,
                direction="lower",
                history=[run() for _ in range(history)],
            )
        )
    return cases


def time_suite(cases: Sequence[SampleCase], repeats: int) -> list[float]:
    """Wall-clock seconds of ``judge_suite(cases)``, once per repeat."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        judge_suite(cases)
        times.append(time.perf_counter() - started)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmarks", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=1.0, help="seconds (default 1.0)")
    parser.add_argument("--check", action="store_true", help="exit 1 when over budget")
    args = parser.parse_args(argv)

    over = False
    for label, history in (("baseline only", 0), ("baseline + 5 earlier runs", 5)):
        cases = make_cases(args.benchmarks, args.samples, history, args.seed)
        times = time_suite(cases, args.repeats)
        middle = statistics.median(times)
        print(
            f"{args.benchmarks} benchmarks x {args.samples} samples, {label}: "
            f"median {middle:.3f} s (fastest {min(times):.3f} s, slowest {max(times):.3f} s, "
            f"{args.repeats} repeats)"
        )
        if history == 0 and middle > args.budget:
            over = True
            print(f"  over the {args.budget:g} s budget")
    return 1 if over and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
