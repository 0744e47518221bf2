"""Next steps in the progress comment, per route."""

from __future__ import annotations

from perf_gate.github.progress_comment import next_steps, reproduce_command


def _receipt(route: str, *metrics: dict) -> dict:
    return {"route": {"next": route, "reason": "x"}, "metrics": list(metrics)}


def test_the_fixer_gets_each_regression_with_the_command_that_reproduces_it() -> None:
    gemv = {
        "name": "kernels/i2s_gemv/2048x2048",
        "label": "kernels/i2s_gemv/2048x2048",
        "status": "fail",
        "kind": "timing",
        "source": "current/target/criterion/kernels/i2s_gemv/2048x2048",
    }
    fine = {**gemv, "name": "other", "label": "other", "status": "pass"}
    steps = next_steps(_receipt("review-perf-fixer", gemv, fine), "Fix them.")
    assert steps == [
        "Fix them.",
        "Reproduce kernels/i2s_gemv/2048x2048: cargo bench -- 'kernels/i2s_gemv/2048x2048'",
    ]


def test_many_regressions_are_capped() -> None:
    failing = [{"name": f"b{i}", "status": "fail", "source": "x.json"} for i in range(13)]
    steps = next_steps(_receipt("review-perf-fixer", *failing), "")
    assert len(steps) == 11 and steps[-1].startswith("… and 3 more")


def test_the_baseline_manager_gets_the_update_command() -> None:
    (_, step) = next_steps(_receipt("baseline-manager"), "Update it.")
    assert "perf-gate baseline update --current" in step


def test_reproduce_commands_by_source() -> None:
    assert reproduce_command({"name": "sleep 0.1", "source": "hyperfine.json"}) == (
        "hyperfine 'sleep 0.1'"
    )
    assert "perf-gate run" in reproduce_command({"name": "x", "source": "xtask-cpu.json"})
