"""perf-report.html, the history site and the Mermaid charts in a real headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from perf_gate.cli import main
from perf_gate.report.chart_block import split
from perf_gate.report.charts import chart_section
from tests.browser.conftest import Watched
from tests.report_rows import hostile_rows

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "bitnet-pr"
pytestmark = pytest.mark.browser


def _finalize(out: Path, *baseline: Path) -> dict[str, Any]:
    args = ["finalize", "--config", str(EXAMPLE / ".perf-gate.yml")]
    args += ["--current", str(EXAMPLE / "current"), "--output-dir", str(out), "--no-publish"]
    for path in baseline:
        args += ["--baseline", str(path)]
    assert main(args) in (0, 1)
    receipt: dict[str, Any] = json.loads((out / "perf-receipt.json").read_text())
    return receipt


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example PR judged against the example's baseline store (history included)."""
    out = tmp_path_factory.mktemp("report")
    _finalize(out, EXAMPLE / "perf-baseline.json")
    return out


def _open(watched: Watched, path: Path) -> Any:
    watched.page.goto(path.as_uri())
    watched.page.wait_for_load_state("load")
    return watched.page


def _offline(watched: Watched) -> None:
    assert watched.errors == []
    assert [u for u in watched.requests if not u.startswith(("file:", "data:"))] == []


def _column(page: Any, table: str, index: int) -> list[str]:
    cells: list[str] = page.eval_on_selector_all(
        f"#{table} tbody tr:not([hidden]) td:nth-child({index})",
        "cells => cells.map(c => c.dataset.sort !== undefined ? c.dataset.sort : c.textContent)",
    )
    return cells


def test_report_draws_every_sample_and_run_and_sorts_and_filters(
    watched: Watched, report_dir: Path
) -> None:
    receipt = json.loads((report_dir / "perf-receipt.json").read_text())
    store = json.loads((EXAMPLE / "perf-baseline.json").read_text())
    page = _open(watched, report_dir / "perf-report.html")
    _offline(watched)

    # a dot per sample on both sides, and per trend point (earlier runs, baseline, current)
    samples = sum(sum(m.get("samples", {}).values()) for m in receipt["metrics"])
    earlier = len(store["history"])
    trended = [
        m for m in receipt["metrics"] if m["baseline"] is not None and m["current"] is not None
    ]
    trended = [
        m
        for m in trended
        # derived ratios are computed from each earlier run too, so they have a trend
        if m["name"] in {x["name"] for x in store["history"][0]["metrics"]}
        or m["kind"] == "derived"
    ]
    assert page.locator("svg circle.mark").count() == samples + len(trended) * (earlier + 2)
    assert page.locator("svg rect.interval").count() == sum(
        1 for m in receipt["metrics"] if m["interval_pct"] and m.get("samples")
    )
    assert page.locator("svg rect.band").count() > 0

    rows = len(receipt["metrics"])
    assert page.locator("#metrics tbody tr").count() == rows
    page.click("#metrics th:has-text('Delta')")
    deltas = [float(x) for x in _column(page, "metrics", 4) if x != ""]
    assert deltas == sorted(deltas) and deltas[0] < deltas[-1]
    page.click("#metrics th:has-text('Delta')")
    deltas = [float(x) for x in _column(page, "metrics", 4) if x != ""]
    assert deltas == sorted(deltas, reverse=True)

    page.fill("input[data-filter=metrics]", "I2S_quantize/4096")
    wanted = sorted(m["display"] for m in receipt["metrics"] if "I2S_quantize/4096" in m["display"])
    assert sorted(_column(page, "metrics", 1)) == wanted and len(wanted) == 2
    assert page.text_content("#metrics-count") == "2"
    watched.screenshot("perf-report-filtered")
    page.fill("input[data-filter=metrics]", "")
    assert page.locator("#metrics tbody tr:not([hidden])").count() == rows
    watched.screenshot("perf-report")
    _offline(watched)


def test_report_lists_the_receipts_and_the_hardware(watched: Watched, report_dir: Path) -> None:
    receipt = json.loads((report_dir / "perf-receipt.json").read_text())
    files = receipt["receipts"]["files"]
    page = _open(watched, report_dir / "perf-report.html")
    assert page.locator("#receipts tbody tr").count() == len(files) >= 2
    assert _column(page, "receipts", 1) == [f["path"] for f in files]
    assert _column(page, "receipts", 4) == [f["sha256"] for f in files]
    hardware = page.text_content("#hardware") or ""
    assert "AMD EPYC 7763" in hardware and "Not recorded" in hardware
    _offline(watched)


