"""The example workflows lint clean, and their perf-finalizer steps work as written.

Each ``uses: org/perf-finalizer@v1`` step's ``with:`` is fed to the action the way the
runner would (``INPUT_*``, expressions replaced by plausible values), in a workspace
laid out as the workflow's earlier steps leave it, and the real ``perf-gate finalize``
judges the example pull request's results.
"""

from __future__ import annotations

import io
import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from perf_gate.action import Commands, run_step
from perf_gate.action_inputs import Settings, finalize_plan
from perf_gate.cli import main as real_cli
from perf_gate.command_requests import FinalizeRequest
from tests.action.conftest import (
    EXAMPLE,
    REAL_COMMANDS,
    ROOT,
    Runner,
    copy_results,
    use_environment,
)
from tests.action.test_action_metadata import ACTION, tool

WORKFLOWS = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
PROJECT_WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
USES = "org/perf-finalizer@v1"
HEAD_SHA = "3f1c2e4d5b6a79808f1e2d3c4b5a69788f9e0d1c"
EXPRESSIONS = {
    "github.token": "ghs_example_token",
    "inputs.pr-number": "42",
    "steps.head.outputs.sha": HEAD_SHA,
    "steps.pr.outputs.number": "42",
    "github.event.workflow_run.head_sha": HEAD_SHA,
}
Layout = dict[str, Callable[[str], bool]]
"""Where a workflow's earlier steps leave results: folder → which of the example's
files other than ``target`` are there (``target/criterion`` goes with ``xtask-cpu``)."""


def everything(name: str) -> bool:
    return True


def cpu_only(name: str) -> bool:
    return name != "xtask-cuda.json"


def cuda_only(name: str) -> bool:
    return name == "xtask-cuda.json"


LAYOUTS: dict[str, Layout] = {
    "pr-gate.yml": {"": everything},
    "gpu-self-hosted.yml": {"": everything},
    "dispatch.yml": {"": everything},
    "fork-pr-publish.yml": {"pr/": everything},
    "matrix.yml": {"results/perf-results-cpu/": cpu_only, "results/perf-results-cuda/": cuda_only},
}


