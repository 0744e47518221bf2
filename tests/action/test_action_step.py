"""The whole step, as the container runs it: inputs in; outputs, summary and exit code out."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import jsonschema
import pytest

from perf_gate.action import Commands, run_step
from perf_gate.action_protocol import hand_back
from perf_gate.command_requests import FinalizeRequest, RunRequest
from perf_gate.schemas import load_schema
from tests.action.conftest import REAL_COMMANDS, Runner

Request = RunRequest | FinalizeRequest


def commands(call: Callable[[Request], int]) -> Commands:
    """The step's commands, both answered by ``call`` (which sees the typed request)."""

    def answer(request: Request, environ: Mapping[str, str]) -> int:
        return call(request)

    return Commands(run=answer, finalize=answer)


class FakeCli:
    """Records each command the step calls and writes the receipt ``finalize`` would."""

    def __init__(self, status: str = "pass", code: int = 0, stderr: str = "") -> None:
        self.status, self.code, self.stderr = status, code, stderr
        self.calls: list[Request] = []

    def __call__(self, request: Request) -> int:
        self.calls.append(request)
        if self.stderr:
            print(self.stderr, file=sys.stderr)
        if isinstance(request, RunRequest):
            out = request.output_dir
            out.mkdir(parents=True, exist_ok=True)
            (out / "perf-run.json").write_text("{}")
        if isinstance(request, FinalizeRequest) and self.code in (0, 1):
            out = request.output_dir
            out.mkdir(parents=True, exist_ok=True)
            receipt = {
                "gate": {
                    "name": "review:gate:perf",
                    "status": self.status,
                    "conclusion": "success" if self.status == "pass" else "failure",
                    "summary": f"review:gate:perf = {self.status}",
                },
                "route": {"next": "review-docs-reviewer"},
                "metrics": [],
                "findings": [],
            }
            (out / "perf-receipt.json").write_text(json.dumps(receipt))
            (out / "perf-summary.md").write_text(f"## gate {self.status}\n")
        return self.code


def test_a_failing_gate_fails_the_step_with_outputs_summary_and_annotations(
    runner: Runner,
) -> None:
    out = io.StringIO()
    env = runner.with_inputs(
        results="regression/current", baseline="regression/baseline", publish="false"
    )
    assert run_step(env, out, REAL_COMMANDS) == 1
    outputs = runner.outputs()
    assert outputs["status"] == "fail"
    assert outputs["conclusion"] == "failure"
    assert outputs["route"] == "review-perf-fixer"
    assert outputs["summary"].startswith("review:gate:perf = fail")
    assert outputs["receipt-path"] == "perf-gate-out/perf-receipt.json"
    assert outputs["summary-path"] == "perf-gate-out/perf-summary.md"
    receipt = json.loads((runner.workspace / outputs["receipt-path"]).read_text())
    schema = load_schema("perf-receipt.schema.json")
    jsonschema.validate(receipt, schema)
    assert [i["path"] for i in receipt["inputs"]] == [
        "regression/current/custom.json",
        "regression/baseline/custom.json",
    ]
    summary = (runner.workspace / outputs["summary-path"]).read_text()
    tail = runner.summary().removeprefix(summary)
    assert tail != runner.summary() and "`perf-gate-out/perf-report.html`" in tail
    assert outputs["report-path"] == "perf-gate-out/perf-report.html"
    assert (
        '<table id="metrics" class="sortable">'
        in (runner.workspace / outputs["report-path"]).read_text()
    )
    log = out.getvalue()
    assert "::group::perf-gate finalize\n" in log
    assert "::endgroup::" in log
    failing = [m for m in receipt["metrics"] if m["status"] == "fail"]
    assert failing
    errors = [line for line in log.splitlines() if line.startswith("::error ")]
    assert len(errors) == min(
        10, len(failing) + sum(f["severity"] == "fail" for f in receipt["findings"])
    )


def test_fail_on_never_passes_the_step_but_still_reports(runner: Runner) -> None:
    out = io.StringIO()
    env = runner.with_inputs(
        results="regression/current",
        baseline="regression/baseline",
        publish="false",
        fail_on="never",
    )
    assert run_step(env, out, REAL_COMMANDS) == 0
    assert runner.outputs()["status"] == "fail"
    assert "fail-on is never, so the step passes" in out.getvalue()


def test_a_passing_gate_passes(runner: Runner) -> None:
    env = runner.with_inputs(
        results="target/criterion\nperf/*.json", baseline="baseline", publish="false"
    )
    assert run_step(env, io.StringIO(), REAL_COMMANDS) == 0
    assert runner.outputs()["status"] == "pass"


