"""The terminal table: the judged rows, worst first, up to a limit; the rest counted."""

from __future__ import annotations

from perf_gate.core.config import config_from_mapping
from perf_gate.core.model import Kind, Metric, RunSet
from perf_gate.judge.verdict import Row
from perf_gate.report.finalize import evaluate
from perf_gate.report.render import text_table


def timing(name: str, value: float) -> Metric:
    return Metric(name=name, value=value, unit="ns", kind=Kind.TIMING, direction="lower")


def memory(name: str, value: float) -> Metric:
    return Metric(name=name, value=value, unit="MB", kind=Kind.MEMORY, direction="lower")


def rows(slow: str | None = None) -> list[Row]:
    names = [f"bench_{i}" for i in range(6)]
    base = RunSet((*(timing(n, 100.0) for n in names), memory("cpu-bench peak memory", 50.0)))
    current = RunSet(
        (
            *(timing(n, 150.0 if n == slow else 100.0) for n in names),
            memory("cpu-bench peak memory", 50.0),
        )
    )
    return evaluate(current, [base], config_from_mapping({}), threshold=10).rows


def test_passing_benchmarks_are_shown_not_folded_behind_the_memory_row() -> None:
    table = text_table(rows())
    for i in range(6):
        assert f"\nbench_{i}" in table, table
    assert "folded" not in table


def test_rows_past_the_limit_are_counted_and_the_failure_comes_first() -> None:
    table = text_table(rows(slow="bench_4"), limit=3)
    lines = table.splitlines()
    assert lines[1].startswith("bench_4") and "FAIL" in lines[1], table
    assert len(lines) == 1 + 3 + 1
    assert lines[-1] == "... and 4 more rows (4 passing) folded (see perf-summary.md)"


def test_the_reports_cells_give_the_same_table() -> None:
    """finalize prints the table from the cells the summary and the page were made of."""
    current = RunSet((timing("slow", 150.0), timing("a|b @x", 100.0), memory("peak", 60.0)))
    base = RunSet((timing("slow", 100.0), timing("a|b @x", 100.0), memory("peak", 50.0)))
    report = evaluate(current, [base], config_from_mapping({}), threshold=10)
    assert len(report.table) == len(report.rows) == 3
    for limit in (1, 3):
        shared = text_table(report.rows, limit, table=report.table)
        assert shared == text_table(report.rows, limit)
    assert "a|b @x" in text_table(report.rows, table=report.table)  # plain text, not escaped
