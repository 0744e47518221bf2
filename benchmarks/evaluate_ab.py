"""Show that same-job A/B interleaving catches what history mode cannot under drift.

Usage (from the repository root)::

    python benchmarks/evaluate_ab.py                 # 200 simulated PRs per shift and scenario
    python benchmarks/evaluate_ab.py --trials 50 --seed 7 --out results/ab.json

The simulated machine: a suite of benchmarks whose true times are fixed; every
measurement is ``true time × machine speed(t)^sensitivity × run jitter × sample noise``.
The machine speed varies slowly (a random walk in log space, plus a daily cycle):
a shared runner whose neighbours, thermal state and host change over hours and days.
How strongly a benchmark feels it (``sensitivity``) differs per benchmark in the
``uneven`` scenario (memory-bound code suffers more from noisy neighbours than
compute-bound code) and is the same for all in the ``even`` scenario.

Each simulated pull request slows two of the twenty benchmarks down by ``shift``
(0 % for the false-alarm rate) and is judged twice with the real verdict engine
(:func:`perf_gate.judge.sample_verdict.judge_suite`, tolerance 5 %, alpha 0.05):

* ``history``: the baseline is the last nightly run on the default branch, with the
  four nightly runs before it as history (what ``perf-gate finalize --baseline``
  does); the PR's run happens a few hours after the newest nightly.
* ``ab``: base and head built in the same job and run interleaved ``A B A B ...``
  for five rounds of two minutes each; each round gives one value per side.
* ``ab+confirm``: ``ab``, then the suspects (beyond the tolerance but not clearly,
  :mod:`perf_gate.judge.confirm`) measured for three more rounds of ``B A``, pooled with
  the first five, and the suite judged again (what ``confirm:`` does in ``perf-gate run``).

Reported per mode, scenario and shift: the share of shifted benchmarks that fail
(detection) and the share of unshifted benchmarks that fail (false alarms).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from perf_gate.judge.confirm import is_suspect
from perf_gate.judge.sample_verdict import SampleCase, judge_suite

SUITE = 20
SHIFTED = 2
SAMPLES = 10  # per nightly or PR run (criterion-like samples)
ROUNDS = 5  # A/B rounds
CONFIRM_ROUNDS = 3  # extra B A rounds for the suspects
ROUND_MINUTES = 2.0
NIGHTLIES = 5
TOLERANCE = 5.0
SHIFTS = (0.0, 0.05, 0.10, 0.20)
SAMPLE_SD = 0.02  # within-run noise of one sample
JITTER_SD = 0.01  # run-to-run noise of a whole run on the same machine state
DRIFT_STEP_SD = 0.012  # per hour, log scale
DAILY_AMPLITUDE = 0.03


@dataclass(frozen=True)
class Machine:
    """Slowly varying speed: ``log speed(t)`` for ``t`` in hours."""

    walk: tuple[float, ...]  # one value per hour
    phase: float

    @classmethod
    def random(cls, rng: random.Random, hours: int) -> Machine:
        level, walk = 0.0, []
        for _ in range(hours + 1):
            walk.append(level)
            level += rng.gauss(0.0, DRIFT_STEP_SD)
        return cls(tuple(walk), rng.uniform(0, 2 * math.pi))

    def log_speed(self, hour: float) -> float:
        low = math.floor(hour)
        high = min(low + 1, len(self.walk) - 1)
        frac = hour - low
        walk = self.walk[low] * (1 - frac) + self.walk[high] * frac
        return walk + DAILY_AMPLITUDE * math.sin(2 * math.pi * hour / 24 + self.phase)


@dataclass(frozen=True)
class Suite:
    true_ns: tuple[float, ...]
    sensitivity: tuple[float, ...]


def make_suite(rng: random.Random, uneven: bool) -> Suite:
    return Suite(
        true_ns=tuple(math.exp(rng.uniform(math.log(1e3), math.log(1e7))) for _ in range(SUITE)),
        sensitivity=tuple(rng.uniform(0.0, 2.0) if uneven else 1.0 for _ in range(SUITE)),
    )


def run_samples(
    rng: random.Random, suite: Suite, machine: Machine, hour: float, slow: Sequence[float]
) -> list[list[float]]:
    """One run of the whole suite at ``hour``: ``SAMPLES`` per benchmark."""
    speed = machine.log_speed(hour)
    out = []
    for k in range(SUITE):
        level = math.log(suite.true_ns[k] * slow[k]) + speed * suite.sensitivity[k]
        level += rng.gauss(0.0, JITTER_SD)
        out.append([math.exp(level + rng.gauss(0.0, SAMPLE_SD)) for _ in range(SAMPLES)])
    return out


def judge_history(
    rng: random.Random, suite: Suite, machine: Machine, slow: Sequence[float], pr_hour: float
) -> list[str]:
    newest = math.floor(pr_hour / 24) * 24 + 2.0  # the nightly at 02:00 before the PR
    nightlies = [
        run_samples(rng, suite, machine, newest - 24 * j, [1.0] * SUITE)
        for j in reversed(range(NIGHTLIES))
    ]
    current = run_samples(rng, suite, machine, pr_hour, slow)
    cases = [
        SampleCase(
            key=f"bench{k}",
            baseline=nightlies[-1][k],
            current=current[k],
            tolerance_pct=TOLERANCE,
            direction="lower",
            history=tuple(run[k] for run in nightlies[:-1]),
        )
        for k in range(SUITE)
    ]
    return [v.status for v in judge_suite(cases)]


def _ab_rounds(
    rng: random.Random,
    suite: Suite,
    machine: Machine,
    slow: Sequence[float],
    start: float,
    order: str,
    rounds: int,
    into: dict[str, list[list[float]]],
) -> float:
    """``rounds`` rounds of ``order`` (``AB`` or ``BA``) from ``start``; the hour after."""
    step = ROUND_MINUTES / 60.0
    hour = start
    for _ in range(rounds):
        for side in order:
            factors = [1.0] * SUITE if side == "A" else list(slow)
            run = run_samples(rng, suite, machine, hour, factors)
            for k in range(SUITE):
                into[side][k].append(statistics.median(run[k]))  # one value per round
            hour += step
    return hour


def _ab_cases(rounds: dict[str, list[list[float]]]) -> list[SampleCase]:
    return [
        SampleCase(
            key=f"bench{k}",
            baseline=rounds["A"][k],
            current=rounds["B"][k],
            tolerance_pct=TOLERANCE,
            direction="lower",
        )
        for k in range(SUITE)
    ]


def judge_ab(
    rng: random.Random, suite: Suite, machine: Machine, slow: Sequence[float], pr_hour: float
) -> list[str]:
    rounds: dict[str, list[list[float]]] = {side: [[] for _ in range(SUITE)] for side in "AB"}
    _ab_rounds(rng, suite, machine, slow, pr_hour, "AB", ROUNDS, rounds)
    return [v.status for v in judge_suite(_ab_cases(rounds))]


def judge_ab_confirmed(
    rng: random.Random, suite: Suite, machine: Machine, slow: Sequence[float], pr_hour: float
) -> list[str]:
    """A/B, then the suspects (:func:`perf_gate.judge.confirm.is_suspect`) measured again for
    :data:`CONFIRM_ROUNDS` more rounds of ``B A``, pooled, and the suite judged again."""
    rounds: dict[str, list[list[float]]] = {side: [[] for _ in range(SUITE)] for side in "AB"}
    hour = _ab_rounds(rng, suite, machine, slow, pr_hour, "AB", ROUNDS, rounds)
    first = judge_suite(_ab_cases(rounds))
    suspects = [
        k
        for k, v in enumerate(first)
        if is_suspect(v.status, v.change_pct, (v.low_pct, v.high_pct), TOLERANCE, "lower")
    ]
    if not suspects:
        return [v.status for v in first]
    extra: dict[str, list[list[float]]] = {side: [[] for _ in range(SUITE)] for side in "AB"}
    _ab_rounds(rng, suite, machine, slow, hour, "BA", CONFIRM_ROUNDS, extra)
    for k in suspects:
        for side in "AB":
            rounds[side][k] += extra[side][k]
    return [v.status for v in judge_suite(_ab_cases(rounds))]


Judge = Callable[[random.Random, Suite, Machine, Sequence[float], float], list[str]]
MODES: dict[str, Judge] = {
    "history": judge_history,
    "ab": judge_ab,
    "ab+confirm": judge_ab_confirmed,
}


@dataclass
class Tally:
    shifted_fail: int = 0
    shifted: int = 0
    clean_fail: int = 0
    clean: int = 0

    @property
    def detection(self) -> float:
        return self.shifted_fail / self.shifted if self.shifted else float("nan")

    @property
    def false_alarm(self) -> float:
        return self.clean_fail / self.clean if self.clean else float("nan")


def evaluate(trials: int, seed: int) -> dict[str, dict[str, dict[str, Tally]]]:
    """tallies[scenario][mode][shift]"""
    out: dict[str, dict[str, dict[str, Tally]]] = {}
    for scenario in ("even", "uneven"):
        out[scenario] = {mode: {} for mode in MODES}
        for shift in SHIFTS:
            rng = random.Random(f"{seed}-{scenario}-{shift}")
            tallies = {mode: Tally() for mode in MODES}
            for _ in range(trials):
                suite = make_suite(rng, scenario == "uneven")
                machine = Machine.random(rng, hours=24 * (NIGHTLIES + 2))
                pr_hour = 24 * NIGHTLIES + 2.0 + rng.uniform(1.0, 20.0)
                chosen = set(rng.sample(range(SUITE), SHIFTED)) if shift else set()
                slow = [1.0 + shift if k in chosen else 1.0 for k in range(SUITE)]
                for mode, judge in MODES.items():
                    statuses = judge(random.Random(rng.random()), suite, machine, slow, pr_hour)
                    tally = tallies[mode]
                    for k, status in enumerate(statuses):
                        failed = status == "fail"
                        if k in chosen:
                            tally.shifted += 1
                            tally.shifted_fail += failed
                        else:
                            tally.clean += 1
                            tally.clean_fail += failed
            for mode in MODES:
                out[scenario][mode][f"{shift:.0%}"] = tallies[mode]
    return out


def render(results: dict[str, dict[str, dict[str, Tally]]], trials: int) -> str:
    lines = [
        f"A/B vs history under drift: {trials} simulated PRs per cell, {SUITE} benchmarks, "
        f"{SHIFTED} slowed down per PR, tolerance ±{TOLERANCE:g}%, alpha 0.05",
        "",
        "| Drift | Mode | False alarms (0%) | "
        + " | ".join(f"Detected +{s:.0%}" for s in SHIFTS if s)
        + " | False alarms on unshifted (+20% PRs) |",
        "|---|---|---|" + "---|" * (len(SHIFTS) - 1) + "---|",
    ]
    for scenario, modes in results.items():
        for mode, by_shift in modes.items():
            cells = [f"{by_shift['0%'].false_alarm:.1%}"]
            cells += [f"{by_shift[f'{s:.0%}'].detection:.1%}" for s in SHIFTS if s]
            cells.append(f"{by_shift[f'{SHIFTS[-1]:.0%}'].false_alarm:.1%}")
            lines.append(f"| {scenario} | {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240607)
    parser.add_argument("--out", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    results = evaluate(args.trials, args.seed)
    print(render(results, args.trials))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        data = {
            scenario: {
                mode: {
                    shift: {"detection": t.detection, "false_alarm": t.false_alarm}
                    for shift, t in by_shift.items()
                }
                for mode, by_shift in modes.items()
            }
            for scenario, modes in results.items()
        }
        args.out.write_text(json.dumps({"trials": args.trials, "results": data}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