def test_without_a_baseline_every_metric_is_new_and_a_warning_says_why(runner: Runner) -> None:
    out = io.StringIO()
    env = runner.with_inputs(results="perf", baseline="main-results", publish="false")
    assert run_step(env, out, REAL_COMMANDS) == 0
    assert "::warning title=perf-gate::input baseline: nothing matches 'main-results'" in (
        out.getvalue()
    )
    receipt = json.loads((runner.workspace / "perf-gate-out/perf-receipt.json").read_text())
    assert {m["status"] for m in receipt["metrics"]} == {"new"}


def test_bad_input_exits_2_with_an_annotation_and_a_summary_saying_what_to_fix(
    runner: Runner,
) -> None:
    out = io.StringIO()
    env = runner.with_inputs(results="bench-out/*.json", publish="false")
    assert run_step(env, out, REAL_COMMANDS) == 2
    assert out.getvalue().startswith("::error title=perf-gate could not judge this run::")
    assert "nothing matches 'bench-out/*.json'" in out.getvalue()
    assert runner.summary().startswith("## perf-gate could not judge this run\n")
    assert "Fix the step's `with:` inputs" in runner.summary()
    assert runner.outputs() == {}


def test_a_wrong_input_value_exits_2_before_anything_runs(runner: Runner) -> None:
    cli = FakeCli()
    out = io.StringIO()
    assert (
        run_step(runner.with_inputs(results="perf", fail_on="sometimes"), out, commands(cli)) == 2
    )
    assert cli.calls == []
    assert "fail-on must be 'fail' or 'never'" in out.getvalue()


def test_a_malformed_results_file_quotes_the_clis_error(runner: Runner) -> None:
    (runner.workspace / "perf" / "xtask-cpu.json").write_text("{not json")
    out = io.StringIO()
    env = runner.with_inputs(results="perf/xtask-cpu.json", publish="false")
    code = run_step(env, out, REAL_COMMANDS)
    assert code == 2
    error = next(line for line in out.getvalue().splitlines() if line.startswith("::error"))
    assert "perf-gate: error: " in error
    assert "xtask-cpu.json" in error
    assert "perf-gate: error:" in runner.summary()


def test_a_receipt_left_by_an_earlier_step_is_never_reported(runner: Runner) -> None:
    stale = runner.workspace / "perf-gate-out"
    stale.mkdir()
    (stale / "perf-receipt.json").write_text('{"gate": {"status": "pass"}}')
    code = run_step(
        runner.with_inputs(results="perf"),
        io.StringIO(),
        commands(FakeCli(code=2, stderr="perf-gate: error: x")),
    )
    assert code == 2
    assert not (stale / "perf-receipt.json").exists()
    assert runner.outputs() == {}


def test_an_error_after_judging_keeps_the_outputs_and_fails_the_step(runner: Runner) -> None:
    cli = FakeCli(status="pass", code=0)

    def publishing_fails(request: Request) -> int:
        cli(request)
        print("perf-gate: error: GitHub refused the check run (403)", file=sys.stderr)
        return 4

    out = io.StringIO()
    assert run_step(runner.with_inputs(results="perf"), out, commands(publishing_fails)) == 4
    assert runner.outputs()["status"] == "pass"
    assert "::error title=perf-gate failed after judging::perf-gate: error: GitHub refused" in (
        out.getvalue()
    )


def test_run_true_runs_the_configured_benchmarks_first(runner: Runner) -> None:
    cli = FakeCli()
    assert (
        run_step(runner.with_inputs(results="perf", run="true"), io.StringIO(), commands(cli)) == 0
    )
    assert cli.calls[0] == RunRequest(Path(".perf-gate.yml"), Path("perf-gate-out"))
    finalize = cli.calls[1]
    assert isinstance(finalize, FinalizeRequest)
    assert finalize.current == (Path("perf-gate-out/perf-run.json"), Path("perf"))


def test_with_run_true_results_may_be_empty(runner: Runner) -> None:
    cli = FakeCli()
    assert run_step(runner.with_inputs(run="true"), io.StringIO(), commands(cli)) == 0
    finalize = cli.calls[1]
    assert isinstance(finalize, FinalizeRequest)
    assert finalize.current == (Path("perf-gate-out/perf-run.json"),)


def test_a_run_that_wrote_no_manifest_is_reported(runner: Runner) -> None:
    class Silent(FakeCli):
        def __call__(self, request: Request) -> int:
            return 5 if isinstance(request, RunRequest) else super().__call__(request)

    out = io.StringIO()
    assert run_step(runner.with_inputs(run="true"), out, commands(Silent())) == 2
    assert "perf-gate run wrote no perf-run.json" in out.getvalue()


