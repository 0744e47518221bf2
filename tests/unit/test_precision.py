"""Mixed precision: BF16/FP16 expectations only on the GPUs that support them."""

from __future__ import annotations

from perf_gate.core.config import config_from_mapping
from perf_gate.core.model import Kind, Metric, RunSet
from perf_gate.inputs.hardware import Gpu, Hardware
from perf_gate.judge.precision import check_precision
from perf_gate.judge.verdict import Status
from perf_gate.report.finalize import Context, evaluate


def tok(name: str, value: float, device: str = "gpu") -> Metric:
    return Metric(name, value, "tok/s", Kind.INFERENCE, "higher", device=device)  # type: ignore[arg-type]


def machine(name: str, cap: str) -> list[Hardware]:
    return [Hardware(cpu_model="x", gpus=(Gpu(name=name, compute_cap=cap),))]


RUN = RunSet((tok("inference bf16", 50.0), tok("inference fp32", 30.0), tok("cpu", 5.0, "cpu")))
SLOWER = RunSet((tok("inference bf16", 20.0), tok("inference fp32", 30.0), tok("cpu", 5.0, "cpu")))


def _judge(current: RunSet, baseline: RunSet, hardware: list[Hardware]):
    checked = check_precision(current, [baseline], hardware)
    report = evaluate(
        checked.current,
        checked.baselines,
        config_from_mapping({}),
        context=Context(skipped=checked.skipped),
    )
    return {row.metric.name: row for row in report.rows}, report


def test_bf16_rows_on_a_gpu_without_bf16_are_skipped_with_the_reason() -> None:
    rows, report = _judge(SLOWER, RUN, machine("Tesla T4", "7.5"))
    row = rows["inference bf16"]
    assert row.status is Status.SKIPPED
    assert "BF16 not supported: Tesla T4 has compute capability 7.5" in row.explanation
    assert report.decision.status == "pass"  # the 60 % BF16 drop is not judged on a T4
    assert not any(name.startswith("precision speedup") for name in rows)


def test_bf16_rows_are_judged_on_ampere() -> None:
    rows, report = _judge(SLOWER, RUN, machine("NVIDIA A100", "8.0"))
    assert rows["inference bf16"].status is Status.FAIL
    assert rows["precision speedup: inference bf16 vs inference fp32"].status is Status.FAIL
    assert report.decision.status == "fail"


def test_fp16_is_skipped_only_where_it_is_slow() -> None:
    run = RunSet((tok("decode fp16", 10.0),))
    assert check_precision(run, [run], machine("GTX 1080", "6.1")).skipped
    assert not check_precision(run, [run], machine("Tesla P100", "6.0")).skipped
    assert not check_precision(run, [run], machine("unknown", "")).skipped


def test_a_bf16_capable_gpu_without_a_bf16_benchmark_warns() -> None:
    run = RunSet((tok("inference fp32", 30.0),))
    (warning,) = check_precision(run, [], machine("NVIDIA H100", "9.0")).current.findings
    assert warning.severity == "warn" and warning.code == "bf16-not-benchmarked"
    assert "H100" in warning.message
    assert not check_precision(RUN, [], machine("NVIDIA H100", "9.0")).current.findings
