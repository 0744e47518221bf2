"""The CLI on the runner host, for toolchains the action's container lacks.

``setup/action.yml``'s step runs as the runner runs a composite step (``GITHUB_ACTION_PATH``,
``RUNNER_TEMP``, ``GITHUB_PATH``): it builds the wheel and installs it, with the locked
runtime dependencies, into a fresh venv outside the checkout. That install then judges
the bundled example exactly as the checkout does, and runs the steps of
``examples/workflows/host-ab.yml`` as written: ``perf-gate run`` in A/B mode on a real git
repository, then the action's entry point on the runner host.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.action.conftest import EXAMPLE, ROOT, parse_github_output

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]


def composite_env(step: dict[str, Any], inputs: dict[str, Any]) -> dict[str, str]:
    """The step's ``env:`` with ``${{ inputs.NAME }}`` replaced by the inputs' defaults."""
    defaults = {name: str(spec.get("default", "")) for name, spec in inputs.items()}
    env = {}
    for name, value in (step.get("env") or {}).items():
        text = str(value)
        for key, default in defaults.items():
            text = text.replace("${{ inputs." + key + " }}", default)
        assert "${{" not in text, text
        env[name] = text
    return env


def base_env() -> dict[str, str]:
    """A runner-like environment without this checkout's venv or package on any path."""
    keep = ("HOME", "LANG", "TMPDIR", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    path = [p for p in os.environ["PATH"].split(os.pathsep) if ".venv" not in p]
    env["PATH"] = os.pathsep.join(path)
    return env


def run_script(script: str, cwd: Path, env: dict[str, str]) -> None:
    """A ``run:`` script, as the runner runs it with ``shell: bash``; it must succeed."""
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def host_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the setup action's one step; return the folder it put on ``GITHUB_PATH``."""
    action = yaml.safe_load((ROOT / "setup" / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    (step,) = action["runs"]["steps"]
    runner = tmp_path_factory.mktemp("runner")
    files = {name: runner / name for name in ("path", "output")}
    for file in files.values():
        file.touch()
    env = {
        **base_env(),
        **composite_env(step, action.get("inputs", {})),
        "GITHUB_ACTION_PATH": str(ROOT / "setup"),
        "RUNNER_TEMP": str(runner / "temp"),
        "GITHUB_PATH": str(files["path"]),
        "GITHUB_OUTPUT": str(files["output"]),
    }
    (runner / "temp").mkdir()
    run_script(step["run"], runner, env)
    (added,) = files["path"].read_text().split()
    assert parse_github_output(files["output"].read_text()) == {"path": added}
    return Path(added)


def test_the_setup_action_installs_the_wheel_not_the_checkout(host_bin: Path) -> None:
    proc = subprocess.run(
        [
            host_bin / "python",
            "-c",
            "import perf_gate, importlib.resources as r; print(perf_gate.__file__); "
            "print(sum(f.name.endswith('.json') for f in r.files('perf_gate.schemas').iterdir()))",
        ],
        cwd=host_bin,
        capture_output=True,
        text=True,
        check=True,
    )
    module, schemas = proc.stdout.split()
    assert "site-packages" in module and not module.startswith(str(ROOT))
    assert int(schemas) == len(list((ROOT / "perf_gate" / "schemas").glob("*.json")))
    assert not (ROOT / "build").exists()


def test_the_installed_cli_judges_the_example_as_the_checkout_does(
    host_bin: Path, tmp_path: Path
) -> None:
    args = [
        "finalize",
        "--config",
        str(EXAMPLE / ".perf-gate.yml"),
        "--current",
        str(EXAMPLE / "current"),
        "--baseline",
        str(EXAMPLE / "baseline"),
        "--no-publish",
    ]
    runs = {
        "wheel": [str(host_bin / "perf-gate")],
        "checkout": [sys.executable, "-m", "perf_gate"],
    }
    summaries = {}
    for name, command in runs.items():
        out = tmp_path / name
        proc = subprocess.run(
            [*command, *args, "--output-dir", str(out)],
            cwd=tmp_path,
            env=base_env() if name == "wheel" else None,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr  # the example PR passes
        summaries[name] = (out / "perf-summary.md").read_text()
    assert "review:gate:perf" in summaries["wheel"]
    assert summaries["wheel"] == summaries["checkout"]


BENCH = """\
import json, sys
speed = float(open("speed.txt").read())
doc = {"model_path": "m.gguf", "prompt": "Hello", "generated_text": " world",
       "tokens_generated": 128, "warmup_tokens": 8, "device": "cpu",
       "timing": {"warmup_ms": 1.0, "prefill_ms": 1.0, "decode_ms": 1.0,
                  "generation_ms": 1.0, "total_ms": 1.0},
       "performance": {"tokens_per_sec": speed, "ms_per_token": 1000 / speed,
                       "total_tokens_per_sec": speed},
       "success": True}
json.dump(doc, open(sys.argv[1], "w"))
"""
POLICY = """\
version: 1
mode: ab
ab:
  rounds: 5
benchmarks:
  - name: xtask-cpu
    command: python3 bench.py crossval-perf.json
    results: crossval-perf.json
    memory: false
"""


def pull_request_repo(workspace: Path) -> None:
    """main at speed 100 tok/s; the pull request's head at 70 tok/s (30 % slower)."""
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=workspace, check=True)
    (workspace / "bench.py").write_text(BENCH)
    (workspace / ".perf-gate.yml").write_text(POLICY)
    (workspace / ".gitignore").write_text("perf-gate-out/\n*.json\n")
    (workspace / "speed.txt").write_text("100\n")
    subprocess.run(["git", "add", "."], cwd=workspace, check=True)
    subprocess.run([*GIT, "commit", "-qm", "base"], cwd=workspace, check=True)
    (workspace / "speed.txt").write_text("70\n")
    subprocess.run([*GIT, "commit", "-qam", "slower"], cwd=workspace, check=True)


def test_the_host_ab_workflow_runs_as_written(host_bin: Path, tmp_path: Path) -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "workflows" / "host-ab.yml").read_text())
    (job,) = workflow["jobs"].values()
    workspace = tmp_path / "workspace"
    pull_request_repo(workspace)
    output, summary = tmp_path / "output", tmp_path / "summary"
    output.touch()
    summary.touch()
    env = {**base_env(), "PATH": f"{host_bin}{os.pathsep}{base_env()['PATH']}"}
    ran = []
    for step in job["steps"]:
        uses = step.get("uses", "")
        if "run" in step:
            run_script(step["run"], workspace, env)
        elif uses == "org/perf-finalizer@v1":
            inputs = {f"INPUT_{k.upper()}": str(v) for k, v in step["with"].items()}
            step_env = {
                **env,
                **inputs,
                "INPUT_PUBLISH": "false",  # no GitHub here: judge and write the receipts only
                "GITHUB_WORKSPACE": str(workspace),
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(summary),
            }
            proc = subprocess.run(
                [host_bin / "python", ROOT / "entrypoint.py"],
                cwd=workspace,
                env=step_env,
                capture_output=True,
                text=True,
                check=False,
            )
            assert proc.returncode == 1, proc.stdout + proc.stderr
        elif uses in ("org/perf-finalizer/setup@v1",):
            pass  # installed by the host_bin fixture, as the runner would
        else:
            continue  # checkout, toolchain, upload: the runner's own actions
        ran.append(step.get("name", uses))
    assert ran == [
        "org/perf-finalizer/setup@v1",
        "Benchmarks, base and head side by side",
        "Perf gate",
    ]
    outputs = parse_github_output(output.read_text())
    assert outputs["status"] == "fail"
    receipt = json.loads((workspace / outputs["receipt-path"]).read_text())
    failing = {m["name"] for m in receipt["metrics"] if m.get("status") == "fail"}
    assert failing == {"inference"}  # the xtask receipt's tokens/sec, 100 -> 70
