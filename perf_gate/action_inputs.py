"""The Action's inputs: read from ``INPUT_*`` and checked, then turned into requests.

:func:`settings_from_environment` reads the ``INPUT_*`` variables the way the runner
passes them (``INPUT_`` + the input name upper-cased, hyphens kept), one converter per
kind; :func:`run_request` and :func:`finalize_plan` turn the settings into the typed
requests the command line's ``run`` and ``finalize`` take (``command_requests.py``), with
globs expanded here and paths relative to the workspace.
"""

from __future__ import annotations

import glob
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from perf_gate.command_requests import FinalizeRequest, RunRequest
from perf_gate.core.config import DEFAULT_GATE_NAME
from perf_gate.core.errors import InputError, UsageError
from perf_gate.inputs.run_record import MANIFEST_NAME

DEFAULT_CONFIG = ".perf-gate.yml"
WORKSPACE = "/github/workspace"

FailOn = Literal["fail", "never"]


@dataclass(frozen=True)
class Settings:
    """The action's inputs, checked and converted; the token is never in the ``repr``."""

    workspace: Path
    results: tuple[str, ...]
    baseline: tuple[str, ...] = ()
    baseline_artifact: str = ""
    config: str = ""
    run: bool = False
    threshold: str = ""
    fail_on: FailOn = "fail"
    gate_name: str = DEFAULT_GATE_NAME
    github_token: str = field(default="", repr=False)
    publish: bool = True
    pr_number: str = ""
    head_sha: str = ""
    ledger: bool = True
    progress_comment: bool = True
    output_dir: str = "perf-gate-out"

    @property
    def output_path(self) -> Path:
        return self.workspace / self.output_dir


# -- reading inputs, one converter per kind -----------------------------------------------


def get_input(environ: Mapping[str, str], name: str) -> str:
    """The input ``name`` as the runner passes it: ``INPUT_<NAME>``, hyphens kept."""
    return environ.get(f"INPUT_{name.replace(' ', '_').upper()}", "").strip()


def parse_bool(name: str, value: str, default: bool) -> bool:
    """A YAML 1.2 core-schema boolean, as ``core.getBooleanInput`` reads it."""
    if value == "":
        return default
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    raise UsageError(f"input {name} must be true or false, got {value!r}")


def parse_lines(value: str) -> tuple[str, ...]:
    """One entry per line (commas also separate); blank lines and ``#`` comments dropped."""
    entries: list[str] = []
    for line in value.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entries.extend(part.strip() for part in line.split(",") if part.strip())
    return tuple(entries)


def parse_fail_on(value: str) -> FailOn:
    if value in ("", "fail"):
        return "fail"
    if value == "never":
        return "never"
    raise UsageError(f"input fail-on must be 'fail' or 'never', got {value!r}")


def parse_threshold(value: str) -> str:
    text = value.rstrip("%").strip()
    if not text:
        return ""
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if not number > 0:
        raise UsageError(f"input threshold must be a percentage above 0 (like 5), got {value!r}")
    return text


def parse_pr_number(value: str) -> str:
    text = value.lstrip("#")
    if text and not (text.isdigit() and int(text) > 0):
        raise UsageError(f"input pr-number must be a pull request number, got {value!r}")
    return text


def parse_output_dir(value: str) -> str:
    text = value or "perf-gate-out"
    if Path(text).is_absolute() or ".." in Path(text).parts:
        raise UsageError(f"input output-dir must be a folder inside the workspace, got {value!r}")
    return text


def workspace_from(environ: Mapping[str, str]) -> Path:
    """Inside the container GitHub mounts the workspace at /github/workspace."""
    value = environ.get("GITHUB_WORKSPACE", "").strip()
    if value and Path(value).is_dir():
        return Path(value)
    if Path(WORKSPACE).is_dir():
        return Path(WORKSPACE)
    return Path.cwd()


def settings_from_environment(environ: Mapping[str, str]) -> Settings:
    """Read and check every input; a wrong one raises :class:`UsageError` (exit 2)."""

    def get(name: str) -> str:
        return get_input(environ, name)

    return Settings(
        workspace=workspace_from(environ),
        results=parse_lines(get("results")),
        baseline=parse_lines(get("baseline")),
        baseline_artifact=get("baseline-artifact"),
        config=get("config"),
        run=parse_bool("run", get("run"), False),
        threshold=parse_threshold(get("threshold")),
        fail_on=parse_fail_on(get("fail-on")),
        gate_name=get("gate-name") or DEFAULT_GATE_NAME,
        github_token=get("github-token"),
        publish=parse_bool("publish", get("publish"), True),
        pr_number=parse_pr_number(get("pr-number")),
        head_sha=get("head-sha"),
        ledger=parse_bool("ledger", get("ledger"), True),
        progress_comment=parse_bool("progress-comment", get("progress-comment"), True),
        output_dir=parse_output_dir(get("output-dir")),
    )


