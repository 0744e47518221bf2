"""The real image, built from the Dockerfile and run the way the GitHub runner runs it.

No Docker engine runs here: ``buildah`` builds the Dockerfile FROM a debootstrapped
Debian base (``scripts/build-action-image.sh``) and runs the image's own ENTRYPOINT
with ``buildah run --isolation chroot``: the workspace at ``/github/workspace`` as the
working directory, the event at ``/github/workflow/event.json``, ``GITHUB_OUTPUT`` and
``GITHUB_STEP_SUMMARY`` in ``/github/file_commands``, ``INPUT_*`` as the runner sets
them, and GitHub played by the local test server over loopback (chroot isolation shares
the host's network). Needs root, buildah and debootstrap; skipped with the reason
otherwise, failed instead when ``PERF_GATE_REQUIRE_CONTAINER_TEST=1`` (CI).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from perf_gate.schemas import load_schema
from tests.action.conftest import EXAMPLE, REGRESSION, ROOT, copy_results, parse_github_output

pytestmark = pytest.mark.container

REQUIRED = os.environ.get("PERF_GATE_REQUIRE_CONTAINER_TEST") == "1"
TAG = "localhost/perf-gate-action:test"
REPO = "octo/bitnet"
PR = 7
HEAD_SHA = "c0ffee" + "1" * 34
TOKEN = "ghs_containertoken0123456789"
OWNER = 1234  # the runner user owning the workspace on a self-hosted machine


def missing_prerequisite() -> str | None:
    if sys.platform != "linux":
        return "buildah runs on Linux only"
    if os.geteuid() != 0:
        return "needs root (buildah with the vfs driver and chroot isolation)"
    for tool in ("buildah", "debootstrap", "flock"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install buildah debootstrap)"
    return None


@functools.cache
def store() -> tuple[str, ...]:
    """buildah's storage options, the build scripts' own (scripts/container-store.sh)."""
    proc = subprocess.run(
        [str(ROOT / "scripts" / "container-store.sh")], capture_output=True, text=True, check=True
    )
    return tuple(proc.stdout.split("\n")[:-1])


def buildah(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["buildah", *store(), *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def image() -> str:
    reason = missing_prerequisite()
    if reason is not None:
        message = f"container test not run: {reason}"
        if REQUIRED:
            pytest.fail(f"{message} (PERF_GATE_REQUIRE_CONTAINER_TEST=1)")
        pytest.skip(message)
    proc = subprocess.run(
        [str(ROOT / "scripts" / "build-action-image.sh"), TAG],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, f"image build failed:\n{proc.stderr[-6000:]}"
    return TAG


@pytest.fixture(scope="module")
def container(image: str) -> Iterator[str]:
    """One working container of the image; every test runs its entrypoint afresh in it."""
    proc = buildah("from", "--pull-never", image)
    assert proc.returncode == 0, proc.stderr
    name = proc.stdout.strip().splitlines()[-1]
    try:
        yield name
    finally:
        buildah("rm", name)


def image_config(image: str) -> dict[str, Any]:
    proc = buildah("inspect", "--type", "image", image)
    assert proc.returncode == 0, proc.stderr
    config: dict[str, Any] = json.loads(proc.stdout)["OCIv1"]["config"]
    return config


@dataclass
class Step:
    """One run of the action: the runner's folders on the host, and what came back."""

    root: Path
    returncode: int = -1
    log: str = ""

    @property
    def workspace(self) -> Path:
        return self.root / "workspace"

    @property
    def commands(self) -> Path:
        return self.root / "file_commands"

    def outputs(self) -> dict[str, str]:
        return parse_github_output((self.commands / "set_output_1").read_text(encoding="utf-8"))

    def summary(self) -> str:
        return (self.commands / "step_summary_1").read_text(encoding="utf-8")

    def receipt(self) -> dict[str, Any]:
        path = self.workspace / self.outputs()["receipt-path"]
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data


def prepare(root: Path) -> Step:
    step = Step(root)
    copy_results(EXAMPLE / "current", step.workspace)
    copy_results(EXAMPLE / "baseline", step.workspace / "baseline")
    shutil.copytree(REGRESSION, step.workspace / "regression")
    shutil.copy(EXAMPLE / ".perf-gate.yml", step.workspace / ".perf-gate.yml")
    for path in [step.workspace, *step.workspace.rglob("*")]:
        os.chown(path, OWNER, OWNER)
    for folder in ("file_commands", "workflow", "home"):
        (root / folder).mkdir()
    (step.commands / "set_output_1").touch()
    (step.commands / "step_summary_1").touch()
    event = {
        "action": "synchronize",
        "number": PR,
        "pull_request": {
            "number": PR,
            "head": {"sha": HEAD_SHA, "ref": "feature", "repo": {"full_name": REPO}},
            "base": {"ref": "main", "sha": "b" * 40, "repo": {"full_name": REPO}},
        },
        "repository": {"full_name": REPO},
    }
    (root / "workflow" / "event.json").write_text(json.dumps(event), encoding="utf-8")
    return step


