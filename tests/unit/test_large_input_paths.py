"""The shortcuts taken for big suites answer as the slow paths did (issue 14)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from perf_gate.core.errors import InputError
from perf_gate.inputs import parsers
from perf_gate.inputs.baseline import store
from perf_gate.inputs.baseline.store import STORE_MARK, json_head
from perf_gate.inputs.parsers import DirectoryScan, parse_file, scan_directory
from perf_gate.inputs.parsers.base import Sniff, finite_array
from perf_gate.inputs.parsers.criterion import CriterionTree
from perf_gate.report.receipt import dumps
from perf_gate.schemas import load_schema


@pytest.mark.parametrize(
    "receipt",
    [
        {"a": 1, "metrics": [{"x": 1, "y": [1, 2]}, {"x": 'é "q" \\n'}], "inputs": [{"p": "q"}]},
        {"inputs": [{"p": 1}], "metrics": [{"m": 2}], "z": []},
        {"metrics": [], "inputs": [], "artifacts": []},
        {"gate": {"metrics": []}, "metrics": [{"name": '\n  "inputs": []'}], "inputs": [{}]},
        {"x": 1},
    ],
)
def test_the_receipt_text_is_the_receipt(receipt: dict[str, Any]) -> None:
    text = dumps(receipt).decode()
    assert json.loads(text) == receipt
    assert text.endswith("}\n")


def test_receipt_entries_are_what_json_dumps_writes_for_each() -> None:
    entries = [
        {"name": "a", "x": 1.5e-07, "n": 10**20, "u": 'µ é \u2028 \x00 "q"', "ok": True},
        {"none": None, "list": [1, 2.0, -0.0, 1e300, "s"], "nested": {"k": {"v": []}}},
        {"nan": float("nan"), "inf": float("inf")},
        {},
    ]
    text = dumps({"metrics": entries, "inputs": []}).decode()
    lines = [json.dumps(e, ensure_ascii=False) for e in entries]
    assert '\n  "metrics": [\n    ' + ",\n    ".join(lines) + "\n  ]" in text


def test_each_metric_of_the_receipt_is_one_line() -> None:
    text = dumps({"metrics": [{"name": "a"}, {"name": "b"}], "inputs": []}).decode()
    assert '    {"name": "a"},\n    {"name": "b"}\n' in text


def _sniff() -> Sniff:
    return Sniff(Path("results.json"), b"{}")


def test_plain_sample_arrays_are_scaled() -> None:
    assert finite_array([1, 2.5, 0], _sniff(), "$.data", 1e9) == (1e9, 2.5e9, 0.0)
    assert finite_array([], _sniff(), "$.data") == ()


def test_plain_sample_arrays_come_back_as_floats() -> None:
    floats = [0.5, 2.0, 0.0]
    assert finite_array(floats, _sniff(), "$.data") == (0.5, 2.0, 0.0)
    mixed = finite_array([1, 2.5, 0], _sniff(), "$.data")
    assert mixed == (1.0, 2.5, 0.0) and all(type(v) is float for v in mixed)


@pytest.mark.parametrize(
    ("values", "index", "message"),
    [
        ([1.0, math.nan, 2.0], 1, "not a finite number"),
        ([1.0, 2.0, math.inf], 2, "not a finite number"),
        ([1.0, -3.0], 1, "negative value"),
        ([1.0, True], 1, "expected a number"),
        (["1"], 0, "expected a number"),
        ([1.0, 10**400], 1, "not a finite number"),  # was an OverflowError from sum()
        ([10**400, 1], 0, "not a finite number"),
    ],
)
def test_a_bad_sample_is_named_by_its_index(values: list[Any], index: int, message: str) -> None:
    with pytest.raises(InputError) as caught:
        finite_array(values, _sniff(), "$.data")
    assert caught.value.where == f"$.data[{index}]"
    assert message in caught.value.message


def test_big_finite_samples_whose_sum_overflows_are_kept() -> None:
    assert finite_array([1e308, 1e308], _sniff(), "$.data") == (1e308, 1e308)


def test_pytest_benchmark_infinite_sample_is_refused(tmp_path: Path) -> None:
    doc = {"benchmarks": [{"name": "t", "stats": {"median": 1.0, "data": [1.0, 1e400]}}]}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(doc).replace("1e+400", "Infinity"))
    with pytest.raises(InputError) as caught:
        parse_file(path)
    assert caught.value.where == "$.benchmarks[0].stats.data[1]"


def test_a_store_is_found_with_its_mark_spelt_out_or_escaped(tmp_path: Path) -> None:
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({STORE_MARK: 1}))
    escaped = tmp_path / "escaped.json"
    escaped.write_text('{"\\u0070erf_gate_baseline": 1}')
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"benchmarks": []}))
    assert json_head(plain) == {STORE_MARK: 1}
    assert json_head(escaped) == {STORE_MARK: 1}
    assert json_head(results) is None


def test_a_results_file_with_escapes_is_not_parsed_to_see_whether_it_is_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[object] = []
    real = store.loads
    monkeypatch.setattr(store, "loads", lambda *a: parsed.append(a) or real(*a))
    results = tmp_path / "results.json"
    results.write_text('{"machine_info": {"path": "C:\\\\x", "unit": "\\u00b5s"}}')
    assert json_head(results) is None
    assert parsed == []
    escapes = [f"\\u{ord(c):04X}" for c in STORE_MARK]  # every character escaped, upper case
    for name, text in [
        ("upper.json", '{"' + "".join(escapes) + '": 1}'),
        ("mixed.json", '{"perf\\u005fgate_baselin\\u0065": 1, "p": "C:\\\\x"}'),
    ]:
        (tmp_path / name).write_text(text)
        assert store.is_store(json_head(tmp_path / name))
    nested = tmp_path / "nested.json"
    nested.write_text('{"x": {"perf\\u005fgate_baseline": 1}}')
    assert json_head(nested) is None
    assert len(parsed) == 3


def test_criterion_units_skip_hidden_folders_and_the_root_itself(tmp_path: Path) -> None:
    for folder in ("g/a/new", "g/b/new", ".hidden/c/new", "new"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "estimates.json").write_text("{}")
    (tmp_path / "g" / "d" / "new").mkdir(parents=True)  # no marker file
    assert CriterionTree().find_units(tmp_path) == [tmp_path, tmp_path / "g/a", tmp_path / "g/b"]


def _units_by_os_walk(root: Path, saved: str) -> list[Path]:
    """find_units as it was: os.walk, hidden folders pruned, links to folders not followed."""
    units = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        marked = any(marker in filenames for marker in ("estimates.json", "sample.json"))
        if dirpath != str(root) and os.path.basename(dirpath) == saved and marked:
            units.append(Path(os.path.dirname(dirpath)))
    return sorted(units)


def test_criterion_units_are_the_ones_os_walk_finds(tmp_path: Path) -> None:
    tree = tmp_path / "criterion"
    runs = {
        "g/a/new": "estimates.json",
        "g/a/base": "sample.json",
        "g/new/new": "sample.json",  # a function named new
        "g/new/base": "estimates.json",
        "g/new/p/new": "estimates.json",
        "g/b/base": "benchmark.json",  # no marker file
        ".hidden/c/new": "estimates.json",
        "new": "estimates.json",
    }
    for folder, marker in runs.items():
        (tree / folder).mkdir(parents=True)
        (tree / folder / marker).write_text("{}")
    (tmp_path / "elsewhere" / "x" / "new").mkdir(parents=True)
    (tmp_path / "elsewhere" / "x" / "new" / "estimates.json").write_text("{}")
    (tree / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tree / "g" / "a" / "new" / "sample.json").symlink_to(tmp_path / "nothing")
    (tree / "g" / "b" / "base" / "sample.json").symlink_to(tmp_path / "nothing")
    for saved in ("new", "base"):
        assert CriterionTree(saved).find_units(tree) == _units_by_os_walk(tree, saved)
    assert CriterionTree().find_units(tree) == [
        tree,
        tree / "g/a",
        tree / "g/new",
        tree / "g/new/p",
    ]
    assert CriterionTree("base").find_units(tree) == [tree / "g/a", tree / "g/b", tree / "g/new"]


def test_a_baseline_folder_is_walked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b"):
        run = tmp_path / "criterion" / name / "new"
        run.mkdir(parents=True)
        estimate = {"point_estimate": 5.0, "confidence_interval": {}}
        (run / "estimates.json").write_text(json.dumps({"mean": estimate, "median": estimate}))
    walks: list[Path] = []

    def counted(root: Path, fmt: str | None = None) -> DirectoryScan:
        walks.append(root)
        return scan_directory(root, fmt)

    monkeypatch.setattr(parsers, "scan_directory", counted)
    monkeypatch.setattr(store, "scan_directory", counted)
    runs = store.load_file(tmp_path / "criterion", None)
    assert [m.name for m in runs[-1].run.metrics] == ["a", "b"]
    assert walks == [tmp_path / "criterion"]


@pytest.mark.parametrize(
    ("schema", "items"),
    [
        ("pytest-benchmark.schema.json", "benchmarks.items.stats.data"),
        ("criterion-sample.schema.json", "iters"),
        ("criterion-sample.schema.json", "times"),
    ],
)
def test_arrays_read_as_schema_checked_are_held_to_numbers_not_below_0(
    schema: str, items: str
) -> None:
    """finite_array(schema_checked=True) leaves types and negatives to these schemas."""
    node = load_schema(schema)
    for key in items.split("."):
        node = node[key] if key == "items" else node["properties"][key]
    assert node["items"] == {"type": "number", "minimum": 0}


@pytest.mark.parametrize("bad", ["true", "-1.5", '"1"', "null"])
def test_a_bad_sample_is_still_refused_with_its_path(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "results.json"
    path.write_text(
        f'{{"benchmarks": [{{"name": "t", "stats": {{"median": 1, "data": [1, {bad}]}}}}]}}'
    )
    with pytest.raises(InputError) as caught:
        parse_file(path)
    assert caught.value.where == "$.benchmarks[0].stats.data[1]"