# -- from settings to the commands -------------------------------------------------------


@dataclass(frozen=True)
class Expansion:
    """What a list of paths and globs matched, and the patterns that matched nothing."""

    paths: tuple[Path, ...]
    unmatched: tuple[str, ...] = ()


def expand_patterns(patterns: Sequence[str], workspace: Path) -> Expansion:
    """Paths and globs (``**`` included) relative to the workspace, in order, no repeats."""
    found: dict[Path, None] = {}
    unmatched = []
    for pattern in patterns:
        full = Path(pattern) if Path(pattern).is_absolute() else workspace / pattern
        if full.exists():  # a real name wins, even one with glob characters ("x[1]")
            matches = [full]
        elif glob.has_magic(pattern):
            matches = sorted(Path(p) for p in glob.glob(str(full), recursive=True))
        else:
            matches = []
        if not matches:
            unmatched.append(pattern)
        found.update(dict.fromkeys(matches))
    return Expansion(tuple(found), tuple(unmatched))


@dataclass(frozen=True)
class Plan:
    """The ``finalize`` request, and warnings to print before it."""

    request: FinalizeRequest
    warnings: tuple[str, ...] = ()


def config_path(settings: Settings) -> Path | None:
    if settings.config:
        path = settings.workspace / settings.config
        if not path.is_file():
            raise InputError(f"input config: no such file {settings.config!r} in the workspace")
        return path
    default = settings.workspace / DEFAULT_CONFIG
    return default if default.is_file() else None


def run_request(settings: Settings) -> RunRequest:
    config = config_path(settings)
    if config is None:
        raise UsageError(f"input run is true but there is no config and no {DEFAULT_CONFIG}")
    return RunRequest(
        config=_relative(config, settings.workspace), output_dir=Path(settings.output_dir)
    )


def finalize_plan(settings: Settings) -> Plan:
    """The ``finalize`` request for these settings (globs expanded here).

    With ``run: true`` the run's manifest (``perf-run.json``) comes first. A results
    pattern that matches nothing is an error: a typo must not turn into "no results". A
    baseline that is not there yet is only a warning: every metric is new.
    Paths are relative to the workspace, the working directory of the call, so that the
    receipt names files as the repository does, not by the container's mount point.
    """
    if not settings.results and not settings.run:
        raise UsageError("input results is empty: name the benchmark result files or folders")
    results = expand_patterns(settings.results, settings.workspace)
    manifest = settings.output_path / MANIFEST_NAME
    if settings.run and not manifest.is_file():
        raise InputError(f"perf-gate run wrote no {MANIFEST_NAME}; see its log above")
    if results.unmatched:
        raise InputError(
            f"input results: nothing matches {', '.join(map(repr, results.unmatched))} "
            f"in the workspace {settings.workspace}"
        )
    baseline = expand_patterns(settings.baseline, settings.workspace)
    warnings = tuple(
        f"input baseline: nothing matches {pattern!r}; metrics without a baseline are new"
        for pattern in baseline.unmatched
    )
    current = ((manifest,) if settings.run else ()) + results.paths
    config = config_path(settings)
    request = FinalizeRequest(
        current=tuple(_relative(path, settings.workspace) for path in current),
        baseline=tuple(_relative(path, settings.workspace) for path in baseline.paths),
        config=_relative(config, settings.workspace) if config is not None else None,
        threshold=float(settings.threshold) if settings.threshold else None,
        output_dir=Path(settings.output_dir),
        publish=settings.publish,
        # the default name is not passed on: the policy file's name (if any) then wins
        gate_name=settings.gate_name if settings.gate_name != DEFAULT_GATE_NAME else None,
        pr_number=int(settings.pr_number) if settings.pr_number else None,
        head_sha=settings.head_sha or None,
        ledger=settings.ledger,
        progress_comment=settings.progress_comment,
        baseline_artifact=settings.baseline_artifact or None,
    )
    return Plan(request, warnings)


def _relative(path: Path, workspace: Path) -> Path:
    return Path(display_path(path, workspace))


def display_path(path: Path, workspace: Path) -> str:
    """``path`` relative to the workspace (valid outside the container too) when inside it."""
    try:
        return path.relative_to(workspace).as_posix()
    except ValueError:
        return str(path)
