"""Result files and folders that together are one run, read into one :class:`RunSet`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from perf_gate.core.metric_checks import check_unique, check_values
from perf_gate.core.model import InputFile, RunSet
from perf_gate.inputs.parsers import DirectoryScan, merge, parse_path


def load_run(
    paths: Sequence[Path],
    fmt: str | None,
    role: str = "current",
    scan: DirectoryScan | None = None,
) -> RunSet:
    """Read files and folders that together are one run. ``scan``: the scan of the one
    folder in ``paths``, when the caller made it already (a tree of 10,000 benchmarks is
    60,000 files to walk)."""
    if scan is not None and len(paths) != 1:
        raise ValueError("a folder scan goes with exactly one path")
    result = merge([parse_path(path, fmt, scan) for path in paths])
    check_values(result.metrics)
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
