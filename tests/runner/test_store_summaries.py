"""History runs judged from their summaries give the verdicts their samples give, bit for bit.

A baseline store keeps its earlier runs as per-metric sample summaries
(:mod:`perf_gate.core.sample_summary`), and history files given as ``--baseline`` are
summarised as soon as they are read. Here the same generated suites (runner profiles that
make suite mode compare with a run before the baseline, and the edges: unusable samples,
fewer than MIN_SAMPLES, metrics missing from a run, a short baseline, no samples at all)
are judged from their raw samples and from a store written by the real ``perf-gate
baseline update`` and read back: the rows and the receipt entries are the same floats.
"""

from __future__ import annotations

import binascii
import json
import math
import random
import struct
from pathlib import Path
from typing import Any

import pytest

from perf_gate.cli import main
from perf_gate.core.config import Config
from perf_gate.core.errors import InputError
from perf_gate.core.model import Kind, Metric, RunSet
from perf_gate.core.sample_summary import PackedPoints, SampleSummary
from perf_gate.inputs.baseline.sources import BaselineRequest
from perf_gate.inputs.baseline.store import load_file, store_document, store_text
from perf_gate.inputs.run_record import read_manifest
from perf_gate.judge.compare import compare
from perf_gate.judge.history_runs import summarise_history
from perf_gate.judge.sample_verdict import summarise_run
from perf_gate.judge.verdict import Row
from perf_gate.report.finalize import evaluate
from perf_gate.report.gate_inputs import gate_inputs

RUNS = 5  # baseline runs, oldest first; the last is the baseline itself
SUITE = 24  # metrics that follow the runner profiles


