"""criterion's on-disk tree: new/ and base/, estimates, samples, throughput, change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from perf_gate.core.errors import InputError
from perf_gate.inputs.parsers import parse_file, parse_path

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"
TREE = FORMATS / "workspace" / "target" / "criterion"
UNIT = TREE / "quantization_sizes" / "I2S_quantize" / "1024"


def _write(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))


def test_new_is_the_current_run_with_samples_ci_throughput_and_change() -> None:
    timing, rate = parse_path(TREE).metrics
    assert timing.name == "quantization_sizes/I2S_quantize/1024"
    assert len(timing.samples) == 10 and timing.samples[0] == pytest.approx(19350.0)
    assert timing.value == pytest.approx(19389.0)  # the slope, as criterion prints it
    assert (timing.lower, timing.upper) == (19310.0, 19450.0)  # the slope's CI
    assert dict(timing.meta) == {"change": "+1.15%"}
    assert (rate.name, rate.unit, rate.direction) == (
        "quantization_sizes/I2S_quantize/1024 throughput",
        "elem/s",
        "higher",
    )
    assert rate.value == pytest.approx(1024 / 19389e-9)
    assert len(rate.samples) == 10


def test_criterion_base_reads_the_saved_baseline_of_the_same_tree() -> None:
    result = parse_path(TREE, "criterion-base")
    timing = result.metrics[0]
    assert timing.format == "criterion-base"
    assert timing.value == pytest.approx(19169.0)
    assert timing.meta == ()
    assert all("/base/" in f.path for f in result.files)


def test_a_plain_folder_scan_never_reads_base_as_a_second_run() -> None:
    names = [m.name for m in parse_path(TREE).metrics]
    assert len(names) == len(set(names))


def test_an_estimates_file_inside_a_tree_reads_its_benchmark_folder() -> None:
    result = parse_file(UNIT / "base" / "estimates.json")
    assert result.metrics[0].name == "quantization_sizes/I2S_quantize/1024"
    assert result.metrics[0].value == pytest.approx(19169.0)


def test_a_lone_estimates_file_is_its_typical_estimate() -> None:
    (metric,) = parse_file(FORMATS / "positive/criterion-estimates/i2s_quantize_1024.json").metrics
    assert (metric.name, metric.value, metric.lower, metric.upper) == (
        "i2s_quantize_1024",
        19320.7,  # the slope
        19150.0,
        19490.3,
    )


def test_without_benchmark_json_the_name_is_the_path_below_criterion(tmp_path: Path) -> None:
    estimates = {"mean": {"point_estimate": 100.0}, "median": {"point_estimate": 90.0}}
    _write(tmp_path / "target/criterion/kernels/gemv/256/new/estimates.json", estimates)
    (metric,) = parse_path(tmp_path / "target/criterion").metrics
    assert (metric.name, metric.value, metric.samples) == ("kernels/gemv/256", 100.0, ())


@pytest.mark.parametrize(
    ("throughput", "unit", "per_iter"),
    [
        ({"Bytes": 4096}, "B/s", 4096),
        ({"BytesDecimal": 1000}, "B/s", 1000),
        ({"ElementsAndBytes": {"elements": 64, "bytes": 256}}, "elem/s", 64),
    ],
)
def test_throughput_kinds(
    tmp_path: Path, throughput: dict[str, Any], unit: str, per_iter: int
) -> None:
    unit_dir = tmp_path / "criterion/io/read/new"
    _write(unit_dir / "benchmark.json", {"full_id": "io/read", "throughput": throughput})
    _write(unit_dir / "estimates.json", {"mean": {"point_estimate": 2000.0}})
    _, rate = parse_path(tmp_path).metrics
    assert (rate.unit, rate.value) == (unit, pytest.approx(per_iter / 2e-6))


def test_mismatched_samples_are_refused_with_their_json_path(tmp_path: Path) -> None:
    unit_dir = tmp_path / "criterion/io/read/new"
    _write(unit_dir / "sample.json", {"sampling_mode": "Flat", "iters": [1, 2], "times": [5.0]})
    with pytest.raises(InputError) as caught:
        parse_path(tmp_path)
    assert (caught.value.where, caught.value.path) == ("$.times", str(unit_dir / "sample.json"))


def _estimate(point: float, low: float, high: float) -> dict[str, Any]:
    return {
        "confidence_interval": {"confidence_level": 0.95, "lower_bound": low, "upper_bound": high},
        "point_estimate": point,
        "standard_error": (high - low) / 4,
    }


def test_a_tree_and_a_log_of_the_same_run_give_the_same_value(tmp_path: Path) -> None:
    # issue 13.5: the log printed criterion's typical estimate (the slope), the tree gave
    # the median of the per-iteration times: one run, compared with itself, read +12 %.
    run = tmp_path / "target/criterion/work/new"
    _write(run / "benchmark.json", {"full_id": "work", "title": "work", "throughput": None})
    iters = [float(n) for n in range(1, 21)]
    _write(
        run / "sample.json",
        {
            "sampling_mode": "Linear",
            "iters": iters,
            "times": [
                n * 1000.0 + 300.0
                for n in iters  # a fixed overhead: the median per-iteration
            ],
        },
    )  # time is 1028.6 ns, criterion's slope 1000 ns
    _write(
        run / "estimates.json",
        {
            "mean": _estimate(1054.9, 1030.0, 1080.0),
            "median": _estimate(1028.6, 1020.0, 1040.0),
            "median_abs_dev": _estimate(20.0, 10.0, 30.0),
            "slope": _estimate(1000.0, 998.0, 1002.0),
            "std_dev": _estimate(60.0, 50.0, 70.0),
        },
    )
    log = tmp_path / "bench.log"
    log.write_text(
        "Benchmarking work\nwork                    time:   [998.00 ns 1.0000 µs 1.0020 µs]\n"
    )
    (tree_metric,) = parse_path(tmp_path / "target/criterion").metrics
    (log_metric,) = parse_file(log).metrics
    assert tree_metric.value == pytest.approx(log_metric.value) == pytest.approx(1000.0)
    assert (tree_metric.lower, tree_metric.upper) == (998.0, 1002.0)
    assert len(tree_metric.samples) == 20  # the samples stay per-iteration times


def test_flat_sampling_has_no_slope_and_gives_the_mean(tmp_path: Path) -> None:
    run = tmp_path / "target/criterion/flat/new"
    estimates = {
        "mean": _estimate(1054.9, 1030.0, 1080.0),
        "median": _estimate(1028.6, 1020.0, 1040.0),
        "slope": None,
    }
    _write(run / "estimates.json", estimates)
    (metric,) = parse_path(tmp_path / "target/criterion").metrics
    assert (metric.value, metric.lower, metric.upper) == (1054.9, 1030.0, 1080.0)
