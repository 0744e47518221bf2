"""Render the Markdown report (``perf-summary.md``) from ``templates/perf-summary.md.j2``.

Every value a template prints is Markdown-escaped unless it is :class:`Raw`, so a
benchmark named ``a|b`` or ``@team`` cannot break the table or ping anyone. The table's
rows (10,000 for a big suite) are not a Jinja loop: their cells are escaped in one
:func:`~perf_gate.report.markdown.escape_many` pass and joined here (:func:`table_lines`),
and reach the template as :class:`Raw`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from perf_gate.core.model import Finding, Kind
from perf_gate.core.units import format_pct, format_value
from perf_gate.judge.compare import delta_pct
from perf_gate.judge.decide import Decision
from perf_gate.judge.verdict import SEVERITY, STATUS_CELL, Row, Status
from perf_gate.report.evidence import Evidence, display_name
from perf_gate.report.hardware_section import HardwareSection
from perf_gate.report.markdown import Raw, escape_many
from perf_gate.report.receipts_section import ReceiptsSection
from perf_gate.report.templates import render

_HEADLINE = (Kind.INFERENCE, Kind.ACCURACY, Kind.PARITY, Kind.MEMORY, Kind.LATENCY)


# Rows the terminal table shows before it folds the rest.
TERMINAL_ROWS = 30


@dataclass(frozen=True)
class TableRow:
    metric: str
    baseline: str
    current: str
    delta: str
    threshold: str
    status: str
    explanation: str
    severity: int
    headline: bool
    order: int  # position of the kind among the headline kinds (inference first)


def table_row(row: Row) -> TableRow:
    unit = row.metric.unit
    status = STATUS_CELL[row.status]
    if row.status is Status.SKIPPED:
        status = f"skipped ({row.explanation})"
    return TableRow(
        metric=display_name(row),
        baseline=format_value(row.baseline.value if row.baseline else None, unit),
        current=format_value(row.current.value if row.current else None, unit),
        delta=delta_cell(row),
        threshold=row.threshold.describe(),
        status=status,
        explanation=row.explanation,
        severity=SEVERITY[row.status],
        headline=row.metric.kind in _HEADLINE,
        order=_HEADLINE.index(row.metric.kind) if row.metric.kind in _HEADLINE else 99,
    )


def _rank(row: Row) -> tuple[int, int]:
    """(severity, order) of the row's :class:`TableRow`, without formatting its cells."""
    kind = row.metric.kind
    return SEVERITY[row.status], _HEADLINE.index(kind) if kind in _HEADLINE else 99


def delta_cell(row: Row) -> str:
    """The Delta column: the change the verdict judged.

    For sample rows that is the Hodges–Lehmann shift of the samples, while Baseline and
    Current show each run's value (a median, or criterion's typical estimate); where
    the two disagree (a bimodal run: 2.75 µs → 2.78 µs judged +9.1 %) the cell gives
    both, the shift first, so that a row never contradicts itself.
    """
    shown = format_pct(row.delta_pct)
    if row.method != "samples" or row.delta_pct is None or not row.baseline or not row.current:
        return shown
    medians = delta_pct(row.baseline.value, row.current.value)
    if medians is None:
        return shown
    gap = abs(row.delta_pct - medians)
    if gap <= max(0.5, 0.2 * max(abs(row.delta_pct), abs(medians))):
        return shown
    return f"{shown} shift (values {format_pct(medians)})"


def split_table(
    rows: list[Row], table: Sequence[TableRow] | None = None
) -> tuple[list[TableRow], list[TableRow]]:
    """(main table, the rest): headline metrics and anything not passing come first.
    ``table``: the rows' cells when the caller has them already (in the same order)."""
    table = [table_row(r) for r in rows] if table is None else table
    order = sorted(range(len(table)), key=lambda i: (table[i].order, table[i].severity, i))
    main = [table[i] for i in order if table[i].headline or table[i].severity < 4]
    rest = [table[i] for i in order if not (table[i].headline or table[i].severity < 4)]
    return main, rest


def cells(row: TableRow) -> tuple[str, str, str, str, str, str]:
    """The six columns of the summary table, as formatted (not yet escaped)."""
    return (row.metric, row.baseline, row.current, row.delta, row.threshold, row.status)


def table_lines(table: Sequence[TableRow]) -> Raw:
    """``| metric | baseline | ... | status |`` per row, every cell escaped, one per line."""
    flat = escape_many([cell for row in table for cell in cells(row)])
    return Raw(
        "\n".join(["| " + " | ".join(flat[i : i + 6]) + " |" for i in range(0, len(flat), 6)])
    )


def why_lines(explained: Sequence[TableRow]) -> Raw:
    """``- **metric** (status): explanation`` per row that does not pass, escaped."""
    flat = escape_many([text for r in explained for text in (r.metric, r.status, r.explanation)])
    lines = [f"- **{flat[i]}** ({flat[i + 1]}): {flat[i + 2]}" for i in range(0, len(flat), 3)]
    return Raw("\n".join(lines))


def render_summary(
    *,
    gate_name: str,
    decision: Decision,
    evidence: Evidence,
    rows: list[Row],
    findings: tuple[Finding, ...],
    notes: tuple[str, ...] = (),
    statistics_note: str | None = None,
    charts: str = "",
    hardware: HardwareSection | None = None,
    receipts: ReceiptsSection | None = None,
    table: Sequence[TableRow] | None = None,
) -> str:
    main, rest = split_table(rows, table)
    context: dict[str, Any] = {
        "gate_name": gate_name,
        "decision": decision,
        "evidence": evidence,
        "main": table_lines(main),
        "rest": table_lines(rest),
        "rest_count": len(rest),
        "findings": findings,
        "notes": notes,
        "statistics_note": statistics_note,
        "charts": Raw(charts),
        "raw": Raw,
        "explained": why_lines([r for r in main if r.severity < 4]),
        "hardware": hardware,
        "receipts": receipts,
    }
    return render("perf-summary.md.j2", **context)


def text_table(
    rows: list[Row], limit: int = TERMINAL_ROWS, table: Sequence[TableRow] | None = None
) -> str:
    """The judged rows as aligned plain text for the terminal and job log: what does not
    pass first, then the headline kinds, then the rest, up to ``limit``; the rows left out
    are counted (the summary has them all). ``table``: the rows' cells when the report has
    them (the summary's, before escaping), in the same order."""
    if table is None:
        ranked = sorted(range(len(rows)), key=lambda i: (*_rank(rows[i]), i))
    else:
        ranked = sorted(range(len(rows)), key=lambda i: (table[i].severity, table[i].order, i))
    header = ("Metric", "Baseline", "Current", "Delta", "Threshold", "Status")
    body = [cells(table_row(rows[i]) if table is None else table[i]) for i in ranked[:limit]]
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, *body]
    ]
    folded = [rows[i] for i in ranked[limit:]]
    if folded:
        passing = sum(1 for r in folded if r.status is Status.PASS)
        lines.append(
            f"... and {len(folded)} more rows ({passing} passing) folded (see perf-summary.md)"
        )
    return "\n".join(lines)