def load(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def gate_steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [
        step
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if step.get("uses") == USES
    ]


def test_every_example_is_there() -> None:
    # host-ab.yml runs in tests/action/test_host_cli.py, on the runner host.
    assert {p.name for p in WORKFLOWS} == {
        *LAYOUTS,
        "fork-pr-bench.yml",
        "host-ab.yml",
        "history-pages.yml",
    }


def test_the_history_example_builds_the_pages_site_it_deploys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """history-pages.yml's `perf-gate history` step, run as written on the example's store,
    leaves the site in the folder that the Pages upload step takes."""
    steps = load(ROOT / "examples" / "workflows" / "history-pages.yml")["jobs"]["history"]["steps"]
    build = next(step["run"] for step in steps if step.get("name") == "Build the site")
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages"))
    (tmp_path / "store").mkdir()
    shutil.copy(EXAMPLE / "perf-baseline.json", tmp_path / "store" / "perf-baseline.json")
    argv = shlex.split(build)
    assert argv[:2] == ["perf-gate", "history"]
    monkeypatch.chdir(tmp_path)
    assert real_cli(argv[1:]) == 0
    site = tmp_path / upload["with"]["path"]
    assert (site / "index.html").is_file() and (site / "history.json").is_file()
    assert "Benchmarks of main" in (site / "index.html").read_text()


def test_actionlint_passes_with_the_gpu_runner_label_declared() -> None:
    proc = subprocess.run(
        [
            tool("actionlint"),
            "-config-file",
            ".github/actionlint.yaml",
            *[str(p.relative_to(ROOT)) for p in [*WORKFLOWS, *PROJECT_WORKFLOWS]],
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_without_the_config_actionlint_rejects_the_gpu_label(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("{}\n")
    proc = subprocess.run(
        [
            tool("actionlint"),
            "-config-file",
            str(tmp_path / "empty.yaml"),
            str(ROOT / "examples" / "workflows" / "gpu-self-hosted.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 'label "gpu" is unknown' in proc.stdout


def test_the_examples_validate_against_the_workflow_schema() -> None:
    proc = subprocess.run(
        [
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, [*WORKFLOWS, *PROJECT_WORKFLOWS]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def substitute(text: str) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in EXPRESSIONS, f"no test value for ${{{{ {expression} }}}}"
        return EXPRESSIONS[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def step_inputs(step: dict[str, Any]) -> dict[str, str]:
    """What the runner passes: every declared input, given or defaulted, expressions done."""
    given = {name: str(value) for name, value in (step.get("with") or {}).items()}
    unknown = set(given) - set(ACTION["inputs"])
    assert not unknown, f"step {step.get('name')!r} sets undeclared inputs {unknown}"
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update(given)
    return {name: substitute(value) for name, value in values.items()}


def lay_out(workspace: Path, layout: Layout) -> None:
    """The checkout (policy file) and the results the benchmark or download steps leave."""
    workspace.mkdir()
    shutil.copy(EXAMPLE / ".perf-gate.yml", workspace / ".perf-gate.yml")
    for prefix, only in layout.items():
        staged = workspace.parent / "staged"
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(EXAMPLE / "current", staged)
        if not only("xtask-cpu.json"):
            shutil.rmtree(staged / "target")
        copy_results(staged, workspace / prefix, only)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_the_examples_gate_step_runs_the_example_pull_request(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = gate_steps(load(ROOT / "examples" / "workflows" / name))
    assert len(steps) == 1
    inputs = step_inputs(steps[0])
    workspace = tmp_path / "workspace"
    lay_out(workspace, LAYOUTS[name])
    (tmp_path / "out").touch()
    (tmp_path / "summary").touch()
    runner = Runner(
        workspace,
        tmp_path,
        {
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(tmp_path / "out"),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        },
    )
    env = runner.with_inputs(**inputs)
    use_environment(monkeypatch, env)
    calls: list[FinalizeRequest] = []

    def finalize(request: FinalizeRequest, environ: Mapping[str, str]) -> int:
        calls.append(request)
        return REAL_COMMANDS.finalize(request, environ)

    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert run_step(env, out, Commands(run=REAL_COMMANDS.run, finalize=finalize)) == 0, (
        out.getvalue()
    )
    # No baseline here (the artifact is not fetched), so the gate is skipped, not failed.
    assert runner.outputs()["status"] == "skipped"
    assert runner.outputs()["route"] == "baseline-manager"
    assert "Performance Validation Summary" in runner.summary()
    receipt = json.loads((workspace / runner.outputs()["receipt-path"]).read_text())
    assert {m["device"] for m in receipt["metrics"]} >= {"cpu", "gpu"}
    request = calls[-1]
    if inputs["pr-number"]:
        assert request.pr_number == 42
    if inputs["head-sha"]:
        assert request.head_sha == HEAD_SHA
    if inputs["baseline-artifact"]:
        assert str(request.baseline_artifact).startswith("perf-baseline")


def test_every_input_reaches_the_finalize_request(tmp_path: Path) -> None:
    """The action builds the command's typed request itself: no input is lost on the way
    (it used to go back into argv strings for the command line to parse again)."""
    (tmp_path / "results.json").write_text("{}")
    (tmp_path / ".perf-gate.yml").write_text("version: 1\n")
    every = Settings(
        workspace=tmp_path,
        results=("results.json",),
        baseline=("results.json",),
        baseline_artifact="perf-baseline",
        threshold="5",
        gate_name="perf:gpu",
        pr_number="7",
        head_sha=HEAD_SHA,
        publish=False,
        ledger=False,
        progress_comment=False,
        output_dir="out",
    )
    request = finalize_plan(every).request
    assert request == FinalizeRequest(
        current=(Path("results.json"),),
        baseline=(Path("results.json"),),
        config=Path(".perf-gate.yml"),
        threshold=5.0,
        output_dir=Path("out"),
        publish=False,
        gate_name="perf:gpu",
        pr_number=7,
        head_sha=HEAD_SHA,
        ledger=False,
        progress_comment=False,
        baseline_artifact="perf-baseline",
    )
    defaults = {f.name: f.default for f in fields(FinalizeRequest) if f.name != "current"}
    changed = {name for name, value in defaults.items() if getattr(request, name) != value}
    # what the action has no input for keeps the command line's default
    assert set(defaults) - changed == {
        "fmt",
        "baseline_ref",
        "base_branch",
        "hardware",
        "criterion_baseline",
    }
