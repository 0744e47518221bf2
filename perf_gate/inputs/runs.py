"""Result files and folders that together are one run, read into one :class:`RunSet`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from perf_gate.core.errors import InputError
from perf_gate.core.model import InputFile, Metric, RunSet
from perf_gate.inputs.parsers import merge, parse_path


def check_unique(metrics: Sequence[Metric]) -> None:
    """Two results with the same name on the same device cannot both be right."""
    seen: dict[tuple[str, str], Metric] = {}
    for metric in metrics:
        first = seen.setdefault(metric.key, metric)
        if first is not metric:
            where = first.source if first.source == metric.source else (f"also in {first.source}")
            raise InputError(
                f"duplicate metric name {metric.label!r} ({where})", path=metric.source
            )


def load_run(paths: Sequence[Path], fmt: str | None, role: str = "current") -> RunSet:
    """Read files and folders that together are one run."""
    result = merge([parse_path(path, fmt) for path in paths])
    check_unique(result.metrics)
    files = tuple(
        InputFile(
            path=f.path,
            format=f.format,
            sha256=f.sha256,
            role="baseline" if role == "baseline" else "current",
        )
        for f in result.files
    )
    formats = tuple(dict.fromkeys(m.format for m in result.metrics))
    return RunSet(metrics=result.metrics, findings=result.findings, files=files, formats=formats)
