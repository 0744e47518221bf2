"""Markdown escaping, unit formatting, evidence lines and atomic outputs."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from perf_gate.core import secrets, units
from perf_gate.core.errors import OutputError
from perf_gate.core.model import Kind
from perf_gate.core.outputs import write_all
from perf_gate.core.units import format_pct, format_value, to_mb, to_ns
from perf_gate.judge.compare import compare
from perf_gate.report.evidence import inference_line, quantization_line, short_accuracy_name
from perf_gate.report.markdown import Raw, escape
from tests.unit.core.test_verdict_rules import DEFAULT, metric, run


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a|b", "a\\|b"),
        ("line\nbreak", "line break"),
        ("<!-- gates:end -->", "\\<!-- gates:end --\\>"),
        ("@octocat", "@\u200boctocat"),
        ("snake_case*bold*", "snake\\_case\\*bold\\*"),
        ("[x](http://e)", "\\[x\\](http://e)"),
    ],
)
def test_escape_makes_names_inert(text: str, expected: str) -> None:
    assert escape(text) == expected


def test_raw_text_is_left_alone() -> None:
    assert escape(Raw("**bold** | x")) == "**bold** | x"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1_634_233.2, "ns", "1.63 ms"),
        (19_400.0, "ns", "19.4 µs"),
        (512.0, "ns", "512 ns"),
        (2.5e9, "ns", "2.50 s"),
        (45.2, "tok/s", "45.2 tok/s"),
        (2100.0, "MB", "2.10 GB"),
        (512.0, "MB", "512 MB"),
        (99.84, "%", "99.84%"),
        (None, "ns", "—"),
    ],
)
def test_format_value(value: float | None, unit: str, expected: str) -> None:
    assert format_value(value, unit) == expected


@pytest.mark.parametrize("digits", [3, 4])
def test_trimmed_numbers_keep_their_significant_figures_at_every_magnitude(digits: int) -> None:
    """The format specs made once give what a spec made per value gives, from 1e-40 (more
    decimals than the specs made) to 1e20."""
    values = [sign * 10 ** (k / 7) for k in range(-280, 141) for sign in (1, -1)]
    for value in [*values, 0.0, -0.0, 9.995, 0.0009995, 5e-324, 1.7e308]:
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(value)))) if value else 0
        expected = f"{value:,.{decimals}f}" if value else f"{value:g}"
        assert units._trim(value, digits) == expected, value


@pytest.mark.parametrize(
    ("delta", "expected"),
    [(7.363, "+7.4%"), (-0.3, "-0.3%"), (0.02, "+0.02%"), (0.001, "0%"), (None, "—")],
)
def test_format_pct(delta: float | None, expected: str) -> None:
    assert format_pct(delta) == expected


def test_unit_conversions() -> None:
    assert to_ns(1.5, "ms") == 1.5e6
    assert to_ns(2, "µs") == 2000
    assert to_mb(2.1, "GB") == pytest.approx(2100)
    assert to_mb(1, "GiB") == pytest.approx(1073.741824)


def test_seed_evidence_grammar() -> None:
    rows = compare(
        run(
            metric("inference", 45.2, Kind.INFERENCE, "cpu"),
            metric("I2S accuracy", 99.8, Kind.ACCURACY),
            metric("tl1_accuracy", 99.7, Kind.ACCURACY),
        ),
        [run(metric("inference", 40.36, Kind.INFERENCE, "cpu"))],
        DEFAULT,
    )
    assert inference_line(rows) == "inference: 45.2 tokens/sec; Δ vs baseline: +12.0%"
    assert quantization_line(rows) == "quantization: I2S: 99.80%, TL1: 99.70% accuracy"
    assert short_accuracy_name("i2s_accuracy") == "I2S"


def test_write_all_writes_every_file(tmp_path: Path) -> None:
    paths = write_all(tmp_path / "out", {"a.json": "{}\n", "b.md": "# b\n"})
    assert paths["a.json"].read_text() == "{}\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.json", "b.md"]


def test_write_all_leaves_nothing_behind_on_failure(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_text("old")
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OutputError, match="No space left"):
        write_all(out, {"a.json": "new", "b.md": "new"})
    assert (out / "a.json").read_text() == "old"
    assert sorted(p.name for p in out.iterdir()) == ["a.json"]


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        paths = write_all(tmp_path, {"r.json": "{}"})
    finally:
        os.umask(old)
    assert paths["r.json"].stat().st_mode & 0o777 == 0o644


def test_a_sample_row_whose_shift_and_medians_disagree_says_both() -> None:
    # issue 13.8: Delta is the Hodges–Lehmann shift, Baseline/Current the medians;
    # 2.75 µs -> 2.78 µs shown as +9.1 % contradicts itself unless the row says so.
    from perf_gate.report.render import table_row, text_table

    base = metric("bimodal", 2750.0, samples=(2500.0,) * 5 + (2750.0,) * 6)
    cur = metric("bimodal", 2780.0, samples=(2780.0,) * 6 + (3000.0,) * 5)
    (row,) = compare(run(cur), [run(base)], DEFAULT)
    assert row.delta_pct == pytest.approx(9.09, abs=0.01)
    cells = table_row(row)
    assert (cells.baseline, cells.current) == ("2.75 µs", "2.78 µs")
    assert cells.delta == "+9.1% shift (values +1.1%)"
    assert "+9.1% shift (values +1.1%)" in text_table([row])


def test_a_sample_row_whose_shift_matches_its_medians_shows_the_plain_delta() -> None:
    from perf_gate.report.render import table_row

    base = metric("steady", 1000.0, samples=(990.0, 995.0, 1000.0, 1005.0, 1010.0))
    cur = metric("steady", 1100.0, samples=(1089.0, 1094.5, 1100.0, 1105.5, 1111.0))
    (row,) = compare(run(cur), [run(base)], DEFAULT)
    assert table_row(row).delta == "+10.0%"


def test_write_all_writes_bytes_as_they_are_and_text_across_slices(tmp_path: Path) -> None:
    text = "µ" * 3_000_000  # three 1 MB slices, 2 bytes a character in UTF-8
    paths = write_all(tmp_path, {"r.json": "é µs".encode(), "s.md": text})
    assert paths["r.json"].read_bytes() == "é µs".encode()
    assert paths["s.md"].read_text(encoding="utf-8") == text


def test_write_all_redacts_secrets_in_bytes(tmp_path: Path) -> None:
    secrets.register(["ghp_receipt_secret_value"])
    try:
        paths = write_all(tmp_path, {"r.json": b'{"x": "ghp_receipt_secret_value"}'})
    finally:
        secrets.forget_all()
    assert paths["r.json"].read_bytes() == b'{"x": "***"}'
