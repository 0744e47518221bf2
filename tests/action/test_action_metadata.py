"""action.yml, Dockerfile and requirements.txt: valid, consistent with the code, pinned."""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from perf_gate.action_inputs import settings_from_environment
from tests.action.conftest import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def tool(name: str) -> str:
    """A dev tool installed next to the interpreter (``pip install -e '.[dev]'``)."""
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


def test_action_yml_validates_against_the_published_action_schema() -> None:
    proc = subprocess.run(
        [
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-actions",
            "action.yml",
            "setup/action.yml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_it_is_a_docker_action_built_from_the_dockerfile() -> None:
    assert ACTION["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert set(ACTION["branding"]) == {"icon", "color"}


REQUIRED_INPUTS = {
    "config",
    "results",
    "baseline",
    "baseline-artifact",
    "run",
    "github-token",
    "gate-name",
    "pr-number",
    "head-sha",
    "ledger",
    "progress-comment",
    "fail-on",
    "threshold",
}
OUTPUTS = {
    "status",
    "conclusion",
    "summary",
    "route",
    "receipt-path",
    "summary-path",
    "report-path",
}


def test_inputs_and_outputs_are_the_specified_kebab_case_names_with_descriptions() -> None:
    inputs, outputs = ACTION["inputs"], ACTION["outputs"]
    assert set(inputs) >= REQUIRED_INPUTS
    assert set(outputs) == OUTPUTS
    for name, spec in [*inputs.items(), *outputs.items()]:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name), name
        assert len(spec["description"]) > 20, name


def test_defaults_are_strings_and_the_token_defaults_to_the_job_token() -> None:
    inputs = ACTION["inputs"]
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    assert inputs["gate-name"]["default"] == "review:gate:perf"
    assert inputs["fail-on"]["default"] == "fail"
    for name, spec in inputs.items():
        assert isinstance(spec.get("default", ""), str), name


class Recording(Mapping[str, str]):
    def __init__(self, values: dict[str, str]) -> None:
        self.values, self.read = values, set[str]()

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return self.values.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def test_the_entrypoint_reads_exactly_the_inputs_action_yml_declares(tmp_path: Path) -> None:
    env = Recording({"GITHUB_WORKSPACE": str(tmp_path)})
    settings_from_environment(env)
    read = {key.removeprefix("INPUT_").lower() for key in env.read if key.startswith("INPUT_")}
    assert read == set(ACTION["inputs"])


def test_the_defaults_of_action_yml_are_valid_settings(tmp_path: Path) -> None:
    env = {
        f"INPUT_{name.upper()}": str(spec.get("default", ""))
        for name, spec in ACTION["inputs"].items()
    }
    env["GITHUB_WORKSPACE"] = str(tmp_path)
    settings = settings_from_environment(env)
    assert (settings.fail_on, settings.publish, settings.run) == ("fail", True, False)


def test_hadolint_passes() -> None:
    proc = subprocess.run(
        [tool("hadolint"), "Dockerfile"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_base_image_is_a_pinned_cuda_base_image_that_can_be_overridden() -> None:
    first = instructions()[:2]
    assert first[0][0] == "ARG"
    name, default = first[0][1].split("=", 1)
    assert name == "BASE_IMAGE"
    assert re.fullmatch(r"nvidia/cuda:\d+\.\d+\.\d+-base-ubuntu24\.04", default), default
    assert first[1] == ("FROM", "${BASE_IMAGE}")


def test_the_entrypoint_is_exec_form_with_absolute_paths_and_there_is_no_user_or_workdir() -> None:
    kinds = [kind for kind, _ in instructions()]
    assert "USER" not in kinds
    assert "WORKDIR" not in kinds
    entrypoint = json.loads(dict(instructions())["ENTRYPOINT"])
    assert entrypoint == ["/opt/perf-gate/venv/bin/python", "/opt/perf-gate/entrypoint.py"]


def test_the_image_installs_the_package_through_the_one_install_script_without_caches() -> None:
    env = " ".join(body for kind, body in instructions() if kind == "ENV")
    assert "PIP_NO_CACHE_DIR=1" in env
    runs = [body for kind, body in instructions() if kind == "RUN"]
    assert any("rm -rf /var/lib/apt/lists/*" in body for body in runs)
    assert not any("pip install" in body for body in runs)
    assert any("scripts/install-cli.sh /opt/perf-gate/venv" in body for body in runs)


def test_the_build_context_holds_only_what_the_image_needs() -> None:
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ignore[ignore.index("*") :] == [
        "*",
        "!entrypoint.py",
        "!pyproject.toml",
        "!README.md",
        "!requirements.txt",
        "!requirements-build.txt",
        "!scripts/install-cli.sh",
        "!perf_gate/",
        "**/__pycache__",
        "**/*.pyc",
    ]


PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pinned(lock: str = "requirements.txt") -> dict[str, str]:
    """``name -> version`` of a pip-compile lock (one ``name==version \\`` line per package)."""
    pins = {}
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


IMAGE_PYTHON = {"extra": "", "python_version": "3.12", "python_full_version": "3.12.3"}
"""Ubuntu 24.04's Python, the default base image's."""


def closure(names: list[str]) -> set[str]:
    """The runtime dependencies, transitively, as installed here, for the image's Python."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for text in importlib.metadata.requires(name) or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate(IMAGE_PYTHON):
                todo.append(req.name)
    return seen


def test_requirements_pin_every_runtime_dependency_at_the_tested_version() -> None:
    declared = [
        Requirement(r).name
        for r in importlib.metadata.requires("perf-gate") or []
        if "extra ==" not in r
    ]
    pins = pinned()
    assert set(pins) == closure(declared)
    for name, version in pins.items():
        assert importlib.metadata.version(name) == version, name