def run_action(
    container: str, entrypoint: list[str], step: Step, api_url: str, **inputs: str
) -> Step:
    """Run the entrypoint as the runner does for a Docker action step."""
    env = {
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "HOME": "/github/home",
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_OUTPUT": "/github/file_commands/set_output_1",
        "GITHUB_STEP_SUMMARY": "/github/file_commands/step_summary_1",
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_SHA": "9" * 40,
        "GITHUB_RUN_ID": "4242",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_API_URL": api_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "RUNNER_OS": "Linux",
        "INPUT_GITHUB-TOKEN": TOKEN,
        "INPUT_GATE-NAME": "review:gate:perf",
        "INPUT_FAIL-ON": "fail",
        "INPUT_OUTPUT-DIR": "perf-gate-out",
    }
    env.update({f"INPUT_{name.replace('_', '-').upper()}": value for name, value in inputs.items()})
    args = ["run", "--isolation", "chroot", "--workingdir", "/github/workspace"]
    for host, inside in (
        (step.workspace, "/github/workspace"),
        (step.commands, "/github/file_commands"),
        (step.root / "workflow", "/github/workflow"),
        (step.root / "home", "/github/home"),
    ):
        args += ["-v", f"{host}:{inside}"]
    for name, value in env.items():
        args += ["-e", f"{name}={value}"]
    proc = buildah(*args, container, "--", *entrypoint, timeout=300)
    step.returncode, step.log = proc.returncode, proc.stdout + proc.stderr
    return step


@pytest.fixture
def github() -> Iterator[Any]:
    """The local GitHub on 127.0.0.1, checking every request against GitHub's description."""
    from tests.github.server import GitHubServer

    server = GitHubServer()
    server.add_token(TOKEN, "app")
    server.add_pull(REPO, PR, head_sha=HEAD_SHA)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert server.violations == [], "requests GitHub's description rejects"


@pytest.fixture
def entrypoint(image: str) -> list[str]:
    config = image_config(image)
    assert not config.get("User"), "the image must not set USER"
    assert not config.get("WorkingDir"), "the image must not rely on WORKDIR"
    entry: list[str] = config["Entrypoint"]
    assert entry[0].startswith("/") and entry[-1] == "/opt/perf-gate/entrypoint.py"
    return entry


def test_a_regressing_pull_request_fails_the_step_and_is_published(
    container: str, entrypoint: list[str], github: Any, tmp_path: Path
) -> None:
    step = run_action(
        container,
        entrypoint,
        prepare(tmp_path),
        github.base_url,
        results="regression/current",
        baseline="regression/baseline",
    )
    assert step.returncode == 1, step.log
    outputs = step.outputs()
    assert outputs["status"] == "fail"
    assert outputs["conclusion"] == "failure"
    assert outputs["route"] == "review-perf-fixer"
    assert outputs["receipt-path"] == "perf-gate-out/perf-receipt.json"
    receipt = step.receipt()
    jsonschema.validate(
        receipt,
        load_schema("perf-receipt.schema.json"),
    )
    assert receipt["inputs"][0]["path"] == "regression/current/custom.json"
    assert "Performance Validation Summary" in step.summary()
    assert "::group::perf-gate finalize" in step.log
    assert "::error title=review%3Agate%3Aperf%3A inference (cpu) fails::" in step.log
    assert TOKEN not in step.log.replace(f"::add-mask::{TOKEN}", "")
    [check] = github.check_runs(REPO)
    assert (check["name"], check["head_sha"]) == ("review:gate:perf", HEAD_SHA)
    assert (check["status"], check["conclusion"]) == ("completed", "failure")
    assert any("review:gate:perf" in c["body"] for c in github.comments(REPO, PR))


def test_files_written_in_the_workspace_belong_to_its_owner(
    container: str, entrypoint: list[str], tmp_path: Path
) -> None:
    step = run_action(
        container,
        entrypoint,
        prepare(tmp_path),
        "http://127.0.0.1:9",
        results="perf",
        publish="false",
        output_dir="reports/perf",
    )
    assert step.returncode == 0, step.log  # no baseline: the gate is skipped
    for path in [step.workspace / "reports", *(step.workspace / "reports").rglob("*")]:
        assert (path.stat().st_uid, path.stat().st_gid) == (OWNER, OWNER), path


