"""Hostile and careless input (issue 12): nothing starts a workflow command, nothing
impossible is judged, nothing crashes. Each case runs the installed ``perf-gate``."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

ANSI = "\x1b[31m"


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return name


def command_lines(text: str) -> list[str]:
    """Lines a GitHub runner would take for workflow commands (``::`` or ``##[`` after
    leading blanks), but the token mask perf-gate itself sends."""
    return [
        line
        for line in re.split(r"\r\n|\r|\n", text)
        if line.lstrip().startswith(("::", "##[")) and not line.startswith("::add-mask::")
    ]


def one_error(result, expected: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("perf-gate: error: ")
    assert expected in lines[0], lines[0]
    assert "Traceback" not in result.stderr


# -- 2. workflow-command injection -----------------------------------------------------

HOSTILE_NAMES = [
    "::stop-commands::abc123",
    "::set-output name=status::pass",
    "  ::warning::fake",
    "##[error]old style",
    f"{ANSI}red name",
    "a\n::error::after a newline",
    "b\r::error::after a carriage return",
]


def test_metric_names_and_units_cannot_start_workflow_commands(cli, tmp_path: Path) -> None:
    current = [{"name": n, "unit": "ms", "value": 2.0} for n in HOSTILE_NAMES]
    current.append({"name": "unit", "unit": "::error::u", "value": 2.0})
    baseline = [{**m, "value": 1.0} for m in current]
    write(tmp_path, "cur.json", json.dumps(current))
    write(tmp_path, "base.json", json.dumps(baseline))
    result = cli("finalize", "--current", "cur.json", "--baseline", "base.json", "--no-publish")
    assert result.returncode in (0, 1), result.stderr
    assert "stop-commands" in result.stdout  # shown, but quoted
    assert command_lines(result.stdout) == []
    assert command_lines(result.stderr) == []
    assert "\x1b" not in result.stdout + result.stderr


def test_harness_error_message_cannot_start_a_command(cli, tmp_path: Path) -> None:
    doc = {
        "context": {"date": "2026-11-20T09:20:11+00:00"},
        "benchmarks": [
            {
                "name": "BM_ok",
                "run_type": "iteration",
                "iterations": 5,
                "real_time": 12.0,
                "cpu_time": 12.0,
                "time_unit": "ms",
            },
            {
                "name": "BM_bad",
                "run_type": "iteration",
                "error_occurred": True,
                "error_message": "boom\n::error::injected\n" + ANSI,
                "iterations": 0,
                "real_time": 0,
                "cpu_time": 0,
                "time_unit": "ms",
            },
        ],
    }
    write(tmp_path, "gb.json", json.dumps(doc))
    result = cli("finalize", "--current", "gb.json", "--no-publish")
    assert result.returncode in (0, 1, 2), result.stderr
    assert command_lines(result.stdout + "\n" + result.stderr) == []
    assert "\x1b" not in result.stdout + result.stderr


def test_error_messages_cannot_start_commands(cli, tmp_path: Path) -> None:
    result = cli("finalize", "--current", "::error::x\n::warning::y", "--no-publish")
    assert result.returncode == 2
    assert command_lines(result.stderr) == []


# -- 4. impossible values ------------------------------------------------------------------

GUNGRAUN_NAN = """bench::x small:1
  ======= CALLGRIND ====================================================================
  Instructions:                    nan|41790                (+0.07179%) [+1.00072x]
