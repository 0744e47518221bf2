"""Mixed precision on the hardware that supports it.

From the recorded GPU's compute capability: BF16 expectations apply only from 8.0 on
(Ampere), FP16 expectations only where FP16 is fast (5.3, 6.0, 6.2 and 7.0 on). On other
hardware the GPU rows naming ``bf16``/``fp16`` are ``skipped`` with the reason instead of
judged (a BF16 kernel emulated on a Turing card is not a regression). A BF16-capable GPU
whose run holds GPU results but no BF16 benchmark gets a warning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from perf_gate.core.model import Finding, Metric, RunSet
from perf_gate.inputs.hardware import NEEDS, Hardware, capability, supports
from perf_gate.judge.verdict import Row, Status, Threshold

_PRECISION = re.compile(r"(?<![A-Za-z0-9])(bf16|fp16)(?![A-Za-z0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class PrecisionCheck:
    current: RunSet
    baselines: list[RunSet]
    skipped: tuple[Row, ...]


def _precision(metric: Metric) -> str | None:
    if metric.device != "gpu":
        return None
    found = _PRECISION.search(metric.name)
    return found.group(1).lower() if found else None


def check_precision(
    current: RunSet, baselines: list[RunSet], hardware: Sequence[Hardware]
) -> PrecisionCheck:
    """Drop the GPU rows of unsupported precisions (as ``skipped`` rows with the reason)
    and warn when a BF16-capable GPU ran no BF16 benchmark."""
    gpus = [g for h in hardware if h.gpu_usable for g in h.gpus if capability(g)]
    if not gpus:
        return PrecisionCheck(current, baselines, ())
    gpu = min(gpus, key=lambda g: capability(g) or (0, 0))  # the weakest GPU decides
    cap = capability(gpu)
    assert cap is not None
    unsupported = {p for p in ("bf16", "fp16") if not supports(p, cap)}
    rows: list[Row] = []
    newest = {m.key: m for m in baselines[-1].metrics} if baselines else {}
    seen: set[tuple[str, str]] = set()
    for metric in (*current.metrics, *newest.values()):
        precision = _precision(metric)
        if precision in unsupported and metric.key not in seen:
            seen.add(metric.key)
            need = NEEDS[precision]
            reason = (
                f"{precision.upper()} not supported: {gpu.name} has compute capability "
                f"{gpu.compute_cap}, {precision.upper()} needs {need}; not judged"
            )
            base = newest.get(metric.key)
            cur = metric if metric in current.metrics else None
            threshold = Threshold(direction=metric.direction, unit=metric.unit, source="hardware")
            rows.append(Row(metric, base, cur, threshold, Status.SKIPPED, reason, "none"))

    def keep(run: RunSet) -> RunSet:
        kept = tuple(m for m in run.metrics if _precision(m) not in unsupported)
        return run if len(kept) == len(run.metrics) else replace(run, metrics=kept)

    current_kept = keep(current)
    gpu_metrics = [m for m in current.metrics if m.device == "gpu"]
    if (
        "bf16" not in unsupported
        and gpu_metrics
        and not any(_precision(m) == "bf16" for m in gpu_metrics)
    ):
        warning = Finding(
            "hardware",
            f"{gpu.name} (compute capability {gpu.compute_cap}) supports BF16, "
            "but no GPU benchmark measures BF16",
            "warn",
            "bf16-not-benchmarked",
        )
        current_kept = replace(current_kept, findings=(*current_kept.findings, warning))
    return PrecisionCheck(current_kept, [keep(run) for run in baselines], tuple(rows))
