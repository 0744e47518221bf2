"""Measure false-fail and detection rates of the sample verdicts on real noise.

Usage (from the repository root)::

    python benchmarks/evaluate_detector.py                       # synthetic data (+ real data if
                                                                 # ../shared/data/noise exists)
    python benchmarks/evaluate_detector.py --data PATH           # real data in PATH only
    python benchmarks/evaluate_detector.py --synthetic-only
    python benchmarks/evaluate_detector.py --out results/eval    # also writes eval.json, eval.md

A *suite* is what one run of the gate would judge together. Pairs of runs of the
same code (A/A pairs) get a slowdown injected by multiplying the current samples
by ``1 + shift``: for each shift the suite is split at random into ten groups and
each group is shifted in turn while the rest stay as measured (a PR that slows
down about one benchmark in ten), so every benchmark is judged once per shift with
the suite-wide false-discovery control working as it would in a real run.

Datasets (found by file pattern under ``--data``):

- pyperf ``*.json.gz`` (a tuned, dedicated machine): the two halves of one
  benchmark's worker processes are the baseline and the current run; no history.
- asv results with raw samples (``*.tar.gz`` read in place, or extracted
  ``results/<machine>/*.json``; shared CI runners): each run against the run
  before it, with the five runs before that as history.
- criterion ``base/sample.json`` + ``new/sample.json`` (a developer machine).
- synthetic: generated from the seed, one dedicated-machine set and one
  shared-runner set with runner types, so a fresh clone can run the harness.

Rules compared: ``verdict`` (:func:`perf_gate.judge.sample_verdict.judge_summaries`),
``mean-ratio`` (fail when the mean ratio exceeds the tolerance), ``mann-whitney``
(fail when the two-sided Mann–Whitney test says the current run is slower at
p < 0.05) and, with history, ``history-PI`` (fail when the current log mean is
above the 95 % prediction interval of the earlier runs' log means and the mean
ratio exceeds the tolerance).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import multiprocessing
import random
import statistics
import sys
import tarfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from itertools import pairwise, product
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from perf_gate.judge.confirm import is_suspect
from perf_gate.judge.sample_verdict import (
    CaseSummary,
    RunSummary,
    SampleVerdict,
    judge_summaries,
    summarise_run,
)
from perf_gate.judge.stats import mann_whitney_u, student_t_quantile

SHIFTS = (0.0, 0.01, 0.025, 0.05, 0.08, 0.10, 0.15, 0.20)
TOLERANCE_PCT = 5.0
GROUPS = 10
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "noise"


@dataclass(frozen=True)
class Pair:
    """One benchmark of one suite: raw samples and the summary the verdict uses."""

    key: str
    baseline: tuple[float, ...]
    current: tuple[float, ...]
    history_log_means: tuple[float, ...]  # earlier runs and the baseline, oldest first
    summary: CaseSummary
    # Held-out runs of the same benchmark (not in this pair's window), scaled to the
    # current run's machine speed: what measuring the head again would give.
    reruns: tuple[tuple[float, ...], ...] = ()


@dataclass(frozen=True)
class Suite:
    """What one gate run would judge together."""

    name: str
    pairs: tuple[Pair, ...]


# --------------------------------------------------------------------------- loading


def make_pair(
    key: str,
    baseline: Sequence[float],
    current: Sequence[float],
    history: Sequence[Sequence[float]],
    reruns: tuple[tuple[float, ...], ...] = (),
) -> Pair | None:
    """Build a pair from positive samples; ``None`` when a run has too few samples."""
    runs = [*history, baseline]
    summaries = [summarise_run(run) for run in runs]
    current_summary = summarise_run(current)
    if current_summary is None or any(s is None for s in summaries):
        return None
    summary = CaseSummary(
        key=key,
        sign=1.0,
        tolerance_pct=TOLERANCE_PCT,
        current=current_summary,
        runs=tuple(s for s in summaries if s is not None),
    )
    return Pair(
        key=key,
        baseline=tuple(baseline),
        current=tuple(current),
        history_log_means=tuple(math.log(statistics.fmean(run)) for run in runs),
        summary=summary,
        reruns=reruns,
    )


def _positive(values: Iterable[Any]) -> list[float]:
    return [float(v) for v in values if isinstance(v, (int, float)) and v > 0 and math.isfinite(v)]


def load_pyperf(root: Path) -> list[Suite]:
    """pyperf JSON (gzip): each file is a suite; halves of the worker runs are the pair."""
    suites = []
    for path in sorted(root.rglob("*.json.gz")):
        try:
            document = json.loads(gzip.decompress(path.read_bytes()))
        except (OSError, ValueError):
            continue
        if not isinstance(document, dict) or "benchmarks" not in document:
            continue
        pairs = []
        for index, benchmark in enumerate(document["benchmarks"]):
            metadata = benchmark.get("metadata") or benchmark.get("common_metadata") or {}
            name = str(metadata.get("name", index))
            runs = [_positive(r.get("values") or r.get("samples") or []) for r in benchmark["runs"]]
            runs = [run for run in runs if run]
            if len(runs) < 4:
                continue
            half = len(runs) // 2
            first = [v for run in runs[:half] for v in run]
            second = [v for run in runs[half:] for v in run]
            pair = make_pair(name, first, second, ())
            if pair is not None:
                pairs.append(pair)
        if pairs:
            suites.append(Suite(str(path.relative_to(root)), tuple(pairs)))
    return suites


def _asv_documents(root: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(machine, document)`` for asv result files in tarballs and folders."""
    for tarball in sorted(root.rglob("*.tar.gz")):
        with tarfile.open(tarball) as archive:
            for member in archive:
                parts = member.name.split("/")
                if not member.isfile() or not member.name.endswith(".json") or len(parts) < 3:
                    continue
                if parts[-3] != "results":
                    continue
                handle = archive.extractfile(member)
                if handle is not None:
                    yield parts[-2], json.load(handle)
    for path in sorted(root.rglob("results/*/*.json")):
        yield path.parent.name, json.loads(path.read_text())


