"""The plain tolerance rule, floors, new/missing metrics, policies and routing."""

from __future__ import annotations

import pytest

from perf_gate.core.config import config_from_mapping
from perf_gate.core.model import Finding, Kind, Metric, RunSet
from perf_gate.judge.compare import compare, delta_pct
from perf_gate.judge.decide import decide
from perf_gate.judge.policy import resolve
from perf_gate.judge.verdict import Status


def metric(
    name: str, value: float, kind: Kind = Kind.TIMING, device: str | None = None, **kw: object
) -> Metric:
    direction = "higher" if kind in (Kind.INFERENCE, Kind.ACCURACY, Kind.THROUGHPUT) else "lower"
    unit = {"inference": "tok/s", "accuracy": "%", "memory": "MB"}.get(kind.value, "ns")
    return Metric(
        name=name, value=value, unit=unit, kind=kind, direction=direction, device=device, **kw
    )  # type: ignore[arg-type]


def run(*metrics: Metric, findings: tuple[Finding, ...] = ()) -> RunSet:
    return RunSet(metrics=metrics, findings=findings)


DEFAULT = config_from_mapping({})


def judge(base: Metric | None, cur: Metric | None, config=DEFAULT, threshold=None):
    current = run(cur) if cur else run()
    baselines = [run(base)] if base else []
    rows = compare(current, baselines, config, threshold)
    assert len(rows) == 1
    return rows[0]


def test_delta_is_signed_percent_of_baseline() -> None:
    assert delta_pct(42.1, 45.2) == pytest.approx(7.363, abs=1e-3)
    assert delta_pct(0.0, 1.0) is None


def test_seed_table_cpu_improvement_beyond_5_percent_warns() -> None:
    row = judge(
        metric("inference", 42.1, Kind.INFERENCE, "cpu"),
        metric("inference", 45.2, Kind.INFERENCE, "cpu"),
    )
    assert row.status is Status.WARN and row.improvement
    assert "baseline needs updating" in row.explanation
    assert row.threshold.describe() == "±5%"


def test_gpu_inference_has_10_percent_tolerance() -> None:
    row = judge(
        metric("inference", 156.3, Kind.INFERENCE, "gpu"),
        metric("inference", 145.0, Kind.INFERENCE, "gpu"),
    )  # -7.2 %
    assert row.status is Status.PASS
    row = judge(
        metric("inference", 156.3, Kind.INFERENCE, "gpu"),
        metric("inference", 139.0, Kind.INFERENCE, "gpu"),
    )  # -11.1 %
    assert row.status is Status.FAIL


def test_timing_regression_beyond_tolerance_fails_and_within_passes() -> None:
    assert judge(metric("b", 100.0), metric("b", 105.9)).status is Status.FAIL
    assert judge(metric("b", 100.0), metric("b", 104.9)).status is Status.PASS
    assert "plain tolerance rule" in judge(metric("b", 100.0), metric("b", 101.0)).explanation


def test_memory_tolerance_is_2_percent() -> None:
    base, cur = metric("rss", 2100.0, Kind.MEMORY), metric("rss", 2150.0, Kind.MEMORY)
    assert judge(base, cur).status is Status.FAIL


def test_accuracy_below_floor_fails_even_without_baseline() -> None:
    row = judge(None, metric("TL2 accuracy", 98.7, Kind.ACCURACY))
    assert row.status is Status.FAIL
    assert row.threshold.describe() == "≥99%"
    assert "below the floor" in row.explanation


def test_accuracy_above_floor_passes_whatever_the_delta() -> None:
    row = judge(
        metric("I2S accuracy", 99.9, Kind.ACCURACY), metric("I2S accuracy", 99.1, Kind.ACCURACY)
    )
    assert row.status is Status.PASS


