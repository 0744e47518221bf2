"""``perf-run.json``: everything ``perf-gate run`` learned, written out and read back.

The manifest is self-contained: the hardware, each command's outcome, the normalised
metrics, findings, input files and artifacts. ``perf-gate finalize --current
perf-run.json`` reads it back, so matrix shards (a CPU job, a GPU job) hand over one
file each.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from perf_gate.core.errors import InputError
from perf_gate.core.json_input import loads
from perf_gate.core.model import InputFile, RunSet
from perf_gate.core.model_json import (
    finding_from_dict,
    finding_to_dict,
    metric_from_dict,
    metric_to_dict,
    run_formats,
    utc_now,
)
from perf_gate.inputs.artifact import sha256_file
from perf_gate.inputs.benchmark import RunOutcome
from perf_gate.inputs.hardware import hardware_from_dict
from perf_gate.inputs.parsers import merge
from perf_gate.inputs.parsers.base import read_sniff
from perf_gate.inputs.process import command_result_from_dict
from perf_gate.inputs.run_record import RunRecord
from perf_gate.inputs.runs import check_unique, check_values, load_run
from perf_gate.schemas import check_schema

MANIFEST_NAME = "perf-run.json"


MANIFEST_MARK = "perf_gate_run"


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


def is_manifest(path: Path) -> bool:
    if not path.is_file() or path.suffix != ".json":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return f'"{MANIFEST_MARK}"'.encode() in head


def read_manifest(path: Path) -> RunRecord:
    try:
        text = read_sniff(path).data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read run manifest: {exc}", path=str(path)) from None
    doc = loads(text, str(path))
    check_schema(doc, "perf-run.schema.json", str(path))
    metrics = tuple(metric_from_dict(m) for m in doc["metrics"])
    check_values(metrics)
    files = tuple(
        InputFile(path=f["path"], format=f["format"], sha256=f["sha256"])
        for f in doc.get("inputs", [])
    )
    run = RunSet(
        metrics=metrics,
        findings=tuple(finding_from_dict(f) for f in doc.get("findings", [])),
        files=(*files, InputFile(str(path), "perf-run", sha256_file(path) or "")),
        formats=tuple(doc.get("formats", ())),
    )
    baseline = None
    if "baseline_metrics" in doc:
        base = tuple(metric_from_dict(m) for m in doc["baseline_metrics"])
        baseline = RunSet(metrics=base, formats=run_formats(base))
    return RunRecord(
        path=str(path),
        run=run,
        hardware=hardware_from_dict(doc["hardware"]) if doc.get("hardware") else None,
        commands=tuple(command_result_from_dict(c) for c in doc.get("commands", [])),
        artifacts=tuple(doc.get("artifacts", ())),
        notes=tuple(doc.get("notes", ())),
        fallback_used=bool(doc.get("fallback_used", False)),
        commit=doc.get("commit", ""),
        baseline=baseline,
        ab=doc.get("ab"),
    )


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