def _metric(name: str, samples: list[float], kind: str = "timing") -> dict[str, Any]:
    median = sorted(samples)[len(samples) // 2] if samples else 0.0
    entry: dict[str, Any] = {
        "name": name,
        "value": median or 1000.0,  # a value of 0 cannot be a baseline
        "unit": "ns",
        "kind": kind,
        "direction": "lower",
        "source": "bench.json",
        "format": "custom",
    }
    if samples:
        entry["samples"] = samples
    return entry


def _suite(seed: int) -> list[list[dict[str, Any]]]:
    """Metrics of each run: RUNS baseline runs, then the current run.

    Runs 0 and 2 and the current run are on runner A, runs 1, 3 and 4 on runner B, whose
    benchmarks are slow in another pattern: suite mode compares with run 2. Two benchmarks
    are 30 % slower now.
    """
    rng = random.Random(seed)
    centres = [10 ** rng.uniform(3, 6) for _ in range(SUITE)]
    profiles = {runner: [math.exp(rng.gauss(0.0, 0.2)) for _ in range(SUITE)] for runner in "AB"}
    runners = ["A", "B", "A", "B", "B", "A"]
    runs: list[list[dict[str, Any]]] = []
    for index, runner in enumerate(runners):
        metrics = []
        for i, centre in enumerate(centres):
            slow = 1.3 if index == RUNS and i < 2 else 1.0
            count = rng.choice([12, 20, 33, 40])
            scale = centre * profiles[runner][i] * slow
            metrics.append(
                _metric(
                    f"bench_{i:02d}", [scale * math.exp(rng.gauss(0, 0.02)) for _ in range(count)]
                )
            )
        sample = [1000.0 * math.exp(rng.gauss(0, 0.02)) for _ in range(20)]
        # unusable: all zero in run 1, partly zero in run 3 (summaries of what is left)
        zeros = [0.0] * 20 if index == 1 else [0.0, 0.0, *sample[2:]] if index == 3 else sample
        metrics.append(_metric("edge_unusable", zeros))
        # fewer than MIN_SAMPLES in run 2 and in the baseline (plain rule on the medians)
        few = sample[:3] if index in (2, RUNS - 1) else sample
        metrics.append(_metric("edge_few", few))
        if index not in (1, 3):  # missing from runs 1 and 3
            metrics.append(_metric("edge_missing", sample))
        metrics.append(_metric("edge_single", []))  # no samples at all
        # a kind that may be negative: the summary counts only the positive samples
        signed = [value - 1010.0 for value in sample]
        metrics.append(_metric("edge_signed", signed, kind="other"))
        metrics.append(_metric("edge_current_zero", [0.0] * 20 if index == RUNS else sample))
        runs.append(metrics)
    return runs


def _manifest(path: Path, metrics: list[dict[str, Any]], index: int) -> Path:
    doc = {
        "perf_gate_run": 1,
        "created_at": f"2031-05-0{index + 1}T10:00:00Z",
        "commit": f"{index}" * 40,
        "mode": "history",
        "commands": [],
        "metrics": metrics,
        "findings": [],
        "inputs": [],
        "formats": ["custom"],
        "artifacts": [],
    }
    path.write_text(json.dumps(doc))
    return path


def _bits(value: object) -> object:
    """Floats as their IEEE bytes (``0.0`` and ``-0.0`` differ, NaN equals itself)."""
    if isinstance(value, float):
        return struct.pack("<d", value)
    if isinstance(value, (list, tuple)):
        return [_bits(v) for v in value]
    if isinstance(value, dict):
        return {k: _bits(v) for k, v in value.items()}
    return value


def _row_facts(row: Row) -> object:
    return _bits(
        [
            row.metric.key,
            row.status.value,
            row.explanation,
            row.method,
            row.delta_pct,
            row.interval_pct,
            row.improvement,
        ]
    )


@pytest.fixture(scope="module")
def suites(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[list[Path], Path, Path]]:
    """Per seed: the run files (baselines oldest first, then the current one), the store
    made of the baselines by ``perf-gate baseline update``, and the folder."""
    made = []
    for seed in (1, 2, 3):
        folder = tmp_path_factory.mktemp(f"suite{seed}")
        files = [
            _manifest(folder / f"run{index}.json", metrics, index)
            for index, metrics in enumerate(_suite(seed))
        ]
        store = folder / "store.json"
        for path in files[:RUNS]:
            argv = ["baseline", "update", "--current", str(path), "--output", str(store)]
            assert main([*argv, "--commit", path.stem * 8]) == 0
        made.append((files, store, folder))
    return made


def _raw_runs(files: list[Path]) -> list[RunSet]:
    return [read_manifest(path).run for path in files]


def test_a_store_keeps_summaries_for_history_and_samples_for_its_newest_run(
    suites: list[tuple[list[Path], Path, Path]],
) -> None:
    doc = json.loads(suites[0][1].read_text())
    assert len(doc["history"]) == RUNS - 1
    assert all("samples" in m for m in doc["metrics"] if m["name"] != "edge_single")
    for entry in doc["history"]:
        summarised = [m for m in entry["metrics"] if m["name"] != "edge_single"]
        assert all("samples" not in m and m["summary"][0] == 1 for m in summarised)
        assert all(len(m["summary"]) == 6 for m in summarised if m["name"].startswith("bench"))
    unusable = [m for m in doc["history"][1]["metrics"] if m["name"] == "edge_unusable"]
    assert unusable[0]["summary"] == [1, 20]  # no usable sample: no run


def test_store_and_samples_give_the_same_rows_bit_for_bit(
    suites: list[tuple[list[Path], Path, Path]],
) -> None:
    config = Config()
    methods = set()
    for files, store, _ in suites:
        raw = _raw_runs(files)
        current, baselines = raw[-1], raw[:-1]
        from_samples = compare(current, baselines, config)
        stored = [r.run for r in load_file(store, None)]
        assert not any(m.samples for run in stored[:-1] for m in run.metrics)
        from_store = compare(current, stored, config)
        assert [_row_facts(r) for r in from_store] == [_row_facts(r) for r in from_samples]
        methods |= {r.method for r in from_samples}
        explanations = " ".join(r.explanation for r in from_samples)
        assert "compared with the run 2 before the baseline" in explanations
        assert "plain tolerance rule" in explanations and "no usable" in explanations
        assert {r.status.value for r in from_samples} >= {"fail", "pass"}
    assert "samples" in methods and "plain" in methods


def test_history_site_judges_store_runs_from_summaries_as_from_samples(
    suites: list[tuple[list[Path], Path, Path]],
) -> None:
    """``perf-gate history`` judges each store run against those before it: summaries on
    both sides."""
    config = Config()
    files, store, _ = suites[1]
    raw = _raw_runs(files)[:RUNS]
    stored = [r.run for r in load_file(store, None)]
    for i in range(1, RUNS):
        expected = compare(raw[i], raw[:i], config)
        got = compare(stored[i], stored[:i], config)
        assert [_row_facts(r) for r in got] == [_row_facts(r) for r in expected]


def test_finalize_receipts_are_the_same_from_files_store_and_samples(
    suites: list[tuple[list[Path], Path, Path]],
) -> None:
    """The real ``finalize`` with five ``--baseline`` files (summarised as read) and with
    the store gives the receipt entries ``evaluate`` gives on the raw samples."""
    files, store, folder = suites[2]
    raw = _raw_runs(files)
    expected = evaluate(raw[-1], raw[:-1], Config()).receipt["metrics"]
    receipts = []
    for name, baselines in (("files", files[:RUNS]), ("store", [store])):
        out = folder / name
        argv = ["finalize", "--current", str(files[-1]), "--output-dir", str(out), "--no-publish"]
        main([*argv, *(arg for path in baselines for arg in ("--baseline", str(path)))])
        receipts.append(json.loads((out / "perf-receipt.json").read_text())["metrics"])
    assert _bits(receipts[0]) == _bits(expected)
    assert _bits(receipts[1]) == _bits(expected)


def test_an_old_store_with_samples_in_its_history_still_reads(
    suites: list[tuple[list[Path], Path, Path]], tmp_path: Path
) -> None:
    """A store written before summaries (every run with its samples) reads, and judges as
    the new one does."""
    files, store, _ = suites[0]
    runs = load_file(store, None)
    raw = _raw_runs(files)
    old = [r.__class__(run=run, commit=r.commit) for r, run in zip(runs, raw[:RUNS], strict=True)]
    doc = store_document(old[-1], old[:-1], RUNS, summarise=lambda run: run)
    assert all("samples" in m for h in doc["history"] for m in h["metrics"][:SUITE])
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc, indent=2))
    read = [r.run for r in load_file(path, None)]
    assert any(m.samples for m in read[0].metrics)
    config = Config()
    new = [r.run for r in runs]
    got = compare(raw[-1], read, config)
    assert [_row_facts(r) for r in got] == [_row_facts(r) for r in compare(raw[-1], new, config)]


