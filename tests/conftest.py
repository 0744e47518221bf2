"""Shared test helpers: the installed ``perf-gate`` command and fixture paths."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from tests.github.openapi import DescriptionUnavailable, OpenAPIValidator, default_validator

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def script_module(name: str) -> ModuleType:
    """``scripts/<name>.py`` loaded as a module (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def perf_gate_command() -> list[str]:
    script = Path(sys.executable).parent / "perf-gate"
    return [str(script)] if script.exists() else [sys.executable, "-m", "perf_gate"]


@pytest.fixture(scope="session")
def validator() -> OpenAPIValidator:
    """GitHub's published REST description, for every test GitHub server (fails, never skips,
    when it cannot be had: the servers must not accept what GitHub would refuse)."""
    try:
        return default_validator()
    except DescriptionUnavailable as exc:  # pragma: no cover - depends on the machine
        pytest.fail(f"GitHub's OpenAPI description is unavailable: {exc}")


@pytest.fixture
def cli(tmp_path: Path):
    """Run the installed ``perf-gate`` in a subprocess, in ``tmp_path``, without GitHub env."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Result:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
        environ.update(env or {})
        proc = subprocess.run(
            [*perf_gate_command(), *args],
            capture_output=True,
            text=True,
            env=environ,
            cwd=cwd or tmp_path,
            timeout=120,
            check=False,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(autouse=True)
def _fresh_secret_registry() -> None:
    """Each test starts with no registered secrets: a token masked by an earlier test in the
    same process would otherwise not be masked (printed) again, making tests order-dependent."""
    from perf_gate.core import secrets

    secrets.forget_all()
