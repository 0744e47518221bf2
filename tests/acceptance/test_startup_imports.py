"""``perf-gate finalize`` imports what judging needs, not what running benchmarks or
publishing needs: start-up time is paid by every gate, and these modules (A/B rounds,
child processes, GPU monitoring, the GitHub client, YAML without a config file) were
a quarter of it. Without a GitHub context no ``perf_gate.github`` module is imported
(artifacts, zip files), and the templates come compiled, from their modules. Each case
runs the CLI in a fresh interpreter and reads ``sys.modules`` after it, so a lazy import
that slips back to the top of a module fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

SMALL = FIXTURES / "pr-small"
EXAMPLE = ROOT / "examples" / "bitnet-pr"

# `perf-gate run`, A/B mode and publishing: never needed by finalize --no-publish.
RUN_AND_PUBLISH = (
    "perf_gate.inputs.runner",
    "perf_gate.inputs.ab",
    "perf_gate.inputs.ab_rounds",
    "perf_gate.inputs.ab_proof",
    "perf_gate.inputs.fallback",
    "perf_gate.inputs.benchmark",
    "perf_gate.inputs.process",
    "perf_gate.inputs.process_tree",
    "perf_gate.inputs.console",  # the live log of the commands `run` starts
    "perf_gate.inputs.gpu_monitor",
    "perf_gate.inputs.rerun_filter",
    "perf_gate.judge.confirm",
    "perf_gate.github",  # no GitHub context: no artifacts, no publishing
    "perf_gate.github.context",
    "perf_gate.github.artifacts",
    "perf_gate.github.client",
    "perf_gate.github.publish",
    "zipfile",  # baselines from artifacts only
    "importlib.resources",  # the schemas are read beside their module
    "perf_gate.report.history_site",
    "requests",
    "jsonschema",  # only to word an error the compiled schema check found
    "subprocess",  # no GPU probe, no git, no benchmark command
    "platform",
)

PROBE = """
import json, sys
from perf_gate.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # --help
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def modules_after(*args: str, cwd: Path) -> tuple[int, set[str]]:
    """The exit code of ``perf-gate ARGS`` and every module imported by then."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return result["code"], set(result["modules"])


def finalize_args(out: Path, pr: Path, *extra: str) -> list[str]:
    sides = ["--current", str(pr / "current"), "--baseline", str(pr / "baseline")]
    return ["finalize", *sides, "--output-dir", str(out), "--no-publish", *extra]


@pytest.mark.parametrize("how", ["help", "run"])
def test_finalize_leaves_run_mode_publishing_and_yaml_unimported(tmp_path: Path, how: str) -> None:
    args = ["finalize", "--help"] if how == "help" else finalize_args(tmp_path / "out", SMALL)
    code, modules = modules_after(*args, cwd=tmp_path)
    assert code == 0
    assert "perf_gate.report.finalize" in modules  # the probe sees the package's imports
    assert sorted(modules.intersection(RUN_AND_PUBLISH)) == []
    assert "yaml" not in modules  # no config file was read
    assert "numpy" not in modules  # a small suite is judged in pure Python
    if how == "run":  # the page came from its compiled module
        assert "perf_gate.report.template_code.html_perf_report_html" in modules


def test_the_probe_sees_modules_imported_inside_functions(tmp_path: Path) -> None:
    """A config file brings YAML in, from inside ``load_config``: the check above would
    see a run-mode module imported the same way."""
    args = finalize_args(tmp_path / "out", EXAMPLE, "--config", str(EXAMPLE / ".perf-gate.yml"))
    code, modules = modules_after(*args, cwd=tmp_path)
    assert code in (0, 1)
    assert "yaml" in modules
    assert sorted(modules.intersection(RUN_AND_PUBLISH)) == []
