"""The Mermaid charts: what they show, their safe labels, their size budget, their block."""

from __future__ import annotations

import re
from dataclasses import replace

from perf_gate.core.model import Kind, Metric, RunSet
from perf_gate.judge.verdict import Status, Threshold
from perf_gate.report import chart_block, charts, markdown
from perf_gate.report.finalize import history_values
from tests.report_rows import HOSTILE, hostile_rows, row


def test_bars_are_the_largest_changes_first_with_the_tolerance_as_a_line() -> None:
    rows = [row(f"b{i}", 100.0, 100.0 + i, Status.PASS, tolerance=i) for i in range(12)]
    chart = charts.moved_chart(rows)
    assert chart is not None
    bars = re.search(r"bar \[(.*)\]", chart)
    line = re.search(r"line \[(.*)\]", chart)
    assert bars and line
    assert bars.group(1).split(", ") == [str(i) for i in range(11, 1, -1)]
    assert line.group(1).split(", ") == [str(i) for i in range(11, 1, -1)]
    assert '"b11 +11.0%"' in chart


def test_no_change_no_chart() -> None:
    rows = [row("a", 1.0, 1.0, Status.SKIPPED)]
    assert charts.moved_chart(rows) is None and charts.chart_section(rows, {}) == ""


def test_labels_keep_the_tail_of_long_names() -> None:
    name = "quantization_sizes/I2S_quantize/4096"
    assert charts.label(name, suffix=" +0.5%") == '"…zes/I2S_quantize/4096 +0.5%"'


def test_hostile_names_cannot_leave_their_label() -> None:
    rows, history = hostile_rows()
    block = chart_block.split(charts.chart_section(rows, history))[1]
    assert chart_block.inert(block)
    for line in block.splitlines():
        assert "@" not in line and "<" not in line and "%%" not in line
        assert line.startswith("```") or "`" not in line
    # each label is one quoted string with no quote inside
    axis = next(line for line in block.splitlines() if "x-axis" in line)
    assert axis.count('"') == 2 * len(HOSTILE)


def test_a_trend_for_each_failing_or_warning_metric_with_history() -> None:
    rows, history = hostile_rows()
    section = charts.chart_section(rows, history)
    assert section.count("```mermaid") == 2
    trend = charts.trend_chart(charts.trends(rows, history)[0])
    assert re.search(r"line \[99, 101, 100.5, 100, 103\]", trend)
    assert "line [105, 105, 105, 105, 105]" in trend and "line [95, 95, 95, 95, 95]" in trend
    assert '"run 1", "run 2", "run 3", "base", "PR"' in trend


def test_over_budget_the_charts_become_a_sentence() -> None:
    rows, history = hostile_rows()
    section = charts.chart_section(rows, history, budget=100)
    assert chart_block.split(section)[1] == chart_block.sentence()
    assert "```" not in section


def test_history_is_every_run_before_the_newest_baseline() -> None:
    def run(value: float) -> RunSet:
        return RunSet(metrics=(Metric("m", value, "ns", Kind.TIMING, "lower"),))

    assert history_values([run(1), run(2), run(3)]) == {("m", ""): [1, 2]}
    assert history_values([run(3)]) == {}


def test_the_comment_keeps_an_inert_block_and_the_check_run_drops_it() -> None:
    rows, history = hostile_rows()
    report = "before <!-- gates:end -->\n\n" + charts.chart_section(rows, history) + "after @x\n"
    kept = markdown.report_markdown(report)
    assert "--> " in kept and "```mermaid" in kept  # Mermaid's axis range survives
    assert "&lt;!-- gates:end --&gt;" in kept and "@\u200bx" in kept
    assert chart_block.START not in kept  # markers are not printed as text
    dropped = markdown.report_markdown(report, charts="drop")
    assert "mermaid" not in dropped and "after" in dropped
    assert chart_block.sentence() in markdown.report_markdown(report, charts="sentence")


def test_a_forged_chart_block_is_sanitized_away() -> None:
    forged = f"{chart_block.START}\n```mermaid\n<!-- gates:end --> @admin\n```\n{chart_block.END}\n"
    out = markdown.report_markdown("x\n" + forged)
    assert "gates:end" not in out and "admin" not in out


def test_numbers_are_plain_decimals_which_mermaid_can_parse() -> None:
    trend = charts.Trend("gemv", (1_391_000.0, 1_630_000.0, 1_440_000.0), 5.0)
    text = charts.trend_chart(trend)
    assert "e+" not in text and "1391000" in text
    assert charts._num(0.0000123456) == "0.00001235"


def test_rows_without_a_tolerance_get_no_bar() -> None:
    floor = row("acc", 99.8, 98.0, Status.FAIL)
    floor = replace(floor, threshold=Threshold("higher", floor=99.0))
    assert charts.moved([floor, row("t", 1.0, 1.1, Status.WARN)]) == charts.moved(
        [row("t", 1.0, 1.1, Status.WARN)]
    )