def test_history_site_marks_every_run_and_the_regression(
    watched: Watched, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = EXAMPLE / "perf-baseline.json"
    code = main(
        [
            "history",
            str(store),
            "--config",
            str(EXAMPLE / ".perf-gate.yml"),
            "--output-dir",
            str(tmp_path / "site"),
        ]
    )
    assert code == 0
    doc = json.loads(store.read_text())
    runs = [*doc["history"], doc]
    benchmarks = {(m["name"], m.get("device") or "") for r in runs for m in r["metrics"]}
    points = sum(len(r["metrics"]) for r in runs)

    page = _open(watched, tmp_path / "site" / "index.html")
    _offline(watched)
    assert page.locator("#benchmarks tbody tr").count() == len(benchmarks)
    assert page.locator("svg circle.mark").count() == points
    # the generator's one regression: i2s_gemv 16 % slower at c92e11f; the gate fails it
    regressions = page.locator("svg circle.mark.regression")
    assert regressions.count() == 1
    assert "c92e11f" in regressions.first.text_content()
    assert "1 regression(s) marked" in capsys.readouterr().out

    page.click("#benchmarks th:has-text('Regressions')")
    page.click("#benchmarks th:has-text('Regressions')")
    assert _column(page, "benchmarks", 2)[0] == "1"
    page.fill("input[data-filter=benchmarks]", "gemv")
    assert page.locator("#benchmarks tbody tr:not([hidden])").count() == 1
    watched.screenshot("history-filtered")
    page.fill("input[data-filter=benchmarks]", "")
    watched.screenshot("history")
    _offline(watched)


def _render_mermaid(watched: Watched, mermaid_js: Path, tmp_path: Path, charts: list[str]) -> Any:
    """Parse each chart with the real mermaid parser, render it, and return the page."""
    html = tmp_path / "mermaid.html"
    html.write_text(
        f'<!doctype html><meta charset="utf-8"><script src="{mermaid_js.as_uri()}"></script>'
        "<body></body>",
        encoding="utf-8",
    )
    page = _open(watched, html)
    results = page.evaluate(
        """async (charts) => {
            mermaid.initialize({ startOnLoad: false });
            const out = [];
            for (const [i, text] of charts.entries()) {
                try {
                    await mermaid.parse(text);
                    const { svg } = await mermaid.render(`chart${i}`, text);
                    const div = document.createElement("div");
                    div.innerHTML = svg;
                    document.body.appendChild(div);
                    out.push("ok");
                } catch (e) { out.push(String(e && e.message || e)); }
            }
            return out;
        }""",
        charts,
    )
    assert results == ["ok"] * len(charts)
    return page


def _mermaid_blocks(markdown: str) -> list[str]:
    _, block, _ = split(markdown)
    return re.findall(r"```mermaid\n(.*?)\n```", block, re.S)


def test_the_report_charts_are_valid_mermaid(
    watched: Watched, mermaid_js: Path, report_dir: Path, tmp_path: Path
) -> None:
    charts = _mermaid_blocks((report_dir / "perf-summary.md").read_text())
    receipt = json.loads((report_dir / "perf-receipt.json").read_text())
    trends = [m for m in receipt["metrics"] if m["status"] in ("fail", "warn")]
    assert len(charts) == 1 + len(trends) and trends
    page = _render_mermaid(watched, mermaid_js, tmp_path, charts)
    # the bar chart: one bar per moved row (at most 10)
    moved = [m for m in receipt["metrics"] if m["delta_pct"] is not None]
    assert page.locator("#chart0 .bar-plot-0 rect").count() == min(10, len(moved))
    watched.screenshot("mermaid-charts")
    assert watched.errors == []


def test_hostile_benchmark_names_still_make_valid_mermaid(
    watched: Watched, mermaid_js: Path, tmp_path: Path
) -> None:
    rows, history = hostile_rows()
    charts = _mermaid_blocks(chart_section(rows, history))
    assert len(charts) == 2
    _render_mermaid(watched, mermaid_js, tmp_path, charts)
