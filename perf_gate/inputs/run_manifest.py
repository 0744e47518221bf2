"""``perf-run.json``: everything ``perf-gate run`` learned, written out and read back.

The manifest is self-contained: the hardware, each command's outcome, the normalised
metrics, findings, input files and artifacts. ``perf-gate finalize --current
perf-run.json`` reads it back, so matrix shards (a CPU job, a GPU job) hand over one
file each.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from perf_gate.core.errors import InputError
from perf_gate.core.model import Finding, InputFile, Kind, Metric, RunSet
from perf_gate.inputs.artifact import sha256_file
from perf_gate.inputs.benchmark import MEMORY_FORMAT, RunOutcome
from perf_gate.inputs.hardware import hardware_from_dict
from perf_gate.inputs.parsers import merge
from perf_gate.inputs.parsers.base import schema_problems
from perf_gate.inputs.process import command_result_from_dict
from perf_gate.inputs.run_record import RunRecord
from perf_gate.report.finalize import check_unique, load_run

MANIFEST_NAME = "perf-run.json"


MANIFEST_MARK = "perf_gate_run"


# -- writing -------------------------------------------------------------------------


def metric_to_dict(metric: Metric) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": metric.name,
        "value": metric.value,
        "unit": metric.unit,
        "kind": metric.kind.value,
        "direction": metric.direction,
    }
    if metric.device:
        out["device"] = metric.device
    if metric.samples:
        out["samples"] = list(metric.samples)
    for key in ("lower", "upper", "passed", "tolerance"):
        if getattr(metric, key) is not None:
            out[key] = getattr(metric, key)
    if metric.source:
        out["source"] = metric.source
    if metric.format:
        out["format"] = metric.format
    if metric.meta:
        out["meta"] = [list(pair) for pair in metric.meta]
    return out


def metric_from_dict(data: Mapping[str, Any]) -> Metric:
    return Metric(
        name=data["name"],
        value=float(data["value"]),
        unit=data.get("unit", ""),
        kind=Kind(data.get("kind", "other")),
        direction=data.get("direction", "lower"),
        device=data.get("device"),
        samples=tuple(float(x) for x in data.get("samples", ())),
        lower=data.get("lower"),
        upper=data.get("upper"),
        passed=data.get("passed"),
        tolerance=data.get("tolerance"),
        source=data.get("source", ""),
        format=data.get("format", ""),
        meta=tuple((str(k), str(v)) for k, v in data.get("meta", ())),
    )


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {
        "source": finding.source,
        "message": finding.message,
        "severity": finding.severity,
        "code": finding.code,
    }


def finding_from_dict(data: Mapping[str, Any]) -> Finding:
    severity = data.get("severity", "fail")
    return Finding(data["source"], data["message"], severity, data.get("code", ""))


def run_formats(metrics: Iterable[Metric]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.format for m in metrics if m.format and m.format != MEMORY_FORMAT))


def utc_now() -> str:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z")


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
        "artifacts": outcome.artifacts,
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
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read run manifest: {exc}", path=str(path)) from None
    problems = schema_problems(doc, "perf-run.schema.json")
    if problems:
        where, message = problems[0]
        raise InputError(message, path=str(path), where=where)
    metrics = tuple(metric_from_dict(m) for m in doc["metrics"])
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
