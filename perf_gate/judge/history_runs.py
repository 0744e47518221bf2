"""Earlier baseline runs reduced to what judging reads of them.

A history run is used only through each metric's :class:`RunSummary` (its drift, and its
points where suite mode makes it the reference), so its raw samples are replaced by
their :class:`SampleSummary` as soon as it is read or before a store keeps it: five
runs of 10,000 benchmarks then cost little more than one. Every summary is
:func:`perf_gate.judge.sample_verdict.summarise_runs` of the samples, so the verdicts
are those the samples give.

One exception keeps its samples: a metric a derived ratio of the configuration reads
(:mod:`perf_gate.judge.derived`), whose samples are the quotients of both sides' samples,
which no summary of either side gives.
"""

from __future__ import annotations

from dataclasses import replace

from perf_gate.core.config import Config
from perf_gate.core.model import Metric, RunSet
from perf_gate.core.sample_summary import SampleSummary
from perf_gate.judge.derived import derive


def ratio_sides(run: RunSet, config: Config) -> set[str]:
    """The labels of the metrics whose samples a derived ratio of ``run`` is made of."""
    made = derive(run, config).metrics[len(run.metrics) :]
    return {
        label
        for metric in made
        if metric.samples
        for key, label in metric.meta
        if key in ("numerator", "denominator")
    }


def summarise_history(run: RunSet, config: Config) -> RunSet:
    """``run`` with every metric's samples replaced by their summary, except those a
    derived ratio reads; a metric without samples (or already summarised) is as it was."""
    sampled = [metric for metric in run.metrics if metric.samples]
    if not sampled:
        return run
    from perf_gate.judge.sample_verdict import summarise_runs  # only for runs with samples

    kept = ratio_sides(run, config)
    reduced = [metric for metric in sampled if metric.label not in kept]
    summaries = summarise_runs([metric.samples for metric in reduced])
    new: dict[int, Metric] = {
        id(metric): replace(metric, samples=(), summary=SampleSummary(len(metric.samples), summary))
        for metric, summary in zip(reduced, summaries, strict=True)
    }
    return replace(run, metrics=tuple(new.get(id(metric), metric) for metric in run.metrics))