def test_run_true_runs_the_real_benchmark_commands_and_judges_them(runner: Runner) -> None:
    receipt = runner.workspace / "perf" / "xtask-cpu.json"
    (runner.workspace / ".perf-gate.yml").write_text(
        "version: 1\n"
        "benchmarks:\n"
        "  - name: inference-cpu\n"
        "    device: cpu\n"
        f"    command: [{sys.executable!r}, -c, 'import shutil; "
        f'shutil.copy("{receipt}", "xtask-cpu.json")\']\n'
        "    results: xtask-cpu.json\n"
        "    log: cpu-bench.log\n"
    )
    out = io.StringIO()
    env = runner.with_inputs(run="true", baseline="baseline/perf/xtask-cpu.json", publish="false")
    code = run_step(env, out, REAL_COMMANDS)
    assert code == 0, out.getvalue()
    assert "::group::perf-gate run\n" in out.getvalue()
    receipt_data = json.loads((runner.workspace / "perf-gate-out/perf-receipt.json").read_text())
    [inference] = [m for m in receipt_data["metrics"] if m["kind"] == "inference"]
    assert inference["baseline"] is not None and inference["current"] is not None
    assert (runner.workspace / "cpu-bench.log").is_file()


def test_results_produced_by_run_are_globbed_after_the_run(runner: Runner) -> None:
    class Producing(FakeCli):
        def __call__(self, request: Request) -> int:
            if isinstance(request, RunRequest):
                Path("bench-out").mkdir()
                Path("bench-out/hyperfine.json").write_text("{}")
            return super().__call__(request)

    cli = Producing()
    assert (
        run_step(
            runner.with_inputs(results="bench-out/*.json", run="true"), io.StringIO(), commands(cli)
        )
        == 0
    )
    finalize = cli.calls[1]
    assert isinstance(finalize, FinalizeRequest)
    assert finalize.current[1:] == (Path("bench-out/hyperfine.json"),)


def test_a_failed_benchmark_run_is_a_warning_and_what_exists_is_judged(runner: Runner) -> None:
    class RunFails(FakeCli):
        def __call__(self, request: Request) -> int:
            code = super().__call__(request)
            return 5 if isinstance(request, RunRequest) else code

    out = io.StringIO()
    assert run_step(runner.with_inputs(results="perf", run="true"), out, commands(RunFails())) == 0
    assert "::warning title=perf-gate run::perf-gate run exited with 5" in out.getvalue()


def test_run_true_without_a_policy_file_is_bad_input(runner: Runner) -> None:
    (runner.workspace / ".perf-gate.yml").unlink()
    out = io.StringIO()
    assert run_step(runner.with_inputs(results="perf", run="true"), out, commands(FakeCli())) == 2
    assert "input run is true but there is no config" in out.getvalue()


def test_the_token_is_masked_before_anything_is_printed(runner: Runner) -> None:
    out = io.StringIO()
    run_step(runner.with_inputs(results="perf", github_token="ghs_abc"), out, commands(FakeCli()))
    assert out.getvalue().startswith("::add-mask::ghs_abc\n")


def test_the_cli_runs_in_the_workspace(runner: Runner) -> None:
    seen: list[str] = []

    def cli(request: Request) -> int:
        seen.append(os.getcwd())
        return FakeCli()(request)

    run_step(runner.with_inputs(results="perf"), io.StringIO(), commands(cli))
    assert seen == [str(runner.workspace)]


root_only = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root"
)


@root_only
def test_files_written_as_root_are_handed_to_the_workspace_owner(runner: Runner) -> None:
    os.chown(runner.workspace, 1234, 1234)
    env = runner.with_inputs(results="perf", output_dir="reports/perf", publish="false")
    run_step(env, io.StringIO(), REAL_COMMANDS)
    for path in ("reports", "reports/perf", "reports/perf/perf-receipt.json"):
        stat = (runner.workspace / path).stat()
        assert (stat.st_uid, stat.st_gid) == (1234, 1234), path


@root_only
def test_files_of_others_are_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "theirs").touch()
    os.chown(out / "theirs", 99, 99)
    os.chown(tmp_path, 1234, 1234)
    hand_back([out], tmp_path)
    assert (out / "theirs").stat().st_uid == 99
    assert out.stat().st_uid == 1234


@root_only
def test_a_root_owned_workspace_is_left_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    hand_back([tmp_path / "out"], tmp_path)
    assert (tmp_path / "out").stat().st_uid == 0


@root_only
def test_files_benchmark_commands_wrote_are_handed_back_too(runner: Runner) -> None:
    (runner.workspace / ".perf-gate.yml").write_text(
        "version: 1\n"
        "benchmarks:\n"
        "  - name: inference-cpu\n"
        "    command: [cp, perf/xtask-cpu.json, out/xtask-cpu.json]\n"
        "    results: out/xtask-cpu.json\n"
        "    log: logs/cpu-bench.log\n"
    )
    (runner.workspace / "out").mkdir()
    os.chown(runner.workspace, 1234, 1234)
    run_step(runner.with_inputs(run="true", publish="false"), io.StringIO(), REAL_COMMANDS)
    for path in ("out/xtask-cpu.json", "logs", "logs/cpu-bench.log", "perf-gate-out"):
        assert (runner.workspace / path).stat().st_uid == 1234, path
