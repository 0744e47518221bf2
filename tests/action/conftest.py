"""What the action tests share: a workspace with real results, and the runner's files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from entrypoint import COMMANDS as REAL_COMMANDS  # the container's wiring: the CLI's commands

__all__ = ["REAL_COMMANDS"]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "bitnet-pr"
REGRESSION = ROOT / "tests" / "fixtures" / "pr-regression"


def parse_github_output(text: str) -> dict[str, str]:
    """Read a ``GITHUB_OUTPUT`` file the way the runner does (both forms)."""
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            else:
                raise AssertionError(f"output {name!r}: delimiter {delimiter!r} never closed")
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def copy_results(source: Path, target: Path, only: Callable[[str], bool] = bool) -> None:
    """One run of the example as a workflow leaves it: ``target/criterion`` from
    ``cargo bench``, everything else (xtask receipts, logs...) under ``perf/``.

    ``only`` picks among the latter by name.
    """
    (target / "perf").mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir()):
        if item.name == "target":
            shutil.copytree(item, target / "target", dirs_exist_ok=True)
        elif not only(item.name):
            continue
        elif item.is_dir():
            shutil.copytree(item, target / "perf" / item.name)
        else:
            shutil.copy(item, target / "perf" / item.name)


def use_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """Make ``env`` the process environment (the CLI reads ``os.environ``), runner-free."""
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "INPUT_", "RUNNER_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@dataclass
class Runner:
    """The files and environment a runner gives a Docker action step."""

    workspace: Path
    home: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def output_file(self) -> Path:
        return Path(self.env["GITHUB_OUTPUT"])

    @property
    def summary_file(self) -> Path:
        return Path(self.env["GITHUB_STEP_SUMMARY"])

    def outputs(self) -> dict[str, str]:
        return parse_github_output(self.output_file.read_text(encoding="utf-8"))

    def summary(self) -> str:
        return self.summary_file.read_text(encoding="utf-8")

    def with_inputs(self, **inputs: str) -> dict[str, str]:
        """The environment plus ``INPUT_<NAME>`` for each input (``fail_on`` → ``FAIL-ON``)."""
        env = dict(self.env)
        for name, value in inputs.items():
            env[f"INPUT_{name.replace('_', '-').upper()}"] = value
        return env


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runner]:
    """A workspace holding the example pull request's results and baseline.

    ``perf/`` and ``target/criterion`` are this run's results, ``baseline/`` the base
    branch's (together: a passing gate); ``regression/current`` and
    ``regression/baseline`` make a failing one. ``.perf-gate.yml`` is the example's
    policy. The working directory is restored afterwards (the action changes into the
    workspace).
    """
    workspace = tmp_path / "workspace"
    copy_results(EXAMPLE / "current", workspace)
    copy_results(EXAMPLE / "baseline", workspace / "baseline")
    shutil.copytree(REGRESSION, workspace / "regression")
    shutil.copy(EXAMPLE / ".perf-gate.yml", workspace / ".perf-gate.yml")
    commands = tmp_path / "file_commands"
    commands.mkdir()
    (commands / "set_output_1").touch()
    (commands / "step_summary_1").touch()
    monkeypatch.chdir(tmp_path)
    yield Runner(
        workspace=workspace,
        home=tmp_path,
        env={
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(commands / "set_output_1"),
            "GITHUB_STEP_SUMMARY": str(commands / "step_summary_1"),
        },
    )
