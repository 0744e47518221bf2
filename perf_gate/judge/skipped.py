"""GPU benchmarks skipped for want of a GPU become ``skipped`` rows, not ``missing`` ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from perf_gate.core.model import Kind, Metric, RunSet
from perf_gate.inputs.hardware import NO_GPU
from perf_gate.inputs.run_record import RunRecord
from perf_gate.judge.verdict import Row, Status, Threshold


def skipped_rows(
    records: Sequence[RunRecord], baselines: list[RunSet]
) -> tuple[list[RunSet], tuple[Row, ...]]:
    """GPU commands skipped for want of a GPU: their baseline metrics become ``skipped``
    rows (``no-gpu-available``) instead of ``missing``, and the CPU part is judged alone.
    """
    skipped = [c for r in records for c in r.commands if c.status == "skipped"]
    devices = {c.device for c in skipped}
    if not devices:
        return baselines, ()
    ran = {m.device for r in records for m in r.run.metrics}
    gone = devices - ran
    rows: list[Row] = []
    kept = baselines
    if baselines and gone:
        newest = baselines[-1]
        for metric in newest.metrics:
            if metric.device in gone:
                rows.append(_skip_row(metric, metric, NO_GPU))
        kept = [
            replace(run, metrics=tuple(m for m in run.metrics if m.device not in gone))
            for run in baselines
        ]
    if not rows:
        for cmd in skipped:
            stand_in = Metric(
                name=cmd.name,
                value=0.0,
                unit="",
                kind=Kind.OTHER,
                direction="lower",
                device=cmd.device,
                source=cmd.command,
            )
            rows.append(_skip_row(stand_in, None, NO_GPU))
    return kept, tuple(rows)


def _skip_row(metric: Metric, baseline: Metric | None, reason: str) -> Row:
    threshold = Threshold(direction=metric.direction, unit=metric.unit, source="run")
    return Row(metric, baseline, None, threshold, Status.SKIPPED, reason, "none")
