"""Every error a user can cause: one line naming the file (and JSON path), exit 2,
no traceback, and no output files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

GOOD = FIXTURES / "pr-small" / "current" / "xtask-cpu.json"


def write(tmp_path: Path, name: str, content: str) -> str:
    (tmp_path / name).write_text(content)
    return name


CASES = {
    "missing file": (lambda p: "nope.json", "nope.json: no such file or directory"),
    "unknown format": (
        lambda p: write(p, "x.json", '{"hello": 1}'),
        "x.json: unknown results format",
    ),
    "malformed json": (
        lambda p: write(p, "m.json", '{"results": [\n  {"command": "a",,}]}'),
        "m.json: line 2: malformed JSON",
    ),
    "schema violation": (
        lambda p: write(p, "s.json", json.dumps({"results": [{"command": "a", "mean": "fast"}]})),
        "s.json: $.results[0].mean: 'fast' is not of type 'number'",
    ),
    "nan timing": (
        lambda p: write(
            p, "n.json", '{"results": [{"command": "a", "mean": 1, "times": [1.0, NaN]}]}'
        ),
        "n.json: $.results[0].times[1]: not a finite number: nan",
    ),
    "negative timing": (
        lambda p: write(p, "neg.json", json.dumps([{"name": "a", "unit": "ms", "value": -3}])),
        "neg.json: $[0].value: negative value -3",
    ),
    "empty results": (
        lambda p: write(p, "e.json", '{"results": []}'),
        "e.json: $.results: [] should be non-empty",
    ),
    "empty list": (lambda p: write(p, "l.json", "[]"), "l.json: unknown results format"),
    "duplicate names": (
        lambda p: write(
            p,
            "d.json",
            json.dumps(
                [{"name": "a", "unit": "ms", "value": 1}, {"name": "a", "unit": "ms", "value": 2}]
            ),
        ),
        "d.json: duplicate metric name 'a'",
    ),
    "empty folder": (
        lambda p: (p / "empty").mkdir() or "empty",
        "empty: no benchmark results found",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_current_input(cli, tmp_path: Path, case: str) -> None:
    make, expected = CASES[case]
    path = make(tmp_path)
    result = cli("finalize", "--current", path, "--no-publish")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("perf-gate: error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "perf-gate-out").exists()


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("gate: [1, 2", "cfg.yml: line 1: malformed YAML"),
        ("gate:\n  threshold: -5\n", "cfg.yml: $.gate.threshold: -5 is less than or equal"),
        ("policies:\n  - match: x\n    tolerence: 3\n", "cfg.yml: $.policies[0]: Additional"),
        ("- 1\n", "cfg.yml: $: expected a mapping"),
    ],
)
def test_bad_config(cli, tmp_path: Path, config: str, expected: str) -> None:
    (tmp_path / "cfg.yml").write_text(config)
    result = cli("finalize", "--current", str(GOOD), "--config", "cfg.yml", "--no-publish")
    assert result.returncode == 2
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_config_file(cli) -> None:
    result = cli("finalize", "--current", str(GOOD), "--config", "none.yml", "--no-publish")
    assert result.returncode == 2
    assert "none.yml: config file not found" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "the following arguments are required: --current"),
        (("--current", "x", "--threshold", "abc"), "--threshold: not a number: 'abc'"),
        (("--current", "x", "--format", "nope"), "invalid choice: 'nope'"),
    ],
)
def test_bad_usage(cli, args: tuple[str, ...], expected: str) -> None:
    result = cli("finalize", *args)
    assert result.returncode == 2
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_bad_baseline_does_not_overwrite_previous_outputs(cli, tmp_path: Path) -> None:
    assert cli("finalize", "--current", str(GOOD), "--no-publish").returncode == 0
    receipt = tmp_path / "perf-gate-out" / "perf-receipt.json"
    before = receipt.read_text()
    write(tmp_path, "bad.json", "{")
    result = cli("finalize", "--current", str(GOOD), "--baseline", "bad.json", "--no-publish")
    assert result.returncode == 2
    assert receipt.read_text() == before
    assert sorted(p.name for p in receipt.parent.iterdir()) == [
        "perf-receipt.json",
        "perf-report.html",
        "perf-summary.md",
    ]


def test_unwritable_output_dir_is_one_line_exit_3(cli, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = cli("finalize", "--current", str(GOOD), "--output-dir", "file/out", "--no-publish")
    assert result.returncode == 3
    assert "file/out: cannot create output folder" in result.stderr
