"""``perf-gate history``: a static site of every benchmark's trend over commits.

The runs come from a baseline store (its history, oldest first) or from receipts
(``perf-receipt.json`` files, ordered by ``created_at``). In a store, each run is
judged against the runs before it by the gate's own :func:`compare`, so a point is
marked a regression exactly when the gate would have failed it; a receipt carries
its verdicts already.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from perf_gate.core.config import Config
from perf_gate.core.errors import InputError
from perf_gate.core.json_input import loads
from perf_gate.core.units import format_value
from perf_gate.inputs.baseline.store import StoredRun, is_store, json_head, load_file
from perf_gate.inputs.parsers.base import read_sniff
from perf_gate.judge.compare import compare
from perf_gate.judge.verdict import Status
from perf_gate.report.html_report import tolerance_band
from perf_gate.report.svg import trend_plot
from perf_gate.report.templates import render


@dataclass(frozen=True)
class Point:
    run: str  # short commit, else the date
    value: float
    regression: bool = False


@dataclass
class Series:
    name: str
    unit: str
    tolerance: float | None = None
    points: list[Point] = field(default_factory=list)


def _run_label(commit: str, created_at: str, index: int) -> str:
    return commit[:7] or created_at[:10] or f"run {index + 1}"


def from_store(runs: Sequence[StoredRun], config: Config) -> list[Series]:
    """Each metric over the store's runs; a point is a regression when the gate, judging
    that run against the runs before it, fails it."""
    series: dict[tuple[str, str], Series] = {}
    for i, stored in enumerate(runs):
        earlier = [r.run for r in runs[:i]]
        rows = {r.metric.key: r for r in compare(stored.run, earlier, config)} if earlier else {}
        for metric in stored.run.metrics:
            row = rows.get(metric.key)
            entry = series.setdefault(metric.key, Series(metric.label, metric.unit))
            if row is not None and row.threshold.tolerance is not None:
                entry.tolerance = row.threshold.tolerance
            failed = row is not None and row.status is Status.FAIL
            label = _run_label(stored.commit, stored.created_at, i)
            entry.points.append(Point(label, metric.value, failed))
    return list(series.values())


def from_receipts(receipts: Sequence[Mapping[str, Any]]) -> list[Series]:
    """Each metric's current value over the receipts (ordered by ``created_at``)."""
    series: dict[tuple[str, str], Series] = {}
    ordered = sorted(receipts, key=lambda r: str(r.get("created_at", "")))
    for i, receipt in enumerate(ordered):
        commit = str(receipt.get("commit") or "")
        label = _run_label(commit, str(receipt.get("created_at", "")), i)
        for metric in receipt.get("metrics", []):
            if metric.get("current") is None:
                continue
            key = (str(metric.get("name")), str(metric.get("device") or ""))
            name = str(metric.get("display") or metric.get("label") or metric.get("name"))
            entry = series.setdefault(key, Series(name, str(metric.get("unit") or "")))
            tolerance = str(metric.get("threshold") or "")
            if tolerance.startswith("±") and tolerance.endswith("%"):
                entry.tolerance = float(tolerance[1:-1])
            regression = metric.get("status") == "fail"
            entry.points.append(Point(label, float(metric["current"]), regression))
    return list(series.values())


def _not_history(doc: Any) -> str:
    if doc is None:
        return "not valid JSON (expected a baseline store or a perf-receipt.json)"
    return "neither a baseline store nor a perf-receipt.json"


def _read_document(path: Path) -> Any:
    """The strict JSON document of ``path``, or ``None`` when it is not valid JSON."""
    try:
        return loads(read_sniff(path).data.decode("utf-8"), str(path))
    except (InputError, OSError, UnicodeDecodeError):
        return None


def load_series(paths: Sequence[Path], config: Config) -> list[Series]:
    """Series from one baseline store, or from receipts (files or folders of them)."""
    if len(paths) == 1 and paths[0].is_file() and is_store(json_head(paths[0])):
        return from_store(load_file(paths[0], None), config)
    receipts = []
    for path in paths:
        files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        for file in files:
            doc = _read_document(file)
            if isinstance(doc, dict) and "schema_version" in doc and "metrics" in doc:
                receipts.append(doc)
            elif not path.is_dir():
                raise InputError(f"{file}: {_not_history(doc)}")
    if not receipts:
        raise InputError(f"{', '.join(map(str, paths))}: no baseline store or receipts found")
    return from_receipts(receipts)


def render_site(series: Sequence[Series], title: str = "Benchmark history") -> dict[str, str]:
    """The site's files: ``index.html`` and ``history.json`` (the same data, for reuse)."""
    charts = []
    for s in sorted(series, key=lambda s: (not any(p.regression for p in s.points), s.name)):
        values = [p.value for p in s.points]
        band = tolerance_band(values[0], s.tolerance) if len(values) > 1 else None
        labels = [f"{p.run} {format_value(p.value, s.unit)}" for p in s.points]
        flagged = [p.regression for p in s.points]
        svg = trend_plot(f"{s.name} ({s.unit})", values, labels, band, flagged)
        charts.append((s, Markup(svg), sum(flagged)))
    runs = max((len(s.points) for s in series), default=0)
    html = render("html/history.html.j2", title=title, charts=charts, runs=runs)
    data = [
        {
            "name": s.name,
            "unit": s.unit,
            "tolerance": s.tolerance,
            "points": [
                {"run": p.run, "value": p.value, "regression": p.regression} for p in s.points
            ],
        }
        for s in series
    ]
    return {"index.html": html, "history.json": json.dumps(data, indent=1) + "\n"}