def _broken(store: Path, tmp_path: Path, change: Any) -> Path:
    doc = json.loads(store.read_text())
    change(doc["history"][0]["metrics"][0]["summary"])
    path = tmp_path / "broken.json"
    path.write_text(store_text(doc))
    return path


MALFORMED = "$.history[0].metrics[0].summary: malformed sample summary: expected [version"


def _set(index: int, value: Any) -> Any:
    return lambda summary: summary.__setitem__(index, value)


NOT_FINITE = "$.history[0].metrics[0].summary: sample summary points are not all finite"


def _point(index: int, value: float) -> Any:
    """A change that sets one of the summary's points (as the base64 of their doubles)."""

    def change(summary: list[Any]) -> None:
        raw = binascii.a2b_base64(summary[5])
        points = list(struct.unpack(f"<{len(raw) // 8}d", raw))
        points[index] = value
        packed = struct.pack(f"<{len(points)}d", *points)
        summary[5] = binascii.b2a_base64(packed, newline=False).decode()

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            _set(0, 2),
            "$.history[0].metrics[0].summary: sample summary of version 2, this perf-gate "
            "reads version 1",
        ),
        (
            lambda s: s.__setitem__(5, s[5][:-4]),
            "$.history[0].metrics[0].summary: sample summary of ",
        ),
        (_set(5, "!" * 64), "points are not base64"),
        (_set(3, -1.0), MALFORMED),  # a negative variance
        (_set(4, 0), MALFORMED),  # no usable sample, but a run
        (lambda s: s.__setitem__(4, s[1] + 1), MALFORMED),  # more usable than all
        (_set(1, 2.5), MALFORMED),
        (_set(2, "x"), MALFORMED),
        (lambda s: s.pop(), MALFORMED),
        (lambda s: s.__setitem__(slice(1, None), [0]), MALFORMED),
        (lambda s: s.append(1), "is too long"),
        (lambda s: s.__setitem__(slice(None), [1]), "[1] is too short"),
        (_set(2, None), "is not of type 'number', 'string'"),
        # a NaN point turned a suite's two 30 % regressions into a pass; an infinity too
        (_point(0, math.nan), NOT_FINITE),
        (_point(-1, math.inf), NOT_FINITE),
        (_point(3, -math.inf), NOT_FINITE),
        # counts no run can hold: 10**200 ended perf-gate history in an internal error
        (lambda s: s.__setitem__(slice(1, 5, 3), [10**200, 10**200]), MALFORMED),
        (_set(1, 2**40 + 1), MALFORMED),
    ],
)
def test_a_summary_of_another_version_or_malformed_is_refused_in_one_line(
    suites: list[tuple[list[Path], Path, Path]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Any,
    message: str,
) -> None:
    files, store, _ = suites[0]
    path = _broken(store, tmp_path, change)
    with pytest.raises(InputError) as caught:
        load_file(path, None)
    assert message in str(caught.value)
    argv = ["finalize", "--current", str(files[-1]), "--baseline", str(path), "--no-publish"]
    assert main([*argv, "--output-dir", str(tmp_path / "out")]) == InputError.exit_code
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and str(path) in err


def test_history_files_are_summarised_as_they_are_read(
    suites: list[tuple[list[Path], Path, Path]],
) -> None:
    """``finalize --baseline`` x5: the four earlier files keep summaries, not samples (their
    samples are not held while the next file is read); the newest keeps its samples."""
    files, _, folder = suites[0]
    current = read_manifest(files[-1])
    request = BaselineRequest(files=tuple(files[:RUNS]), cwd=folder)
    got = gate_inputs(Config(), current.run, [current], request, folder / "out").baselines
    assert len(got) == RUNS
    assert not any(m.samples for run in got[:-1] for m in run.metrics)
    assert sum(m.summary is not None for m in got[0].metrics) == SUITE + 5
    assert [m.samples for m in got[-1].metrics] == [
        m.samples for m in _raw_runs(files)[RUNS - 1].metrics
    ]


def test_metrics_a_derived_ratio_reads_keep_their_samples() -> None:
    """A derived ratio's samples are the quotients of both sides' samples, which no
    summary gives: its sides keep their samples, so it is judged with history as before."""
    samples = tuple(100.0 + i for i in range(12))

    def timing(name: str) -> Metric:
        return Metric(name, 100.0, "ns", Kind.TIMING, "lower", samples=samples)

    run = RunSet((timing("matmul avx2"), timing("matmul scalar"), timing("sort")))
    got = summarise_history(run, Config())
    assert [bool(m.samples) for m in got.metrics] == [True, True, False]
    assert got.metrics[2].summary == SampleSummary(12, summarise_run(samples))
    assert summarise_history(got, Config()) == got


def test_points_read_from_a_store_are_the_floats_written(
    suites: list[tuple[list[Path], Path, Path]],
) -> None:
    """Points are unpacked from their bytes only when used; equal (and hashed) as the tuple
    of the same floats, bit for bit."""
    files, store, _ = suites[0]
    stored = load_file(store, None)[0].run.metrics[0].summary
    raw = _raw_runs(files)[0].metrics[0]
    assert stored is not None and stored.run is not None
    assert isinstance(stored.run.points, PackedPoints) and len(stored.run.points) <= 32
    expected = summarise_run(raw.samples)
    assert expected is not None and stored == SampleSummary(len(raw.samples), expected)
    assert hash(stored) == hash(SampleSummary(len(raw.samples), expected))
    assert _bits(list(stored.run.points)) == _bits(list(expected.points))
    assert stored.run.points[1:3] == expected.points[1:3]
    assert stored.run.points != PackedPoints(b"\0" * 8 * len(expected.points))


def test_a_receipt_counts_the_samples_of_a_summarised_side(
    suites: list[tuple[list[Path], Path, Path]],
) -> None:
    """Judged against a store run that keeps only summaries (``perf-gate history``, or a
    hardware match that picks an earlier run), the receipt still says how many samples
    each side had: the counts the raw samples give."""
    files, store, _ = suites[0]
    raw = _raw_runs(files)[:RUNS]
    stored = [r.run for r in load_file(store, None)]
    assert not any(m.samples for m in stored[2].metrics)  # a history run: summaries only
    expected = evaluate(raw[3], raw[:3], Config()).receipt["metrics"]
    got = evaluate(stored[3], stored[:3], Config()).receipt["metrics"]
    counts = [entry.get("samples") for entry in got]
    assert counts == [entry.get("samples") for entry in expected]
    assert any(c and c.get("baseline", 0) >= 12 for c in counts)
