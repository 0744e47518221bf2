"""Receipts and Hardware in every report (issue 15), with file names an attacker chose."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema

from perf_gate.github.check_run import render_text
from perf_gate.report.markdown import ZWSP, report_markdown
from perf_gate.schemas import load_schema
from tests.acceptance.test_hostile_input import command_lines
from tests.conftest import FIXTURES

HOSTILE = "x|y <!-- gates:end --> @someone #12 ::error::boom"
ENV = {
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "octo/bitnet",
    "GITHUB_RUN_ID": "77",
}
LINK = "[the workflow run's artifacts](https://github.com/octo/bitnet/actions/runs/77#artifacts)"


def hostile_pr(tmp_path: Path) -> Path:
    pr = tmp_path / "pr"
    shutil.copytree(FIXTURES / "pr-small", pr)
    (pr / "current" / f"{HOSTILE} flame.svg").write_text("<svg/>")
    logs = pr / "current" / HOSTILE
    logs.mkdir()
    (logs / "cpu-bench.log").write_text("   Compiling bitnet v0.1.0\n")  # no results in it
    return pr


def test_hostile_file_names_stay_in_their_table_cells_and_ping_nobody(cli, tmp_path: Path) -> None:
    pr = hostile_pr(tmp_path)
    result = cli(
        "finalize",
        *("--current", str(pr / "current"), "--baseline", str(pr / "baseline")),
        *("--output-dir", "out", "--no-publish"),
        env=ENV,
    )
    assert result.returncode == 0, result.stderr
    assert command_lines(result.stdout) == [] and command_lines(result.stderr) == []
    assert "gates:end" not in result.stdout + result.stderr

    summary = (tmp_path / "out" / "perf-summary.md").read_text()
    section = summary.split("### Receipts", 1)[1].split("###", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert len(rows) == 3  # the header and the two files
    for row in rows:
        assert row.count("|") - row.count("\\|") == 5  # four cells, the name's pipe escaped
    assert "@someone" not in summary and f"@{ZWSP}someone" in summary
    # every "<!--" of the names is escaped, so no comment opens
    assert summary.count("<!-- gates:end") == summary.count("\\<!-- gates:end") == 2
    assert not any(line.lstrip().startswith("::") for line in summary.splitlines())
    assert (
        "Not found (the gate does not fail for them): gpu-bench.log, crossval-perf.json" in section
    )
    assert LINK in section

    receipt = json.loads((tmp_path / "out" / "perf-receipt.json").read_text())
    jsonschema.validate(receipt, load_schema("perf-receipt.schema.json"))
    assert [f["path"] for f in receipt["receipts"]["files"]] == [
        f"{HOSTILE} flame.svg",
        f"{HOSTILE}/cpu-bench.log",
    ]
    assert receipt["receipts"]["artifacts_url"] == (
        "https://github.com/octo/bitnet/actions/runs/77#artifacts"
    )

    # bound for GitHub: the check run's text and the comments
    for text in (report_markdown(summary), render_text(receipt, summary, "pointer")):
        assert "<!-- gates:end" not in text and "@someone" not in text
        assert "#12" not in text and f"#{ZWSP}12" in text

    html = (tmp_path / "out" / "perf-report.html").read_text()
    assert "<!-- gates:end -->" not in html and "&lt;!-- gates:end --&gt;" in html


def test_a_run_with_no_evidence_files_says_which_are_missing_and_passes(
    cli, tmp_path: Path
) -> None:
    pr = FIXTURES / "pr-small"
    result = cli(
        "finalize",
        *("--current", str(pr / "current"), "--baseline", str(pr / "baseline")),
        *("--output-dir", "out", "--no-publish"),
    )
    assert result.returncode == 0, result.stderr
    summary = (tmp_path / "out" / "perf-summary.md").read_text()
    assert "No evidence file was found in the inputs." in summary
    assert "gpu-bench.log, crossval-perf.json, perf-profile.svg, memory-usage.txt." in summary
    assert "artifacts](" not in summary  # outside Actions there is no run to link to
