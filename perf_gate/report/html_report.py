"""``perf-report.html``: one self-contained page (inline SVG, inline script, no fetches).

Per benchmark: the samples of baseline and current with the interval of the change,
the history trend with the tolerance band; and the summary table, sortable and
filterable. The table's rows are built here, each cell HTML-escaped once
(:func:`table_rows`), not by a Jinja loop: a suite of 10,000 benchmarks has 10,000 rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from markupsafe import Markup, escape

from perf_gate.core.units import format_pct
from perf_gate.judge.verdict import SEVERITY, Row
from perf_gate.report.evidence import display_name
from perf_gate.report.hardware_section import HardwareSection
from perf_gate.report.receipts_section import ReceiptsSection
from perf_gate.report.svg import strip_plot, trend_plot
from perf_gate.report.templates import render

REPORT_NAME = "perf-report.html"
# Plots drawn, worst verdicts first: a panel holds a dot per sample, so 10,000 of them would
# make a page of hundreds of megabytes that no browser opens; the table keeps every row.
MAX_PANELS = 100


class Cells(Protocol):
    """A row of the summary table (:class:`perf_gate.report.render.TableRow`)."""

    @property
    def metric(self) -> str: ...
    @property
    def baseline(self) -> str: ...
    @property
    def current(self) -> str: ...
    @property
    def delta(self) -> str: ...
    @property
    def threshold(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def severity(self) -> int: ...


@dataclass(frozen=True)
class Panel:
    name: str
    status: str
    delta: str
    samples: Markup | None
    trend: Markup | None


def tolerance_band(value: float, tolerance: float | None) -> tuple[float, float] | None:
    if tolerance is None:
        return None
    return value * (1 - tolerance / 100), value * (1 + tolerance / 100)


def _samples(row: Row) -> Markup | None:
    sides = [
        (side, metric.samples)
        for side, metric in (("baseline", row.baseline), ("current", row.current))
        if metric is not None and metric.samples
    ]
    if not sides:
        return None
    band = None
    if row.interval_pct and row.baseline is not None:
        lo, hi = row.interval_pct
        band = (row.baseline.value * (1 + lo / 100), row.baseline.value * (1 + hi / 100))
    return Markup(strip_plot(f"{display_name(row)}: samples ({row.metric.unit})", sides, band))


def _trend(row: Row, earlier: Sequence[float]) -> Markup | None:
    if row.baseline is None or row.current is None or not earlier:
        return None
    values = [*earlier, row.baseline.value, row.current.value]
    labels = [f"run {i + 1}" for i in range(len(earlier))] + ["baseline", "this PR"]
    band = tolerance_band(row.baseline.value, row.threshold.tolerance)
    flagged = [False] * (len(values) - 1) + [SEVERITY[row.status] == 0]
    return Markup(trend_plot(f"{display_name(row)}: trend", values, labels, band, flagged))


def panels(
    rows: Sequence[Row],
    history: Mapping[tuple[str, str], Sequence[float]],
    limit: int = MAX_PANELS,
) -> list[Panel]:
    out: list[Panel] = []
    for row in sorted(rows, key=lambda r: SEVERITY[r.status]):
        if len(out) == limit:
            break
        samples = _samples(row)
        trend = _trend(row, history.get(row.metric.key, ()))
        if samples is None and trend is None:
            continue
        out.append(
            Panel(display_name(row), row.status.value, format_pct(row.delta_pct), samples, trend)
        )
    return out


def escape_many(texts: Sequence[str]) -> list[str]:
    """``[str(escape(t)) for t in texts]`` in one ``markupsafe`` call over their joined
    text (per call, its Python wrapper costs more than the escaping): exact, since it
    replaces single characters and leaves the joining newline alone."""
    joined = "\n".join(texts)
    if not texts or joined.count("\n") != len(texts) - 1:  # a text with a newline of its own
        return [str(escape(t)) for t in texts]
    return str(escape(joined)).split("\n")


def table_rows(rows: Sequence[Row], table: Sequence[Cells]) -> Markup:
    """The ``<tr>`` of each row, worst verdicts first, one per line: what Jinja's
    autoescaping printed for them, cell by cell, before the table had 10,000 rows."""
    order = sorted(range(len(rows)), key=lambda i: SEVERITY[rows[i].status])
    texts: list[str] = []
    for i in order:
        t = table[i]
        texts += (
            rows[i].status.value,
            t.metric,
            t.baseline,
            t.current,
            t.delta,
            t.threshold,
            t.status,
        )
    flat = escape_many(texts)
    lines = []
    for k, i in enumerate(order):
        status, metric, baseline, current, delta, threshold, cell = flat[7 * k : 7 * k + 7]
        number = rows[i].delta_pct
        lines.append(
            f'<tr class="status-{status}"><td>{metric}</td><td>{baseline}</td>'
            f'<td>{current}</td><td data-sort="{"" if number is None else number}">{delta}</td>'
            f'<td>{threshold}</td><td data-sort="{table[i].severity}">{cell}</td></tr>'
        )
    return Markup("\n".join(lines))


def render_html(
    *,
    gate_line: str,
    rows: Sequence[Row],
    table: Sequence[Cells],
    history: Mapping[tuple[str, str], Sequence[float]],
    hardware: HardwareSection | None = None,
    receipts: ReceiptsSection | None = None,
) -> str:
    """``table`` holds the summary's cells of ``rows``, in the same order."""
    drawn = panels(rows, history)
    return render(
        "html/perf-report.html.j2",
        gate_line=gate_line,
        table=table_rows(rows, table),
        count=len(rows),
        panels=drawn,
        not_drawn=len(rows) - len(drawn) if len(drawn) == MAX_PANELS else 0,
        hardware=hardware,
        receipts=receipts,
    )