def load_asv_series(root: Path) -> list[list[dict[str, list[float]]]]:
    """asv results with raw samples: one date-ordered series of runs per machine and env."""
    series: dict[tuple[str, str], list[tuple[int, dict[str, list[float]]]]] = defaultdict(list)
    for machine, document in _asv_documents(root):
        columns = document.get("result_columns")
        if not isinstance(columns, list) or "samples" not in columns:
            continue
        sample_column, param_column = columns.index("samples"), columns.index("params")
        benchmarks: dict[str, list[float]] = {}
        for name, row in document.get("results", {}).items():
            if len(row) <= sample_column or not row[sample_column]:
                continue
            params = row[param_column] if len(row) > param_column and row[param_column] else []
            combinations = list(product(*params)) if params else [()]
            for combination, samples in zip(combinations, row[sample_column], strict=False):
                values = _positive(samples or [])
                if len(values) >= 3:
                    benchmarks[name + (str(combination) if combination else "")] = values
        if benchmarks:
            key = (machine, str(document.get("env_name", "")))
            series[key].append((int(document.get("date") or 0), benchmarks))
    return [
        [run for _, run in sorted(runs, key=lambda r: r[0])] for _, runs in sorted(series.items())
    ]


def _log_median(values: Sequence[float]) -> float:
    return math.log(statistics.median(values))