def test_new_and_missing_metrics() -> None:
    assert judge(None, metric("b", 1.0)).status is Status.NEW
    assert judge(metric("b", 1.0), None).status is Status.MISSING
    strict = config_from_mapping({"gate": {"missing": "fail"}})
    assert judge(metric("b", 1.0), None, strict).status is Status.FAIL


def test_cli_threshold_replaces_generic_tolerance_but_not_kind_defaults() -> None:
    assert judge(metric("b", 100.0), metric("b", 108.0), threshold=10).status is Status.PASS
    row = judge(
        metric("inference", 100.0, Kind.INFERENCE, "cpu"),
        metric("inference", 92.0, Kind.INFERENCE, "cpu"),
        threshold=10,
    )
    assert row.status is Status.FAIL


def test_first_matching_policy_wins_and_can_make_a_metric_non_critical() -> None:
    config = config_from_mapping(
        {
            "policies": [
                {"match": "scalar/*", "critical": False},
                {"match": "*", "tolerance": 1},
            ]
        }
    )
    row = judge(metric("scalar/x", 100.0), metric("scalar/x", 120.0), config)
    assert row.status is Status.WARN and "non-critical" in row.explanation
    assert judge(metric("simd/x", 100.0), metric("simd/x", 102.0), config).status is Status.FAIL


def test_policy_direction_and_device_matching() -> None:
    config = config_from_mapping(
        {
            "policies": [
                {"match": "score*", "direction": "higher", "tolerance": 3, "device": "gpu"},
            ]
        }
    )
    gpu = metric("score", 100.0, device="gpu")
    assert resolve(gpu, config).direction == "higher"
    assert resolve(metric("score", 100.0, device="cpu"), config).direction == "lower"


def test_ignored_metrics_are_skipped() -> None:
    config = config_from_mapping({"policies": [{"match": "flaky*", "ignore": True}]})
    assert judge(metric("flaky", 1.0), metric("flaky", 9.0), config).status is Status.SKIPPED


def test_same_name_on_two_devices_stays_two_rows() -> None:
    rows = compare(
        run(
            metric("inference", 40.0, Kind.INFERENCE, "cpu"),
            metric("inference", 150.0, Kind.INFERENCE, "gpu"),
        ),
        [
            run(
                metric("inference", 40.0, Kind.INFERENCE, "cpu"),
                metric("inference", 150.0, Kind.INFERENCE, "gpu"),
            )
        ],
        DEFAULT,
    )
    assert [r.metric.device for r in rows] == ["cpu", "gpu"]
    assert all(r.status is Status.PASS for r in rows)


def test_harness_pass_fail_tests_decide_their_row() -> None:
    row = judge(None, metric("crossval parity", 1.0, Kind.PARITY, passed=False, tolerance=1e-5))
    assert row.status is Status.FAIL and "1e-05" in row.explanation


@pytest.mark.parametrize(
    ("rows_spec", "findings", "status", "route"),
    [
        ([("b", 100, 101)], (), "pass", "review-docs-reviewer"),
        ([("b", 100, 120)], (), "fail", "review-perf-fixer"),
        ([("b", 100, 80)], (), "pass", "baseline-manager"),
        ([("b", 100, 101)], (Finding("r.json", "mock kernels"),), "fail", "review-perf-fixer"),
        ([("b", None, 101)], (), "skipped", "baseline-manager"),
    ],
)
def test_gate_status_and_route(rows_spec, findings, status, route) -> None:
    base = run(*[metric(n, b) for n, b, _ in rows_spec if b is not None])
    cur = run(*[metric(n, c) for n, _, c in rows_spec])
    rows = compare(cur, [base], DEFAULT)
    decision = decide(rows, findings, DEFAULT)
    assert (decision.status, decision.route) == (status, route)
    assert (
        decision.conclusion == {"pass": "success", "fail": "failure", "skipped": "neutral"}[status]
    )


