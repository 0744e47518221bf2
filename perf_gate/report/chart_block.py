"""The chart block of a report: its markers, and what may pass through it unsanitized.

Kept apart from :mod:`perf_gate.report.charts` (which draws) so that the publish layer's
sanitizer can find the block without importing the judge.
"""

from __future__ import annotations

import re

START = "<!-- perf-gate:charts:start -->"
END = "<!-- perf-gate:charts:end -->"
_BLOCK = re.compile(re.escape(START) + r"\n(.*?)\n?" + re.escape(END) + r"\n?", re.S)
_INERT_LINE = re.compile(r'(```(mermaid)?|[A-Za-z0-9 _./:()+\-x%µ"\[\],|>#…]*)')


def sentence() -> str:
    return "Charts left out: they would not fit the size limit of GitHub (see perf-report.html)."


def split(markdown: str) -> tuple[str, str, str]:
    """(before, the chart block without its markers, after); the block is ``""`` if none."""
    found = _BLOCK.search(markdown)
    if found is None:
        return markdown, "", ""
    return markdown[: found.start()], found.group(1), markdown[found.end() :]


def inert(block: str) -> bool:
    """Whether ``block`` holds only what :func:`perf_gate.report.charts.chart_section`
    writes: fences, and lines of label characters (no ``<``, ``@``, ``&``, stray backtick
    or ``%%``), so that it can pass into a comment unsanitized (sanitizing would break
    Mermaid's ``-->``)."""
    lines = block.splitlines()
    return "%%" not in block and all(_INERT_LINE.fullmatch(line) for line in lines)
