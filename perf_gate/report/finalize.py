"""The main job: results in → compare → decide → render → files out.

:func:`evaluate` is pure (runs in, report out); :func:`write_report` writes the receipt
and the summary atomically. The entry point (``perf-gate finalize``) reads the inputs,
calls both, and only then hands the files to the publisher.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from perf_gate.core.config import Config
from perf_gate.core.model import Finding, Kind, RunSet
from perf_gate.core.outputs import write_all
from perf_gate.inputs.hardware import Hardware
from perf_gate.inputs.receipt_files import SEED_NAMES, Receipts
from perf_gate.judge.compare import compare
from perf_gate.judge.decide import Decision, decide
from perf_gate.judge.derived import annotate, derive
from perf_gate.judge.verdict import Row, Status
from perf_gate.report.charts import chart_section
from perf_gate.report.evidence import Evidence, build_evidence
from perf_gate.report.hardware_section import hardware_section
from perf_gate.report.html_report import REPORT_NAME, render_html
from perf_gate.report.receipt import build_receipt, dumps
from perf_gate.report.receipts_section import receipts_section
from perf_gate.report.render import TableRow, render_summary, table_row

RECEIPT_NAME = "perf-receipt.json"
SUMMARY_NAME = "perf-summary.md"


@dataclass(frozen=True)
class Report:
    gate_name: str
    rows: list[Row]
    decision: Decision
    evidence: Evidence
    findings: tuple[Finding, ...]
    markdown: str
    receipt: dict[str, Any]
    html: str = ""
    table: tuple[TableRow, ...] = ()  # the rows' cells, formatted once (summary, page, log)


@dataclass(frozen=True)
class Context:
    """What the caller knows beyond the results: hardware, notes, extra receipt fields."""

    gpu_problem: str | None = None
    notes: tuple[str, ...] = ()
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    skipped: tuple[Row, ...] = ()
    hardware_mismatch: str | None = None  # "baseline on X, current on Y": timings only warn
    gpu_conditions: str | None = None  # throttling, other processes, clocks: GPU timings warn
    receipts: Receipts = field(default_factory=lambda: Receipts((), SEED_NAMES))  # found
    artifacts_url: str | None = None  # the workflow run's artifacts (in the action)
    machines: tuple[Hardware, ...] = ()  # the benchmark machines, as recorded
    hardware_source: str = ""  # who recorded them (perf-run.json, --hardware FILE)
    input_machines: tuple[Mapping[str, str], ...] = ()  # what BitNet.rs receipts say
    fallback_used: bool = False  # perf-gate run timed the build and the tests instead


TIMING_KINDS = (
    Kind.TIMING,
    Kind.THROUGHPUT,
    Kind.INFERENCE,
    Kind.LATENCY,
    Kind.BUILD_TIME,
    Kind.TEST_TIME,
)


def soften_for_hardware(rows: list[Row], mismatch: str, device: str | None = None) -> list[Row]:
    """Baseline and current ran on different machines (or, with ``device="gpu"``, on a
    GPU that was throttled, shared or clocked differently): a timing alone cannot fail
    the gate."""
    out = []
    for row in rows:
        if (
            row.status is Status.FAIL
            and row.metric.kind in TIMING_KINDS
            and row.method != "test"
            and (device is None or row.metric.device == device)
        ):
            row = replace(
                row,
                status=Status.WARN,
                explanation=f"{row.explanation}; not failing on timing alone: {mismatch}",
            )
        out.append(row)
    return out


def with_notes(rows: list[Row]) -> list[Row]:
    """A parser's note on a metric (``cargo --timings``: the slowest units) ends its
    explanation."""
    out = []
    for row in rows:
        note = dict(row.metric.meta).get("note")
        out.append(replace(row, explanation=f"{row.explanation}; {note}") if note else row)
    return out


def statistics_note(rows: list[Row], alpha: float) -> str | None:
    sampled = [r for r in rows if r.method == "samples"]
    if not sampled:
        return None
    return (
        f"Statistics: {len(sampled)} metric(s) with raw samples on both sides were judged by "
        f"the sample test; the suite-wide false-discovery rate is held at {alpha:g} "
        "(Benjamini–Hochberg). Metrics with single values use the plain tolerance rule."
    )


def history_values(baselines: list[RunSet]) -> dict[tuple[str, str], list[float]]:
    """Each metric's values in the runs before the newest baseline, oldest first."""
    out: dict[tuple[str, str], list[float]] = {}
    for run in baselines[:-1]:
        for key, metric in run.by_key().items():
            out.setdefault(key, []).append(metric.value)
    return out


def evaluate(
    current: RunSet,
    baselines: list[RunSet],
    config: Config,
    *,
    threshold: float | None = None,
    gate_name: str | None = None,
    context: Context | None = None,
) -> Report:
    """Judge ``current`` against ``baselines`` (oldest first). Pure: no I/O."""
    ctx = context or Context()
    name = gate_name or config.gate_name
    current = derive(current, config)
    baselines = [derive(run, config) for run in baselines]
    rows = with_notes(annotate(compare(current, baselines, config, threshold)))
    rows += list(ctx.skipped)
    if ctx.hardware_mismatch:
        rows = soften_for_hardware(rows, ctx.hardware_mismatch)
    if ctx.gpu_conditions:
        rows = soften_for_hardware(rows, f"the GPU state: {ctx.gpu_conditions}", "gpu")
    findings = current.findings
    decision = decide(rows, findings, config, gpu_problem=ctx.gpu_problem)
    evidence = build_evidence(name, decision, rows, findings, current.formats)
    note = statistics_note(rows, config.alpha)
    history = history_values(baselines)
    table = [table_row(r) for r in rows]  # cells formatted once, for the summary and the page
    hardware = hardware_section(
        ctx.machines,
        ctx.hardware_source,
        ctx.input_machines,
        current.metrics,
        rows,
        ctx.fallback_used,
    )
    receipts = receipts_section(ctx.receipts, ctx.artifacts_url)
    markdown = render_summary(
        table=table,
        gate_name=name,
        decision=decision,
        evidence=evidence,
        rows=rows,
        findings=findings,
        notes=ctx.notes,
        statistics_note=note,
        charts=chart_section(rows, history),
        hardware=hardware,
        receipts=receipts,
    )
    inputs = current.files + tuple(f for run in baselines for f in run.files)
    extra = dict(ctx.extra)
    extra["hardware"] = {**extra.get("hardware", {}), "section": hardware.to_dict()}
    extra["receipts"] = receipts.to_dict()
    if note:
        extra.setdefault("statistics", {"note": note, "alpha": config.alpha})
    receipt = build_receipt(
        gate_name=name,
        decision=decision,
        evidence=evidence,
        rows=rows,
        findings=findings,
        inputs=inputs,
        artifacts=ctx.artifacts,
        extra=extra,
        table=table,
    )
    html = render_html(
        gate_line=evidence.gate_line,
        rows=rows,
        table=table,
        history=history,
        hardware=hardware,
        receipts=receipts,
    )
    return Report(name, rows, decision, evidence, findings, markdown, receipt, html, tuple(table))


def write_report(report: Report, output_dir: Path) -> dict[str, Path]:
    """Write the receipt, the summary and the HTML report, all or none."""
    files: dict[str, str | bytes] = {
        RECEIPT_NAME: dumps(report.receipt),
        SUMMARY_NAME: report.markdown,
    }
    if report.html:
        files[REPORT_NAME] = report.html
    return write_all(output_dir, files)


def exit_code(decision: Decision) -> int:
    return 1 if decision.status == "fail" else 0
