"""The hand-built SVG, perf-report.html and the history site, without a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from perf_gate.cli import main
from perf_gate.core.config import Config
from perf_gate.judge.verdict import Status
from perf_gate.report.history_site import from_receipts, load_series, render_site
from perf_gate.report.html_report import MAX_PANELS, render_html
from perf_gate.report.render import table_row
from perf_gate.report.svg import Scale, strip_plot, trend_plot
from tests.report_rows import HOSTILE, hostile_rows, row

ROOT = Path(__file__).resolve().parents[3]


def test_a_strip_plot_has_a_mark_per_sample_and_the_interval() -> None:
    svg = strip_plot("t", [("baseline", (1.0, 2.0, 3.0)), ("current", (2.0, 4.0))], (1.5, 3.5))
    assert svg.count('class="mark"') == 5 and svg.count('class="interval"') == 1
    xs = [float(x) for x in re.findall(r'cx="([0-9.]+)"', svg)]
    assert xs[0] < xs[1] < xs[2] and xs[3] < xs[4]  # larger values further right


def test_a_scale_writes_many_values_as_it_maps_each() -> None:
    """The strip plot writes its dots' coordinates in one pass (Scale.texts): the text of
    each rounded float, to the character, ties and signed zeros included."""
    values = [0.1 * i**1.5 - 3 for i in range(200)] + [1e-9, 1e9, -0.0]
    values += [k / 1000 for k in range(-3500, 3500)]  # x.xx5: ties of round(x, 2)
    scales = (
        Scale(-3.2, 280.0, 72.0, 336.0),
        Scale(5.0, 5.0, 120.0, 12.0),
        Scale(0.0, 1.0, 0.0, 1.0),  # the values themselves: 0.005, -0.004 (-0.0)
    )
    for scale in scales:
        assert scale.texts(values) == [repr(scale(v)) for v in values]
    far = [*values, 1e300, -1e300]  # coordinates beyond 1e12: repr's own way
    scale = Scale(0.0, 1.0, 0.0, 1.0)
    assert scale.texts(far) == [repr(scale(v)) for v in far]
    assert scale.texts([]) == []


def test_a_trend_marks_flagged_points_and_escapes_its_text() -> None:
    svg = trend_plot("<b>&", [3.0, 1.0, 2.0], ["a", "<i>", "c"], (0.5, 3.5), [False, True, False])
    assert svg.count("circle class=") == 3 and svg.count('class="mark regression"') == 1
    assert "<b>" not in svg and "<i>" not in svg and "&lt;b&gt;&amp;" in svg
    ys = [float(y) for y in re.findall(r'cy="([0-9.]+)"', svg)]
    assert ys[0] < ys[2] < ys[1]  # higher values higher up


def test_the_html_report_escapes_names_and_fetches_nothing() -> None:
    rows, history = hostile_rows()
    rows.append(row("sampled", 10, 11, Status.PASS, samples=((9.0, 10.0, 11.0), (10.5, 11.5))))
    table = [table_row(r) for r in rows]
    html = render_html(gate_line="<script>x</script>", rows=rows, table=table, history=history)
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert "<!-- gates:end -->" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert html.count('class="mark') == 5 + 5  # samples, and the failing row's 5 runs
    assert html.count('class="mark regression"') == 1  # the failing current value
    assert html.count("<tr class=") == len(HOSTILE) + 1


def test_receipts_make_a_series_per_metric_with_failures_marked() -> None:
    def receipt(at: str, value: float, status: str) -> dict[str, object]:
        metric = {"name": "m", "display": "m", "unit": "ns", "current": value}
        return {"created_at": at, "metrics": [{**metric, "status": status, "threshold": "±5%"}]}

    series = from_receipts([receipt("2026-02", 12, "fail"), receipt("2026-01", 10, "pass")])
    assert [(p.run, p.value, p.regression) for p in series[0].points] == [
        ("2026-01", 10, False),
        ("2026-02", 12, True),
    ]
    assert series[0].tolerance == 5
    site = render_site(series)
    assert json.loads(site["history.json"])[0]["points"][1]["regression"] is True


def test_the_example_store_has_one_regression_judged_by_the_gate() -> None:
    series = load_series([ROOT / "examples" / "bitnet-pr" / "perf-baseline.json"], Config())
    flagged = [(s.name, p.run) for s in series for p in s.points if p.regression]
    assert flagged == [("kernels/i2s_gemv/2048x2048", "c92e11f")]
    assert {len(s.points) for s in series} == {6}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "in.json: not valid JSON (expected a baseline store or a perf-receipt.json)"),
        ('{"x": 1}', "in.json: neither a baseline store nor a perf-receipt.json"),
        (None, "no baseline store or receipts found"),
    ],
)
def test_history_of_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    source = tmp_path / "in.json"
    if content is None:
        source.mkdir()  # a folder without receipts
    else:
        source.write_text(content)
    assert main(["history", str(source), "--output-dir", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "in.json" in err, err
    assert not (tmp_path / "site").exists()


def test_the_html_report_plots_the_worst_verdicts_of_a_big_suite_only() -> None:
    rows = [
        row(f"b{i}", 10, 10, Status.PASS, samples=((9.0, 10.0), (10.0, 11.0))) for i in range(150)
    ]
    rows.append(row("slow", 10, 13, Status.FAIL, samples=((9.0, 10.0), (13.0, 14.0))))
    html = render_html(gate_line="g", rows=rows, table=[table_row(r) for r in rows], history={})
    assert html.count('<section class="panel') == MAX_PANELS
    assert html.index("status-fail") < html.index("status-pass")  # the failure is plotted
    assert f"{len(rows) - MAX_PANELS} more benchmarks are in the table only" in html
    assert html.count("<tr class=") == len(rows)
