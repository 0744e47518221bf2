"""``perf-run.json``: everything ``perf-gate run`` learned, written out and read back.

The manifest is self-contained: the hardware, each command's outcome, the normalised
metrics, findings, input files and artifacts. ``perf-gate finalize --current
perf-run.json`` reads it back, so matrix shards (a CPU job, a GPU job) hand over one
file each.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perf_gate.core.metric_checks import check_unique
from perf_gate.core.model import RunSet
from perf_gate.core.model_json import (
    finding_to_dict,
    metric_to_dict,
    run_formats,
    utc_now,
)
from perf_gate.inputs.parsers import merge
from perf_gate.inputs.run_record import MANIFEST_MARK, RunRecord, is_manifest, read_manifest
from perf_gate.inputs.runs import load_run

if TYPE_CHECKING:  # written by `perf-gate run`; finalize only reads manifests
    from perf_gate.inputs.benchmark import RunOutcome

# -- writing -------------------------------------------------------------------------


def workspace_relative(entry: dict[str, Any], root: Path) -> dict[str, Any]:
    """An artifact whose path lies in the workspace, with that path relative to it."""
    path = Path(str(entry.get("path", "")))
    if path.is_absolute() and path.resolve().is_relative_to(root.resolve()):
        return {**entry, "path": str(path.resolve().relative_to(root.resolve()))}
    return entry


def manifest(outcome: RunOutcome, *, root: Path, mode: str, commit: str) -> dict[str, Any]:
    merged = merge(outcome.parts)
    doc: dict[str, Any] = {
        MANIFEST_MARK: 1,
        "created_at": utc_now(),
        "workspace": str(root),
        "commit": commit,
        "mode": mode,
        "hardware": outcome.hardware.to_dict(),
        "commands": [c.to_dict() for c in outcome.commands],
        "metrics": [metric_to_dict(m) for m in merged.metrics],
        "findings": [finding_to_dict(f) for f in merged.findings],
        "inputs": [{"path": f.path, "format": f.format, "sha256": f.sha256} for f in merged.files],
        "formats": list(run_formats(merged.metrics)),
        "artifacts": [workspace_relative(a, root) for a in outcome.artifacts],
        "notes": outcome.notes,
        "fallback_used": outcome.fallback_used,
    }
    if outcome.baseline is not None:
        doc["baseline_metrics"] = [metric_to_dict(m) for m in outcome.baseline.metrics]
    if outcome.ab is not None:
        doc["ab"] = outcome.ab
    return doc


# -- reading back --------------------------------------------------------------------


def combine(runs: Sequence[RunSet]) -> RunSet:
    """Several runs that together are the current run (result files, shard manifests)."""
    metrics = tuple(m for r in runs for m in r.metrics)
    check_unique(metrics)
    return RunSet(
        metrics=metrics,
        findings=tuple(f for r in runs for f in r.findings),
        files=tuple(f for r in runs for f in r.files),
        formats=tuple(dict.fromkeys(f for r in runs for f in r.formats)),
    )


def load_current(paths: Sequence[Path], fmt: str | None) -> tuple[RunSet, list[RunRecord]]:
    """``--current`` paths: run manifests are read as such, everything else by the parsers."""
    records = [read_manifest(p) for p in paths if is_manifest(p)]
    others = [p for p in paths if not is_manifest(p)]
    runs = [r.run for r in records]
    if others:
        runs.insert(0, load_run(others, fmt))
    return combine(runs), records
