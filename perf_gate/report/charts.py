"""Mermaid ``xychart-beta`` charts for the job summary and the progress comment.

Both render Mermaid; the check run is not documented to, so its text drops the block
between the markers of :mod:`~perf_gate.report.chart_block`. Labels keep a safe
character set: a benchmark name cannot close the code fence, end a quoted label or
start a Mermaid directive. The charts stay small (at most :data:`MAX_BARS` bars and
:data:`MAX_TRENDS` trends) and give way to one sentence when over their byte budget.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from perf_gate.core.units import format_pct
from perf_gate.judge.verdict import Row, Status
from perf_gate.report.chart_block import END, START, sentence
from perf_gate.report.evidence import display_name

MAX_BARS = 10
MAX_TRENDS = 6
BUDGET = 12_000
"""Bytes the chart block may take in a report (GitHub comments hold 65,536)."""
_LABEL = re.compile(r"[^A-Za-z0-9 _./:()+\-xµ]")  # no "%": "%%" starts a Mermaid directive


@dataclass(frozen=True)
class Trend:
    """One metric's values over the history runs, the baseline and the current run."""

    label: str
    values: tuple[float, ...]  # history runs oldest first, then the baseline, then current
    tolerance: float | None
    unit: str = ""


def label(text: str, limit: int = 28, suffix: str = "") -> str:
    """A quoted Mermaid label of safe characters only; a long name keeps its tail (the
    part that tells ``…/I2S_quantize/1024`` from ``…/I2S_quantize/4096``)."""
    clean = _LABEL.sub("_", " ".join(text.split()))
    room = limit - len(suffix)
    if len(clean) > room:
        clean = "…" + clean[-(room - 1) :]
    return f'"{clean}{_LABEL.sub("_", suffix.rstrip("%"))}{"%" if suffix.endswith("%") else ""}"'


def _num(value: float) -> str:
    """Four significant digits in plain decimals: Mermaid's grammar has no ``1.4e+06``."""
    return format(Decimal(f"{value:.4g}"), "f")


def _header(palette: str, horizontal: bool = False) -> list[str]:
    """Front matter that colours the series (data first, then tolerance lines)."""
    return [
        "---",
        "config:",
        "  themeVariables:",
        "    xyChart:",
        f'      plotColorPalette: "{palette}"',
        "---",
        "xychart-beta horizontal" if horizontal else "xychart-beta",
    ]


def moved(rows: Sequence[Row]) -> list[Row]:
    """Rows with a change and a tolerance, largest change first, at most :data:`MAX_BARS`."""
    changed = [
        r
        for r in rows
        if r.delta_pct is not None
        and r.threshold.tolerance is not None  # floors (accuracy) have no % line to draw
        and r.status is not Status.SKIPPED
    ]
    changed.sort(key=lambda r: -abs(r.delta_pct or 0.0))
    return changed[:MAX_BARS]


def moved_chart(rows: Sequence[Row]) -> str | None:
    """Bars of |change| in % of the rows that moved most, the tolerance as a line."""
    top = moved(rows)
    if not top:
        return None
    sizes = [abs(r.delta_pct or 0.0) for r in top]
    tolerances = [r.threshold.tolerance or 0.0 for r in top]  # never 0: moved() has tolerances
    names = ", ".join(label(display_name(r), suffix=f" {format_pct(r.delta_pct)}") for r in top)
    ceiling = max([*sizes, *tolerances, 1.0]) * 1.1
    return "\n".join(
        [
            *_header("#4e79a7, #d62728", horizontal=True),
            '    title "Largest changes: |change| in %, tolerance as a line"',
            f"    x-axis [{names}]",
            f'    y-axis "|change| (%)" 0 --> {_num(ceiling)}',
            f"    bar [{', '.join(_num(s) for s in sizes)}]",
            f"    line [{', '.join(_num(t) for t in tolerances)}]",
        ]
    )


def trend_chart(trend: Trend) -> str:
    """The history runs, the baseline and the current value, with the tolerance band."""
    count = len(trend.values)
    names = [label(f"run {i + 1}") for i in range(count - 2)] + [label("base"), label("PR")]
    lines = [f"    line [{', '.join(_num(v) for v in trend.values)}]"]
    extremes = list(trend.values)
    if trend.tolerance is not None:
        base = trend.values[-2]
        for sign in (1, -1):
            edge = base * (1 + sign * trend.tolerance / 100)
            extremes.append(edge)
            lines.append(f"    line [{', '.join([_num(edge)] * count)}]")
    low, high = min(extremes), max(extremes)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    return "\n".join(
        [
            *_header("#1f3b73, #59a14f, #59a14f"),
            f"    title {label(trend.label, 60, suffix=f' ({trend.unit})' if trend.unit else '')}",
            f"    x-axis [{', '.join(names)}]",
            f"    y-axis {_num(low - pad)} --> {_num(high + pad)}",
            *lines,
        ]
    )


def trends(rows: Sequence[Row], history: Mapping[tuple[str, str], Sequence[float]]) -> list[Trend]:
    """A trend for each failing or warning metric with history."""
    out = []
    for row in rows:
        earlier = history.get(row.metric.key, ())
        if row.status not in (Status.FAIL, Status.WARN) or not earlier:
            continue
        if row.baseline is None or row.current is None:
            continue
        values = (*earlier, row.baseline.value, row.current.value)
        out.append(Trend(display_name(row), values, row.threshold.tolerance, row.metric.unit))
    return out[:MAX_TRENDS]


def _fence(chart: str) -> str:
    return f"```mermaid\n{chart}\n```"


def chart_section(
    rows: Sequence[Row],
    history: Mapping[tuple[str, str], Sequence[float]],
    budget: int = BUDGET,
) -> str:
    """The chart block of the report (between the markers), or ``""`` with nothing to draw."""
    bars = moved_chart(rows)
    if bars is None:
        return ""
    parts = ["### Charts", "", _fence(bars)]
    for trend in trends(rows, history):
        parts += ["", f"Trend of {label(trend.label, 60)}: earlier runs, baseline, this PR.", ""]
        parts.append(_fence(trend_chart(trend)))
    body = "\n".join(parts)
    if len(body.encode("utf-8")) > budget:
        body = sentence()
    return f"{START}\n{body}\n{END}\n"
