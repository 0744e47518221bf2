"""Every fixture file is a test case by being dropped into its folder.

``positive/<format>/``: detected as that format and no other, parsed without findings.
``failing/<format>/<code>.*``: an honest parse whose finding ``<code>`` fails the gate.
``negative/<format>/``: malformed; the error names the file and the line or JSON path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from perf_gate.core.errors import InputError
from perf_gate.inputs.parsers import file_parsers, parse_path
from perf_gate.inputs.parsers.base import read_sniff

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"
# a criterion log may hold libtest lines too; criterion-log is asked first and reads both
OVERLAPS = {frozenset({"criterion-log", "cargo-bench"}): "criterion-log"}


def _cases(kind: str) -> list[tuple[str, Path]]:
    return [
        pytest.param(path.parent.name, path, id=f"{path.parent.name}/{path.name}")
        for path in sorted((FORMATS / kind).glob("*/*"))
    ]


def _detected(path: Path) -> set[str]:
    sniff = read_sniff(path)
    return {parser.name for parser in file_parsers() if parser.detect(sniff)}


@pytest.mark.parametrize(("fmt", "path"), _cases("positive"))
def test_a_positive_example_is_detected_as_its_format_only(fmt: str, path: Path) -> None:
    detected = _detected(path)
    assert detected == {fmt} or OVERLAPS.get(frozenset(detected)) == fmt


@pytest.mark.parametrize(("fmt", "path"), _cases("positive"))
def test_a_positive_example_parses_into_metrics_without_findings(fmt: str, path: Path) -> None:
    result = parse_path(path)
    assert result.metrics
    assert not result.findings
    assert {m.format for m in result.metrics} == {fmt}
    assert [f.path for f in result.files] == [str(path)]
    names = [m.key for m in result.metrics]
    assert len(names) == len(set(names)), "one file never repeats a metric"


@pytest.mark.parametrize(("fmt", "path"), _cases("failing"))
def test_a_failing_example_yields_the_finding_named_by_its_file(fmt: str, path: Path) -> None:
    assert fmt in _detected(path)
    result = parse_path(path)
    code = path.name.split(".")[0]
    assert code in {f.code for f in result.findings if f.severity == "fail"}
    assert all(f.source == str(path) and f.message for f in result.findings)


@pytest.mark.parametrize(("fmt", "path"), _cases("negative"))
def test_a_malformed_example_is_refused_with_its_place(fmt: str, path: Path) -> None:
    with pytest.raises(InputError) as caught:
        parse_path(path)
    error = caught.value
    assert error.path == str(path)
    assert error.where is not None
    assert error.where.startswith(("line ", "$")), error.where
    assert "unknown results format" not in error.message


def test_every_file_format_has_positive_and_negative_examples() -> None:
    names = {parser.name for parser in file_parsers()}
    for kind in ("positive", "negative"):
        assert names <= {p.name for p in (FORMATS / kind).iterdir()}, kind


def test_every_format_is_documented_with_its_command() -> None:
    from perf_gate.inputs.parsers import format_names

    doc = (FORMATS.parents[2] / "docs" / "formats.md").read_text()
    missing = [name for name in format_names() if f"| `{name}` |" not in doc]
    assert missing == []
