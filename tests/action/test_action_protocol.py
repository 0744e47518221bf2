"""The runner's protocols: workflow commands, GITHUB_OUTPUT, the job summary's limit."""

from __future__ import annotations

import io
from typing import Any

import pytest

from perf_gate.action_protocol import (
    MAX_ANNOTATIONS,
    annotations_for,
    cap_summary,
    format_outputs,
    group,
)
from perf_gate.core.workflow_commands import command, escape_data, escape_property
from tests.action.conftest import parse_github_output


def test_messages_escape_percent_and_line_breaks() -> None:
    assert escape_data("50% slower\r\nsee: log, here") == "50%25 slower%0D%0Asee: log, here"


def test_properties_also_escape_colon_and_comma() -> None:
    assert escape_property("review:gate:perf: a, b%\n") == "review%3Agate%3Aperf%3A a%2C b%25%0A"


def test_a_command_puts_escaped_properties_before_the_message() -> None:
    line = command("error", "-9.5% beyond ±5%", title="gate: inference, cpu")
    assert line == "::error title=gate%3A inference%2C cpu::-9.5%25 beyond ±5%25"
    assert command("warning", "plain") == "::warning::plain"


def test_outputs_use_the_multiline_form_with_a_fresh_delimiter_each() -> None:
    values = {"summary": "line one\nline two", "status": "fail", "empty": ""}
    text = format_outputs(values)
    assert parse_github_output(text) == values
    delimiters = [line.split("<<", 1)[1] for line in text.splitlines() if "<<" in line]
    assert len(set(delimiters)) == 3
    assert all(d.startswith("ghadelimiter_") for d in delimiters)


def test_a_value_containing_the_delimiter_is_refused() -> None:
    with pytest.raises(ValueError, match="occurs in output 'summary'"):
        format_outputs({"summary": "x\nEOF\ny"}, new_delimiter=lambda: "EOF")


def test_a_short_summary_is_kept_whole() -> None:
    assert cap_summary("## ok\n") == "## ok\n"


def test_a_long_summary_is_cut_at_a_line_under_the_limit_with_a_note() -> None:
    text = "".join(f"| row {i} | ✅ ok |\n" for i in range(100_000))
    capped = cap_summary(text, limit=50_000)
    assert len(capped.encode("utf-8")) <= 50_000
    assert "**Cut here:**" in capped
    body = capped.split("\n\n> **Cut here:**")[0]
    assert text.startswith(body)
    assert body.endswith("|")


def test_the_default_cap_stays_below_one_mebibyte() -> None:
    capped = cap_summary("é" * 2_000_000)
    assert len(capped.encode("utf-8")) < 1024 * 1024


def metric(label: str, status: str, explanation: str = "why") -> dict[str, Any]:
    return {"name": label, "label": label, "status": status, "explanation": explanation}


def test_failing_metrics_become_errors_and_warnings_warnings() -> None:
    receipt = {
        "metrics": [
            metric("inference (cpu)", "fail", "-9.5% is beyond ±5%"),
            metric("gemv", "pass"),
            metric("memory", "warn", "+1.5%"),
            metric("new one", "new"),
        ],
        "findings": [
            {"source": "xtask-cpu.json", "message": "mock receipt", "severity": "fail"},
            {"source": "bench.log", "message": "a benchmark panicked", "severity": "warn"},
        ],
    }
    assert annotations_for(receipt, "review:gate:perf") == [
        "::error title=review%3Agate%3Aperf%3A inference (cpu) fails::-9.5%25 is beyond ±5%25",
        "::error title=review%3Agate%3Aperf%3A xtask-cpu.json::mock receipt",
        "::warning title=review%3Agate%3Aperf%3A memory warns::+1.5%25",
        "::warning title=review%3Agate%3Aperf%3A bench.log::a benchmark panicked",
    ]


def test_annotations_are_capped_at_what_github_shows_with_a_pointer_to_the_rest() -> None:
    receipt = {"metrics": [metric(f"m{i}", "fail") for i in range(25)], "findings": []}
    lines = annotations_for(receipt, "gate")
    assert len(lines) == MAX_ANNOTATIONS
    assert lines[-1] == "::error title=gate%3A 16 more::16 more; see the job summary"


def test_a_group_folds_what_is_printed_inside() -> None:
    out = io.StringIO()
    with group("perf-gate finalize: 3%", out):
        out.write("table\n")
    assert out.getvalue() == "::group::perf-gate finalize: 3%25\ntable\n::endgroup::\n"


def test_a_fold_title_cannot_start_a_workflow_command() -> None:
    """``perf-gate run`` folds each command under its configured name: one escaping for all."""
    from perf_gate.inputs.console import Console

    out = io.StringIO()
    Console(stream=out, fold=True).begin("bench\n::error::pwned")
    assert out.getvalue() == "::group::bench%0A::error::pwned\n"