def test_a_dishonest_run_fails_and_says_its_results_cannot_be_trusted() -> None:
    rows = compare(run(metric("b", 100)), [run(metric("b", 100))], DEFAULT)
    finding = Finding("ci/inference.json", "receipt names mock kernel(s): mock_inference")
    decision = decide(rows, (finding,), DEFAULT)
    assert (decision.status, decision.route) == ("fail", "review-perf-fixer")
    assert decision.route_reason == (
        "the results cannot be trusted: receipt names mock kernel(s): mock_inference"
    )


def test_expected_gpu_missing_routes_to_troubleshooter() -> None:
    rows = compare(run(metric("b", 100)), [run(metric("b", 100))], DEFAULT)
    decision = decide(rows, (), DEFAULT, gpu_problem="nvidia-smi: no devices found")
    assert decision.route == "gpu-troubleshooter"
    assert "no devices found" in decision.route_reason


def test_routes_are_configurable() -> None:
    config = config_from_mapping({"routes": {"fail": "perf-team"}})
    rows = compare(run(metric("b", 200)), [run(metric("b", 100))], config)
    assert decide(rows, (), config).route == "perf-team"


def test_different_hardware_softens_timing_failures_but_not_accuracy() -> None:
    from perf_gate.report.finalize import Context, evaluate

    current = run(metric("gemv", 200.0), metric("TL2 accuracy", 90.0, Kind.ACCURACY))
    base = run(metric("gemv", 100.0), metric("TL2 accuracy", 99.5, Kind.ACCURACY))
    ctx = Context(hardware_mismatch="baseline on RTX 3090, current on H100")
    report = evaluate(current, [base], DEFAULT, context=ctx)
    statuses = {r.metric.name: r.status for r in report.rows}
    assert statuses == {"gemv": Status.WARN, "TL2 accuracy": Status.FAIL}
    gemv = next(r for r in report.rows if r.metric.name == "gemv")
    assert "RTX 3090" in gemv.explanation


def test_metric_without_device_pairs_with_the_only_one_of_its_name() -> None:
    rows = compare(run(metric("gemv", 100.0, device="cpu")), [run(metric("gemv", 100.0))], DEFAULT)
    assert [r.status for r in rows] == [Status.PASS]
    rows = compare(run(metric("gemv", 100.0)), [run(metric("gemv", 100.0, device="cpu"))], DEFAULT)
    assert [r.status for r in rows] == [Status.PASS]


def test_ambiguous_device_pairing_does_not_guess() -> None:
    base = run(metric("gemv", 100.0, device="cpu"), metric("gemv", 10.0, device="gpu"))
    rows = compare(run(metric("gemv", 100.0)), [base], DEFAULT)
    assert sorted(r.status.value for r in rows) == ["missing", "missing", "new"]


def test_evidence_chain_names_the_current_runs_method_not_the_baselines() -> None:
    from dataclasses import replace as with_

    from perf_gate.report.finalize import evaluate

    current = with_(run(metric("b", 100.0)), formats=("xtask-benchmark",))
    base = with_(run(metric("b", 100.0)), formats=("bitnet-baseline",))
    report = evaluate(current, [base], DEFAULT)
    assert report.evidence.method == "xtask_benchmark"


def test_too_few_samples_are_not_called_single_values() -> None:
    """Four samples per side (below the one MIN_SAMPLES rule) get the plain rule, and the
    explanation says why instead of "single values, no samples"."""
    row = judge(
        metric("parse", 100.0, samples=(99.0, 100.0, 101.0, 100.0)),
        metric("parse", 120.0, samples=(119.0, 120.0, 121.0, 120.0)),
    )
    assert row.method == "plain"
    assert "fewer than 5 samples per side" in row.explanation
    assert "no samples" not in row.explanation


def test_one_status_vocabulary_for_summary_and_check_run() -> None:
    from perf_gate.github.check_run import table_rows
    from perf_gate.judge.verdict import STATUS_CELL

    cells = table_rows([{"name": "x", "status": "new"}])
    assert STATUS_CELL[Status.NEW] in cells[0].values()