def test_a_passing_pull_request_passes_without_touching_github_when_publish_is_off(
    container: str, entrypoint: list[str], tmp_path: Path
) -> None:
    step = run_action(
        container,
        entrypoint,
        prepare(tmp_path),
        "http://127.0.0.1:9",
        results="target/criterion\nperf/*.json",
        baseline="baseline",
        publish="false",
    )
    assert step.returncode == 0, step.log
    assert step.outputs()["status"] == "pass"
    assert {m["device"] for m in step.receipt()["metrics"]} >= {"cpu", "gpu"}


def test_run_true_runs_the_configured_commands_inside_the_container(
    container: str, entrypoint: list[str], tmp_path: Path
) -> None:
    step = prepare(tmp_path)
    policy = step.workspace / ".perf-gate.yml"
    policy.write_text(
        "version: 1\n"
        "benchmarks:\n"
        "  - name: inference-cpu\n"
        "    device: cpu\n"
        "    command: [cp, perf/xtask-cpu.json, xtask-cpu.json]\n"
        "    results: xtask-cpu.json\n"
        "    log: cpu-bench.log\n",
        encoding="utf-8",
    )
    os.chown(policy, OWNER, OWNER)
    run_action(
        container,
        entrypoint,
        step,
        "http://127.0.0.1:9",
        run="true",
        baseline="baseline/perf/xtask-cpu.json",
        publish="false",
    )
    assert step.returncode == 0, step.log
    assert "::group::perf-gate run" in step.log
    assert "no usable GPU" in step.log  # the hardware probe ran, and found no nvidia-smi
    assert step.outputs()["status"] == "pass"
    for name in ("cpu-bench.log", "xtask-cpu.json", "perf-gate-out/perf-run.json"):
        assert (step.workspace / name).stat().st_uid == OWNER, name


def test_fail_on_never_reports_the_failure_but_passes_the_step(
    container: str, entrypoint: list[str], tmp_path: Path
) -> None:
    step = run_action(
        container,
        entrypoint,
        prepare(tmp_path),
        "http://127.0.0.1:9",
        results="regression/current",
        baseline="regression/baseline",
        publish="false",
        fail_on="never",
    )
    assert step.returncode == 0, step.log
    assert step.outputs()["status"] == "fail"


def test_bad_input_exits_2_and_says_what_to_fix(
    container: str, entrypoint: list[str], tmp_path: Path
) -> None:
    step = run_action(
        container, entrypoint, prepare(tmp_path), "http://127.0.0.1:9", results="bench-out/*.json"
    )
    assert step.returncode == 2, step.log
    assert "::error title=perf-gate could not judge this run::" in step.log
    assert "nothing matches 'bench-out/*.json'" in step.summary()


def run_in(container: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """``argv`` run in the working container, as the image's own environment has it."""
    return buildah("run", "--isolation", "chroot", container, "--", *argv)


def test_the_image_keeps_no_package_caches(container: str) -> None:
    proc = run_in(
        container,
        "sh",
        "-c",
        "ls -A /var/lib/apt/lists; ls -A /root/.cache 2>/dev/null; "
        "cd /opt/perf-gate && venv/bin/python -c 'import perf_gate, jinja2, jsonschema, "
        "requests, yaml, orjson, numpy; print(perf_gate.__file__)'",
    )
    assert proc.returncode == 0, proc.stderr
    # The installed wheel runs, not a copy of the source tree.
    (module,) = proc.stdout.split()
    assert re.fullmatch(
        r"/opt/perf-gate/venv/lib/python3\.\d+/site-packages/perf_gate/__init__\.py", module
    ), module


def test_the_installed_code_runs_from_bytecode_made_at_build_time(container: str) -> None:
    """The image runs with PYTHONDONTWRITEBYTECODE=1: bytecode not made when it was built
    would be compiled again from source on every run of the action (0.3 s of start-up)."""
    proc = run_in(
        container,
        "/opt/perf-gate/venv/bin/python",
        "-c",
        "import os, sys, perf_gate.cli, perf_gate.report.finalize, numpy\n"
        "mods = [m for m in list(sys.modules.values()) if "
        "(getattr(m, '__file__', None) or '').startswith('/opt/perf-gate/venv/') "
        "and m.__file__.endswith('.py')]\n"
        "missing = [m.__name__ for m in mods if not os.path.exists(m.__cached__)]\n"
        "print(len(mods), sys.flags.dont_write_bytecode, missing[:5], len(missing))",
    )
    assert proc.returncode == 0, proc.stderr
    count, no_writes, *_, missing = proc.stdout.split()
    assert no_writes == "1", proc.stdout  # nothing written at run time: made at build time
    assert int(count) > 100 and missing == "0", proc.stdout
