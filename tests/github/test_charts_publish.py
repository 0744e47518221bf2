"""Where the Mermaid charts go: the progress comment and the job summary, not the check run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perf_gate.cli import main
from perf_gate.github.check_run import build_payload
from perf_gate.github.context import GitHubContext
from perf_gate.github.progress_comment import COMMENT_LIMIT, render_comment
from perf_gate.github.publish import write_job_summary
from perf_gate.github.sanitize import utf8_len
from perf_gate.report import chart_block

from .builders import HEAD_SHA

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "bitnet-pr"
CONTEXT = GitHubContext(
    repository="octo/bitnet", token="t", head_sha=HEAD_SHA, run_id="1", pr_number=42
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], str]:
    """What `make demo` writes: the receipt and the report."""
    out = tmp_path_factory.mktemp("demo")
    args = ["finalize", "--config", str(EXAMPLE / ".perf-gate.yml")]
    args += ["--current", str(EXAMPLE / "current"), "--baseline", str(EXAMPLE / "baseline")]
    assert main([*args, "--output-dir", str(out), "--no-publish"]) == 0
    assert (out / "perf-report.html").is_file()
    return json.loads((out / "perf-receipt.json").read_text()), (
        out / "perf-summary.md"
    ).read_text()


def test_the_demo_comment_holds_a_mermaid_chart(demo: tuple[dict[str, object], str]) -> None:
    receipt, report = demo
    body = render_comment(receipt, report, CONTEXT)
    assert "```mermaid\n---\n" in body and "xychart-beta horizontal" in body
    assert " --> " in body  # the axis range, not sanitized into --&gt;
    assert chart_block.START not in body and "&lt;!-- perf-gate:charts" not in body


def test_the_check_run_leaves_the_charts_out(demo: tuple[dict[str, object], str]) -> None:
    receipt, report = demo
    payload = build_payload(receipt, report, CONTEXT)
    assert "mermaid" not in payload.text and "xychart" not in payload.text
    assert "Performance Validation Summary" in payload.text


def test_the_job_summary_keeps_them(demo: tuple[dict[str, object], str], tmp_path: Path) -> None:
    _, report = demo
    summary = tmp_path / "summary.md"
    context = GitHubContext(repository="octo/bitnet", token="t", step_summary=summary)
    assert write_job_summary(context, report, "read-only", [])
    assert "```mermaid" in summary.read_text()


def test_a_comment_too_long_gives_up_the_charts_first(
    demo: tuple[dict[str, object], str],
) -> None:
    receipt, report = demo
    size = utf8_len(render_comment(receipt, report, CONTEXT))
    block = utf8_len(chart_block.split(report)[1])
    padding = "\n\n" + "x" * (COMMENT_LIMIT - size + block // 2) + "\n"
    body = render_comment(receipt, report + padding, CONTEXT)
    assert utf8_len(body) <= COMMENT_LIMIT
    assert "mermaid" not in body and chart_block.sentence() in body
    assert body.rstrip().endswith("x")  # the rest of the report is whole