def held_out(
    runs: list[dict[str, list[float]]], i: int, first: int, keys: Sequence[str], count: int
) -> list[dict[str, tuple[float, ...]]]:
    """Up to ``count`` runs outside ``runs[first : i + 1]`` (the nearest later ones first,
    then the nearest earlier ones), each scaled by the suite's common shift to run ``i``.

    A re-run in the same job runs on the same machine as the first pass; a held-out run
    of another day may have run on a slower or faster runner, so its whole-suite shift
    (the median over the shared benchmarks of the log-median change) is taken out. Its
    per-benchmark noise and drift stay: this is more pessimistic than a same-job re-run.
    """
    order = [j for j in range(i + 1, len(runs))] + [j for j in range(first - 1, -1, -1)]
    chosen = []
    for j in order:
        other = runs[j]
        shared = [k for k in keys if k in other]
        if len(shared) < max(1, len(keys) // 2):
            continue
        shift = statistics.median(_log_median(runs[i][k]) - _log_median(other[k]) for k in shared)
        factor = math.exp(shift)
        chosen.append({k: tuple(v * factor for v in other[k]) for k in shared})
        if len(chosen) == count:
            break
    return chosen


def asv_suites(
    series: list[list[dict[str, list[float]]]], history: int = 5, reruns: int = 3
) -> list[Suite]:
    """Each run against the run before it, with ``history`` earlier runs (aligned), and up to
    ``reruns`` held-out runs per benchmark for simulated confirmation (:func:`held_out`)."""
    suites = []
    for number, runs in enumerate(series):
        for i in range(history + 1, len(runs)):
            window = runs[i - history - 1 : i]
            keys = [k for k in runs[i] if all(k in run for run in window)]
            extra = held_out(runs, i, i - history - 1, keys, reruns)
            pairs = [
                make_pair(
                    k,
                    window[-1][k],
                    runs[i][k],
                    [run[k] for run in window[:-1]],
                    tuple(run[k] for run in extra if k in run),
                )
                for k in keys
            ]
            kept = tuple(p for p in pairs if p is not None)
            if kept:
                suites.append(Suite(f"series{number}/run{i}", kept))
    return suites


def _criterion_samples(path: Path) -> list[float]:
    data = json.loads(path.read_text())
    return _positive(t / n for t, n in zip(data["times"], data["iters"], strict=True) if n)


def load_criterion(root: Path) -> list[Suite]:
    """criterion trees: the same benchmark in two result trees (two runs) is a pair.

    A tree is the folder above ``criterion/`` (``<tree>/target/criterion/...``);
    each benchmark's ``new`` samples (else ``base``) stand for the tree's run.
    Consecutive trees in name order are paired; identical sample files (a
    benchmark that was not run again) are skipped. With a single tree, ``base``
    against ``new`` is used where they differ.
    """
    trees: dict[str, dict[str, Path]] = defaultdict(dict)
    singles: list[tuple[str, Path, Path]] = []
    for sample in sorted(root.rglob("sample.json")):
        if sample.parent.name not in ("new", "base"):
            continue
        bench_dir = sample.parent.parent
        parts = bench_dir.relative_to(root).parts
        if "criterion" not in parts:
            continue
        cut = parts.index("criterion")
        tree, bench = "/".join(parts[:cut]) or ".", "/".join(parts[cut + 1 :])
        if sample.parent.name == "new" or bench not in trees[tree]:
            trees[tree][bench] = sample
        base, new = bench_dir / "base" / "sample.json", bench_dir / "new" / "sample.json"
        if sample.parent.name == "new" and base.exists():
            singles.append((f"{tree}/{bench}", base, new))
    names = sorted(trees)
    couples = [
        (
            f"{older}->{newer}",
            [(b, trees[older][b], trees[newer][b]) for b in trees[newer] if b in trees[older]],
        )
        for older, newer in pairwise(names)
    ]
    if not couples:
        couples = [("base->new", singles)]
    suites = []
    for name, triples in couples:
        pairs = []
        for bench, older_path, newer_path in triples:
            if older_path.read_bytes() == newer_path.read_bytes():
                continue
            pair = make_pair(
                bench, _criterion_samples(older_path), _criterion_samples(newer_path), ()
            )
            if pair is not None:
                pairs.append(pair)
        if pairs:
            suites.append(Suite(name, tuple(pairs)))
    return suites


# --------------------------------------------------------------------------- synthetic


def synthetic_dedicated(seed: int, suites: int = 60, benchmarks: int = 50) -> list[Suite]:
    """A tuned machine: 20 worker processes x 3 values, small process effects, rare outliers."""
    rng = random.Random(f"{seed}:dedicated")
    result = []
    for s in range(suites):
        pairs = []
        for b in range(benchmarks):
            cv = math.exp(rng.uniform(math.log(0.004), math.log(0.04)))
            level = math.exp(rng.uniform(-10, 0))
            runs = []
            for _ in range(20):
                process = rng.gauss(0.0, cv / 2)
                runs.append(
                    [
                        level
                        * math.exp(process + rng.gauss(0.0, cv))
                        * (1.3 if rng.random() < 0.01 else 1.0)
                        for _ in range(3)
                    ]
                )
            first = [v for run in runs[:10] for v in run]
            second = [v for run in runs[10:] for v in run]
            pair = make_pair(f"bench{b}", first, second, ())
            if pair is not None:
                pairs.append(pair)
        result.append(Suite(f"dedicated{s}", tuple(pairs)))
    return result


def synthetic_shared(
    seed: int, series: int = 12, runs: int = 40, benchmarks: int = 50
) -> list[Suite]:
    """Shared runners: three runner types that differ in speed and in per-benchmark profile,
    plus per-run common and per-benchmark drift; 10 samples per run."""
    rng = random.Random(f"{seed}:shared")
    all_series = []
    for _ in range(series):
        types = [(0.0, [0.0] * benchmarks)] + [
            (rng.gauss(0.0, 0.12), [rng.gauss(0.0, 0.06) for _ in range(benchmarks)])
            for _ in range(2)
        ]
        cvs = [math.exp(rng.uniform(math.log(0.005), math.log(0.08))) for _ in range(benchmarks)]
        drifts = [math.exp(rng.uniform(math.log(0.003), math.log(0.03))) for _ in range(benchmarks)]
        levels = [math.exp(rng.uniform(-10, 0)) for _ in range(benchmarks)]
        weights = [0.6, 0.3, 0.1]
        run_list = []
        for _ in range(runs):
            speed, profile = rng.choices(types, weights)[0]
            common = speed + rng.gauss(0.0, 0.01)
            run_list.append(
                {
                    f"bench{b}": [
                        levels[b]
                        * math.exp(common + profile[b] + rng.gauss(0.0, drifts[b]))
                        * math.exp(rng.gauss(0.0, cvs[b]))
                        for _ in range(10)
                    ]
                    for b in range(benchmarks)
                }
            )
        all_series.append(run_list)
    return asv_suites(all_series)


# --------------------------------------------------------------------------- evaluation


def _shifted(summary: CaseSummary, shift: float) -> CaseSummary:
    """The summary of the current samples multiplied by ``1 + shift`` (exact)."""
    return replace(summary, current=summary.current.scaled(1.0 + shift))


@cache
def _t975(df: int) -> float:
    return student_t_quantile(0.975, df)


def _history_pi_bound(pair: Pair) -> float:
    """Upper end of the 95 % prediction interval of the next run's log mean (inf: no history)."""
    means = pair.history_log_means
    if len(means) < 3:
        return math.inf
    k = len(means)
    center, spread = statistics.fmean(means), statistics.stdev(means)
    return center + _t975(k - 1) * spread * math.sqrt(1 + 1 / k)


def _pooled(pair: Pair, rounds: int) -> RunSummary | None:
    """The current run's samples pooled with ``rounds`` held-out re-runs."""
    extra = [v for run in pair.reruns[:rounds] for v in run]
    return summarise_run([*pair.current, *extra]) if extra else None


def _confirm(
    pairs: Sequence[Pair],
    summaries: list[CaseSummary],
    verdicts: list[SampleVerdict],
    moved: set[int],
    shift: float,
    rounds: int,
    pooled: dict[int, RunSummary | None],
) -> tuple[list[SampleVerdict], int, int]:
    """Measure the suspects again (``rounds`` held-out runs each, the shifted ones shifted
    too), pool and judge the suite again: ``(verdicts, suspects, extra runs)``."""
    suspects = [
        i
        for i, v in enumerate(verdicts)
        if pairs[i].reruns
        and is_suspect(v.status, v.change_pct, (v.low_pct, v.high_pct), TOLERANCE_PCT, "lower")
    ]
    if not suspects:
        return verdicts, 0, 0
    again = list(summaries)
    extra = 0
    for i in suspects:
        if i not in pooled:
            pooled[i] = _pooled(pairs[i], rounds)
        summary = pooled[i]
        if summary is None:
            continue
        again[i] = replace(again[i], current=summary.scaled(1.0 + shift) if i in moved else summary)
        extra += min(rounds, len(pairs[i].reruns))
    return judge_summaries(again), len(suspects), extra


def evaluate_suite(
    suite: Suite,
    seed: int,
    with_history: bool,
    groups_wanted: int = GROUPS,
    confirm_rounds: int = 0,
) -> Counter[tuple[str, float, str]]:
    """Counts of ``(rule, shift, outcome)`` over every benchmark of the suite and every shift.

    With ``confirm_rounds`` the suspects of each simulated PR are measured again
    (:func:`_confirm`): rule ``confirmed`` counts the final verdicts, ``first-round``
    the fails that needed no confirmation, and ``cost`` the benchmark runs of the first
    pass (``first``) and of the confirmation (``extra``)."""
    counts: Counter[tuple[str, float, str]] = Counter()
    pooled: dict[int, RunSummary | None] = {}
    pairs = suite.pairs
    order = list(range(len(pairs)))
    random.Random(f"{seed}:{suite.name}").shuffle(order)
    groups = [order[g::groups_wanted] for g in range(min(groups_wanted, len(order)))]
    tolerance = math.log1p(TOLERANCE_PCT / 100)
    base_summaries = [p.summary for p in pairs]
    plain = [
        (
            math.log(statistics.fmean(p.current) / statistics.fmean(p.baseline)),
            _history_pi_bound(p),
        )
        for p in pairs
    ]
    for shift in SHIFTS:
        for group in groups if shift else [order]:
            summaries = list(base_summaries)
            for i in group:
                summaries[i] = _shifted(summaries[i], shift)
            verdicts = judge_summaries(summaries)
            for i in group:
                counts["verdict", shift, verdicts[i].status] += 1
            if confirm_rounds:
                final, suspects, extra = _confirm(
                    pairs, summaries, verdicts, set(group) if shift else set(),
                    shift, confirm_rounds, pooled,
                )  # fmt: skip
                counts["cost", shift, "first"] += len(pairs)
                counts["cost", shift, "extra"] += extra
                counts["cost", shift, "suspects"] += suspects
                for i in group:
                    counts["confirmed", shift, final[i].status] += 1
                    first = verdicts[i]
                    clear = first.status == "fail" and not is_suspect(
                        "fail", first.change_pct, (first.low_pct, first.high_pct),
                        TOLERANCE_PCT, "lower",
                    )  # fmt: skip
                    counts["first-round", shift, "fail" if clear else "other"] += 1
        for pair, (log_ratio, bound) in zip(pairs, plain, strict=True):
            moved = log_ratio + math.log1p(shift)
            counts["mean-ratio", shift, "fail" if moved > tolerance else "pass"] += 1
            u, p = mann_whitney_u([v * (1 + shift) for v in pair.current], pair.baseline)
            slower = u > len(pair.current) * len(pair.baseline) / 2
            counts["mann-whitney", shift, "fail" if p < 0.05 and slower else "pass"] += 1
            if with_history:
                current = pair.history_log_means[-1] + moved
                failed = current > bound and moved > tolerance
                counts["history-PI", shift, "fail" if failed else "pass"] += 1
    return counts


_WORK: list[Suite] = []


def _evaluate_index(args: tuple[int, int, bool, int, int]) -> Counter[tuple[str, float, str]]:
    index, seed, with_history, groups, confirm_rounds = args
    return evaluate_suite(_WORK[index], seed, with_history, groups, confirm_rounds)


def evaluate(
    suites: list[Suite],
    seed: int,
    with_history: bool,
    jobs: int,
    groups: int = GROUPS,
    confirm_rounds: int = 0,
) -> Counter[tuple[str, float, str]]:
    """Evaluate all suites, in ``jobs`` forked processes where the platform allows it."""
    global _WORK
    _WORK = suites
    tasks = [(i, seed, with_history, groups, confirm_rounds) for i in range(len(suites))]
    total: Counter[tuple[str, float, str]] = Counter()
    if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for counts in pool.imap_unordered(_evaluate_index, tasks, chunksize=4):
                total.update(counts)
    else:
        for task in tasks:
            total.update(_evaluate_index(task))
    return total


# --------------------------------------------------------------------------- report

OUTCOMES = {
    "verdict": ("fail", "warn", "pass", "improved"),
    "confirmed": ("fail", "warn", "pass", "improved"),
    "first-round": ("fail",),
    "mean-ratio": ("fail",),
    "mann-whitney": ("fail",),
    "history-PI": ("fail",),
}


def rates(counts: Counter[tuple[str, float, str]]) -> dict[str, dict[str, dict[str, float]]]:
    """``{rule: {outcome: {shift: percent}}}``; the confirmation's ``cost`` is in % of the
    first pass's benchmark runs (``extra``) and of its benchmarks (``suspects``)."""
    table: dict[str, dict[str, dict[str, float]]] = {}
    for shift in SHIFTS:
        first = counts["cost", shift, "first"]
        if first:
            for outcome in ("extra", "suspects"):
                share = 100.0 * counts["cost", shift, outcome] / first
                table.setdefault("cost", {}).setdefault(outcome, {})[f"{shift:+.1%}"] = share
    for rule, outcomes in OUTCOMES.items():
        for shift in SHIFTS:
            total = sum(n for (r, s, _), n in counts.items() if r == rule and s == shift)
            if not total:
                continue
            for outcome in outcomes:
                share = 100.0 * counts[rule, shift, outcome] / total
                table.setdefault(rule, {}).setdefault(outcome, {})[f"{shift:+.1%}"] = share
    return table


@dataclass(frozen=True)
class Target:
    """One figure the issue asks for."""

    dataset: str
    text: str
    measured: float
    met: bool


def check_targets(
    name: str, kind: str, table: dict[str, dict[str, dict[str, float]]]
) -> list[Target]:
    """The issue's targets for a dedicated-machine or shared-runner dataset (on the
    confirmed verdicts where confirmation was simulated)."""
    verdict = table.get("confirmed") or table.get("verdict", {})
    fail, warn, passed = verdict.get("fail", {}), verdict.get("warn", {}), verdict.get("pass", {})
    low = [f"{s:+.1%}" for s in SHIFTS if s <= 0.025]
    high = [f"{s:+.1%}" for s in SHIFTS if s >= 0.08]
    targets = []
    if kind == "dedicated":
        worst = max(fail[s] for s in low)
        targets.append(Target(name, "false fail <= 1% at shifts <= +2.5%", worst, worst <= 1.0))
        caught = min(fail[s] for s in high)
        targets.append(Target(name, "fail >= 99% at shifts >= +8%", caught, caught >= 99.0))
        missed = max(passed[s] for s in high)
        targets.append(Target(name, "pass <= 1% at shifts >= +8%", missed, missed <= 1.0))
    elif kind == "shared":
        worst = max(fail[s] for s in low)
        targets.append(Target(name, "false fail <= 3% at shifts <= +2.5%", worst, worst <= 3.0))
        caught = fail["+10.0%"]
        targets.append(Target(name, "fail >= 55% at +10%", caught, caught >= 55.0))
        flagged = fail["+20.0%"] + warn["+20.0%"]
        targets.append(Target(name, "fail or warn >= 90% at +20%", flagged, flagged >= 90.0))
    return targets


def markdown(results: list[dict[str, Any]], targets: list[Target]) -> str:
    """The whole report as Markdown tables."""
    header = "| rule | outcome | " + " | ".join(f"{s:+.1%}" for s in SHIFTS) + " |"
    rule_line = "|---|---|" + "---:|" * len(SHIFTS)
    lines = []
    for result in results:
        lines += [
            f"### {result['dataset']}",
            "",
            f"{result['suites']} suites, {result['benchmarks']} benchmark pairs, "
            f"{result['seconds']:.0f} s. Rates in % of pairs.",
            "",
            header,
            rule_line,
        ]
        for rule, outcomes in result["rates"].items():
            for outcome, by_shift in outcomes.items():
                cells = " | ".join(f"{by_shift.get(f'{s:+.1%}', float('nan')):.1f}" for s in SHIFTS)
                lines.append(f"| {rule} | {outcome} | {cells} |")
        lines.append("")
    if targets:
        lines += ["### Targets", "", "| dataset | target | measured | met |", "|---|---|---:|---|"]
        lines += [
            f"| {t.dataset} | {t.text} | {t.measured:.1f}% | {'yes' if t.met else 'NO'} |"
            for t in targets
        ]
        lines.append("")
    return "\n".join(lines)


Loader = Callable[[], list[Suite]]


def datasets(args: argparse.Namespace) -> list[tuple[str, str, Loader, bool]]:
    """``(name, kind, loader, with_history)`` for everything asked for; nothing loaded yet."""
    seed = args.seed
    found: list[tuple[str, str, Loader, bool]] = []
    if not args.real_only:
        found += [
            (
                "synthetic dedicated (halves)",
                "synthetic",
                lambda: synthetic_dedicated(seed),
                False,
            ),
            (
                "synthetic shared runners (5-run history)",
                "synthetic",
                lambda: synthetic_shared(seed),
                True,
            ),
        ]
    data: Path | None = args.data
    if data is None and not args.synthetic_only and DEFAULT_DATA.exists():
        data = DEFAULT_DATA
    if data is not None and not args.synthetic_only:
        root = data
        found += [
            ("pyperf, tuned machine (halves)", "dedicated", lambda: load_pyperf(root), False),
            (
                "asv django, GitHub runners (5-run history)",
                "shared",
                lambda: asv_suites(load_asv_series(root)),
                True,
            ),
            (
                "criterion ecs, developer machine (two result commits)",
                "other",
                lambda: load_criterion(root),
                False,
            ),
        ]
    return [d for d in found if not args.only or any(word in d[0] for word in args.only)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="folder with pyperf / asv / criterion results")
    parser.add_argument("--synthetic-only", action="store_true", help="skip real data")
    parser.add_argument("--real-only", action="store_true", help="skip synthetic data")
    parser.add_argument(
        "--out", type=Path, help="write PATH.json and PATH.md (or just one by suffix)"
    )
    parser.add_argument(
        "--only", action="append", default=[], help="run only datasets whose name contains this"
    )
    parser.add_argument(
        "--groups",
        type=int,
        default=GROUPS,
        help="shift one of N random groups at a time (default 10; 1 = the whole suite at once)",
    )
    parser.add_argument(
        "--confirm-rounds",
        type=int,
        default=3,
        help="simulate confirmation: suspects measured again this many times (0: off)",
    )
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--max-suites", type=int, default=0, help="sample at most N suites per dataset"
    )
    args = parser.parse_args(argv)

    results, targets = [], []
    for name, kind, load, with_history in datasets(args):
        suites = load()
        if not suites:
            continue
        if args.max_suites and len(suites) > args.max_suites:
            suites = random.Random(f"{args.seed}:{name}").sample(suites, args.max_suites)
        started = time.perf_counter()
        counts = evaluate(
            suites, args.seed, with_history, args.jobs, args.groups, args.confirm_rounds
        )
        table = rates(counts)
        result = {
            "dataset": name,
            "kind": kind,
            "suites": len(suites),
            "benchmarks": sum(len(s.pairs) for s in suites),
            "seconds": time.perf_counter() - started,
            "rates": table,
        }
        results.append(result)
        targets += check_targets(name, kind, table)
        print(markdown([result], []), flush=True)
    report = markdown(results, targets)
    print(markdown([], targets))
    if args.out is not None:
        document = {
            "seed": args.seed,
            "tolerance_pct": TOLERANCE_PCT,
            "shifts": list(SHIFTS),
            "datasets": results,
            "targets": [t.__dict__ for t in targets],
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        suffix = args.out.suffix
        if suffix in ("", ".json"):
            args.out.with_suffix(".json").write_text(json.dumps(document, indent=2) + "\n")
        if suffix in ("", ".md"):
            args.out.with_suffix(".md").write_text(report)
    return 0 if all(t.met for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