"""


def store(samples: list[float]) -> str:
    metric = {
        "name": "m",
        "unit": "ns",
        "value": 500,
        "kind": "timing",
        "direction": "lower",
        "samples": samples,
    }
    return json.dumps({"perf_gate_baseline": 1, "metrics": [metric]}).replace('"NaNs"', "NaN")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("gungraun.log", GUNGRAUN_NAN, "gungraun.log: line 3: not a count: 'nan'"),
        (
            "bmf.json",
            json.dumps({"b": {"latency": {"value": -1}}}),
            "bmf.json: $.b.latency.value: negative value -1",
        ),
        (
            "inf.json",
            '[{"name": "a", "unit": "ms", "value": 1e999}]',
            "inf.json: $[0].value: not a finite number: inf",
        ),
    ],
)
def test_impossible_current_values_are_bad_input(
    cli, tmp_path: Path, name: str, content: str, expected: str
) -> None:
    write(tmp_path, name, content)
    one_error(cli("finalize", "--current", name, "--no-publish"), expected)


def test_baseline_store_with_nan_samples_is_bad_input(cli, tmp_path: Path) -> None:
    write(tmp_path, "cur.json", json.dumps([{"name": "m", "unit": "ns", "value": 500}]))
    doc = json.loads(store([100.0, 100.0]))
    doc["metrics"][0]["samples"] = ["NaN-HERE", 100.0]
    text = json.dumps(doc).replace('"NaN-HERE"', "NaN")
    write(tmp_path, "baseline.json", text)
    result = cli("finalize", "--current", "cur.json", "--baseline", "baseline.json", "--no-publish")
    one_error(result, "baseline.json: $.metrics[0].samples[0]: not a finite number: nan")


def test_zero_baseline_is_bad_input_for_a_relative_rule(cli, tmp_path: Path) -> None:
    write(tmp_path, "cur.json", json.dumps([{"name": "m", "unit": "ns", "value": 900}]))
    write(tmp_path, "base.json", json.dumps([{"name": "m", "unit": "ns", "value": 0}]))
    result = cli("finalize", "--current", "cur.json", "--baseline", "base.json", "--no-publish")
    one_error(result, "base.json: baseline value of 'm' is 0 ns")


# -- 7. crashes that were exit 70 --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("deep.json", "[" * 100_000, "deep.json: JSON nested more than 64 levels deep"),
        (
            "digits.json",
            '[{"name": "a", "unit": "ms", "value": ' + "9" * 401 + "}]",
            "digits.json: integer of 401 digits",
        ),
        (
            "dup.json",
            '[{"name": "a", "unit": "ms", "value": 1, "value": 2}]',
            "dup.json: duplicate key 'value'",
        ),
        (
            "results.json.gz",
            gzip.compress(b"[" + b" " * (80 * 1024 * 1024) + b"]"),
            "results.json.gz: gzip data unpacks to more than",
        ),
    ],
)
def test_hostile_json_is_bad_input(
    cli, tmp_path: Path, name: str, content: str | bytes, expected: str
) -> None:
    write(tmp_path, name, content)
    one_error(cli("finalize", "--current", name, "--no-publish"), expected)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"gate:\n  name: \xff\xfe\n", "not UTF-8 text"),
        (b"gate: " + b"[" * 50_000 + b"\n", ".perf-gate.yml"),
        (b"gate:\n  threshold: .nan\n", "$.gate.threshold: not a finite number: nan"),
        (
            b"benchmarks:\n  - name: a\n    command: 'true'\n    timeout: 0s\n",
            "a duration must be more than 0 seconds",
        ),
    ],
)
def test_hostile_config_is_bad_input(cli, tmp_path: Path, content: bytes, expected: str) -> None:
    write(tmp_path, ".perf-gate.yml", content)
    write(tmp_path, "cur.json", json.dumps([{"name": "m", "unit": "ns", "value": 900}]))
    result = cli("finalize", "--config", ".perf-gate.yml", "--current", "cur.json", "--no-publish")
    one_error(result, expected)


# -- 11. no neutral gate on empty input -----------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02\xff" * 64, "hello".encode("utf-16")],
    ids=["empty", "binary", "utf16"],
)
def test_forced_format_yielding_no_metric_is_bad_input(cli, tmp_path: Path, content: bytes) -> None:
    write(tmp_path, "cur.log", content)
    write(tmp_path, "base.json", json.dumps([{"name": "m", "unit": "ns", "value": 9}]))
    result = cli(
        "finalize",
        "--format",
        "criterion-log",
        "--current",
        "cur.log",
        "--baseline",
        "base.json",
        "--no-publish",
    )
    one_error(result, "cur.log: no metric found in it as format 'criterion-log'")


def test_unknown_format_in_config_is_bad_input(cli, tmp_path: Path) -> None:
    write(
        tmp_path,
        ".perf-gate.yml",
        "benchmarks:\n  - name: a\n    command: 'true'\n    results: [r.json]\n"
        "    format: cargo_bench\n",
    )
    result = cli("run", "--config", ".perf-gate.yml")
    one_error(result, "$.benchmarks[0].format: unknown format 'cargo_bench'")


# -- 14. receipts are strict JSON ------------------------------------------------------


def test_receipt_is_strict_json(cli, tmp_path: Path) -> None:
    write(tmp_path, "cur.json", json.dumps([{"name": "m", "unit": "ns", "value": 900}]))
    write(tmp_path, "base.json", json.dumps([{"name": "m", "unit": "ns", "value": 800}]))
    result = cli("finalize", "--current", "cur.json", "--baseline", "base.json", "--no-publish")
    assert result.returncode in (0, 1), result.stderr
    text = (tmp_path / "perf-gate-out" / "perf-receipt.json").read_text()

    def refuse(name: str) -> None:
        raise AssertionError(f"bare {name} in the receipt")

    json.loads(text, parse_constant=refuse)


# -- 12. both outputs or neither ---------------------------------------------------------


def test_receipt_is_rolled_back_when_the_summary_cannot_be_replaced(cli, tmp_path: Path) -> None:
    out = tmp_path / "perf-gate-out"
    (out / "perf-summary.md").mkdir(parents=True)
    (out / "perf-summary.md" / "keep").write_text("a folder where the summary goes")
    (out / "perf-receipt.json").write_text("OLD")
    write(tmp_path, "cur.json", json.dumps([{"name": "m", "unit": "ns", "value": 900}]))
    result = cli("finalize", "--current", "cur.json", "--no-publish")
    assert result.returncode == 3, result.stderr
    assert (out / "perf-receipt.json").read_text() == "OLD"
    assert sorted(p.name for p in out.iterdir()) == ["perf-receipt.json", "perf-summary.md"]


# -- 13. size limits, documented and configurable ---------------------------------------


@pytest.mark.parametrize(
    ("limits", "metric_name", "expected"),
    [
        ("input_bytes: 100", "m", "cur.json: larger than the input limit of 100 bytes"),
        ("name_chars: 10", "n" * 11, "cur.json: metric name of 11 characters is longer"),
    ],
)
def test_configured_limits_refuse_with_one_line(
    cli, tmp_path: Path, limits: str, metric_name: str, expected: str
) -> None:
    write(tmp_path, ".perf-gate.yml", f"limits:\n  {limits}\n")
    pad = [{"name": f"pad{i}", "unit": "ns", "value": 1} for i in range(5)]
    write(tmp_path, "cur.json", json.dumps([{"name": metric_name, "unit": "ns", "value": 9}, *pad]))
    result = cli("finalize", "--config", ".perf-gate.yml", "--current", "cur.json", "--no-publish")
    one_error(result, expected)


# -- 14. small ones ------------------------------------------------------------------


def test_same_file_as_current_and_baseline_says_so(cli, tmp_path: Path) -> None:
    write(tmp_path, "cur.json", json.dumps([{"name": "m", "unit": "ns", "value": 9}]))
    result = cli("finalize", "--current", "cur.json", "--baseline", "./cur.json", "--no-publish")
    one_error(result, "cur.json: the same file is given as --current and --baseline")
