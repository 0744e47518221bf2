"""The GitHub Action: the runner's environment in, ``finalize`` called, results out.

``entrypoint.py`` (the container's entry point) only calls :func:`run_step`. Everything
here is a small function of plain values so that the tests drive it without a
runner: :func:`settings_from_environment` reads the ``INPUT_*`` variables the way the
runner passes them (``INPUT_`` + the input name upper-cased, hyphens kept),
:func:`finalize_plan` turns settings into the typed request the command line's
``finalize`` takes (``command_requests.py``; the commands themselves come in as
:class:`Commands`, from ``entrypoint.py``: nothing imports an entry point), and the remaining
functions speak the runner's file and workflow-command protocols (``GITHUB_OUTPUT``,
``GITHUB_STEP_SUMMARY``, ``::error``, ``::group::``).

Over 400 lines because it is the whole contract with ``action.yml`` in one place:
each input's parsing, the plan, the outputs, annotations and workspace ownership are
small functions that are read together when an input changes.
"""

from __future__ import annotations

import contextlib
import glob
import io
import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from perf_gate.command_requests import FinalizeRequest, RunRequest
from perf_gate.core import secrets
from perf_gate.core.config import DEFAULT_GATE_NAME
from perf_gate.core.errors import InputError, PerfGateError, UsageError
from perf_gate.core.workflow_commands import command, escape_data
from perf_gate.inputs.run_record import MANIFEST_NAME

DEFAULT_CONFIG = ".perf-gate.yml"
RECEIPT_NAME = "perf-receipt.json"
SUMMARY_NAME = "perf-summary.md"
REPORT_NAME = "perf-report.html"
WORKSPACE = "/github/workspace"
SUMMARY_LIMIT = 1_000_000
"""Bytes written to ``GITHUB_STEP_SUMMARY``; GitHub refuses a step summary over 1 MiB."""
MAX_ANNOTATIONS = 10
"""GitHub shows at most 10 error and 10 warning annotations of one step."""

UNJUDGED = "perf-gate could not judge this run"

FailOn = Literal["fail", "never"]
Command = Callable[[Any, Mapping[str, str]], int]


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


# -- the runner's protocols --------------------------------------------------------------


def format_outputs(
    values: Mapping[str, str], new_delimiter: Callable[[], str] | None = None
) -> str:
    """``GITHUB_OUTPUT`` text: every value in the multi-line form, with a fresh delimiter."""
    make = new_delimiter or (lambda: f"ghadelimiter_{uuid.uuid4()}")
    chunks = []
    for name, value in values.items():
        delimiter = make()
        if delimiter in value or delimiter in name:
            raise ValueError(f"output delimiter {delimiter!r} occurs in output {name!r}")
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(chunks)


def cap_summary(markdown: str, limit: int = SUMMARY_LIMIT) -> str:
    """``markdown`` cut at a line boundary so that it stays under ``limit`` UTF-8 bytes."""
    data = markdown.encode("utf-8")
    if len(data) <= limit:
        return markdown
    note = (
        "\n\n> **Cut here:** the report is longer than a job summary may be; the full "
        f"report is {SUMMARY_NAME} in the output folder.\n"
    )
    room = limit - len(note.encode("utf-8"))
    head = data[:room].decode("utf-8", errors="ignore")
    head = head[: head.rfind("\n")] if "\n" in head else head
    return head + note


def report_pointer(report_file: Path, settings: Settings) -> str:
    """The job summary's line about ``perf-report.html``."""
    where = display_path(report_file, settings.workspace)
    return (
        f"\n> **Charts:** sample distributions, intervals and history trends are in `{where}` "
        "(one self-contained page: upload it with `actions/upload-artifact` and open it).\n"
    )


def display_path(path: Path, workspace: Path) -> str:
    """``path`` relative to the workspace (valid outside the container too) when inside it."""
    try:
        return path.relative_to(workspace).as_posix()
    except ValueError:
        return str(path)


def outputs_for(receipt: Mapping[str, Any], settings: Settings) -> dict[str, str]:
    gate = receipt.get("gate", {})
    route = receipt.get("route", {})
    return {
        "status": str(gate.get("status", "")),
        "conclusion": str(gate.get("conclusion", "")),
        "summary": str(gate.get("summary", "")),
        "route": str(route.get("next", "")),
        "receipt-path": display_path(settings.output_path / RECEIPT_NAME, settings.workspace),
        "summary-path": display_path(settings.output_path / SUMMARY_NAME, settings.workspace),
        "report-path": display_path(settings.output_path / REPORT_NAME, settings.workspace),
    }


def annotations_for(receipt: Mapping[str, Any], gate_name: str) -> list[str]:
    """``::error``/``::warning`` lines: failing and warning metrics, then findings."""
    errors: list[str] = []
    warnings: list[str] = []
    for metric in receipt.get("metrics", []):
        status = metric.get("status")
        if status not in ("fail", "warn"):
            continue
        title = f"{gate_name}: {metric.get('label') or metric.get('name')} {status}s"
        line = command(
            "error" if status == "fail" else "warning",
            str(metric.get("explanation", "")),
            title=title,
        )
        (errors if status == "fail" else warnings).append(line)
    for finding in receipt.get("findings", []):
        severity = finding.get("severity")
        title = f"{gate_name}: {finding.get('source', '')}"
        line = command(
            "error" if severity == "fail" else "warning",
            str(finding.get("message", "")),
            title=title,
        )
        (errors if severity == "fail" else warnings).append(line)
    return _capped(errors, "error", gate_name) + _capped(warnings, "warning", gate_name)


def _capped(lines: list[str], kind: str, gate_name: str) -> list[str]:
    if len(lines) <= MAX_ANNOTATIONS:
        return lines
    more = len(lines) - (MAX_ANNOTATIONS - 1)
    note = command(kind, f"{more} more; see the job summary", title=f"{gate_name}: {more} more")
    return [*lines[: MAX_ANNOTATIONS - 1], note]


@contextlib.contextmanager
def group(title: str, out: TextIO) -> Iterator[None]:
    """Fold everything printed inside into one ``::group::`` of the job log."""
    out.write(f"::group::{escape_data(title)}\n")
    out.flush()
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        out.write("::endgroup::\n")
        out.flush()


def append_file(path_text: str | None, text: str) -> None:
    """Append to a runner file command (``GITHUB_OUTPUT``...); no-op outside a runner."""
    if path_text:
        with open(path_text, "a", encoding="utf-8") as handle:
            handle.write(text)


def hand_back(paths: Sequence[Path], workspace: Path) -> None:
    """Give files the action wrote back to the workspace's owner.

    Docker actions run as root; on a self-hosted runner root-owned files in the
    workspace make the next ``actions/checkout`` fail to clean it. So everything
    root-owned under ``paths``, and the folders between them and the workspace, get its
    owner (symbolic links themselves, never what they point to).
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    owner = workspace.stat()
    if owner.st_uid == 0:
        return
    for path in paths:
        for item in _with_parents(path, workspace):
            _chown(item, owner.st_uid, owner.st_gid)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                for name in dirs + files:
                    _chown(Path(root) / name, owner.st_uid, owner.st_gid)


def _with_parents(path: Path, workspace: Path) -> list[Path]:
    try:
        relative = path.relative_to(workspace)
    except ValueError:
        return []
    return [workspace.joinpath(*relative.parts[: i + 1]) for i in range(len(relative.parts))]


def _chown(path: Path, uid: int, gid: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.lstat().st_uid == 0:
            os.lchown(path, uid, gid)


# -- the whole step ----------------------------------------------------------------------


def emit(out: TextIO, name: str, message: str, **properties: str) -> None:
    """Print one workflow command (``::error``, ``::warning``...) to the job log."""
    out.write(command(name, message, **properties) + "\n")
    out.flush()


def report_error(
    message: str,
    environ: Mapping[str, str],
    out: TextIO,
    heading: str = UNJUDGED,
) -> None:
    """An error the user can fix: as an annotation and in the job summary."""
    text = message if message.startswith("perf-gate") else f"perf-gate: {message}"
    emit(out, "error", text, title=heading)
    hint = (
        "Fix the step's `with:` inputs or the files they name, then rerun."
        if heading == UNJUDGED
        else "The verdict above stands (see the outputs and the receipt); rerun to retry."
    )
    append_file(environ.get("GITHUB_STEP_SUMMARY"), f"## {heading}\n\n{text}\n\n{hint}\n")


def clear_previous(settings: Settings) -> None:
    """Remove an earlier step's receipt, so that a failed run never reports stale results."""
    for name in (RECEIPT_NAME, SUMMARY_NAME, REPORT_NAME):
        with contextlib.suppress(FileNotFoundError):
            (settings.output_path / name).unlink()


def publish_results(settings: Settings, environ: Mapping[str, str], out: TextIO) -> bool:
    """Outputs, job summary and annotations from the receipt; ``False`` when there is none."""
    receipt_file = settings.output_path / RECEIPT_NAME
    summary_file = settings.output_path / SUMMARY_NAME
    if not receipt_file.is_file():
        return False
    receipt = json.loads(receipt_file.read_text(encoding="utf-8"))
    append_file(environ.get("GITHUB_OUTPUT"), format_outputs(outputs_for(receipt, settings)))
    if summary_file.is_file():
        append_file(
            environ.get("GITHUB_STEP_SUMMARY"),
            cap_summary(summary_file.read_text(encoding="utf-8")),
        )
    report_file = settings.output_path / REPORT_NAME
    if report_file.is_file():
        append_file(environ.get("GITHUB_STEP_SUMMARY"), report_pointer(report_file, settings))
    gate_name = str(receipt.get("gate", {}).get("name") or settings.gate_name)
    for line in annotations_for(receipt, gate_name):
        out.write(line + "\n")
    out.flush()
    return True


def step_exit_code(cli_code: int, settings: Settings, out: TextIO) -> int:
    """Non-zero only when the gate fails and ``fail-on`` says so, or on an error."""
    if cli_code == 1 and settings.fail_on == "never":
        emit(
            out,
            "warning",
            "the gate failed; fail-on is never, so the step passes",
            title="perf-gate",
        )
        return 0
    return cli_code


class _Tee(io.TextIOBase):
    """Writes through to ``target`` and keeps the text, to quote the CLI's error."""

    def __init__(self, target: TextIO) -> None:
        self.target = target
        self.seen = io.StringIO()

    def write(self, text: str) -> int:
        self.seen.write(text)
        return self.target.write(text)

    def flush(self) -> None:
        self.target.flush()

    def error_line(self) -> str | None:
        lines = [line for line in self.seen.getvalue().splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("perf-gate: ")]
        candidates = errors or lines
        return candidates[-1] if candidates else None


@dataclass(frozen=True)
class Commands:
    """The commands the step calls, each returning an exit code (errors already turned
    into one line on stderr): ``cli.guarded_command(cli.run_command)`` and
    ``cli.guarded_command(cli.finalize_command)``, handed in by ``entrypoint.py``; tests
    hand in stand-ins that record the requests."""

    run: Command
    finalize: Command


def call_command(
    command: Command, request: Any, environ: Mapping[str, str], title: str, out: TextIO
) -> tuple[int, str]:
    """Run one command inside a log group; its exit code and its last error line."""
    tee = _Tee(sys.stderr)
    with group(title, out), contextlib.redirect_stderr(tee):
        code = command(request, environ)
    return code, tee.error_line() or f"{title} exited with {code}"


def run_step(environ: Mapping[str, str], out: TextIO, call: Commands) -> int:
    """The whole action: settings, optional benchmark run, finalize, outputs."""
    try:
        settings = settings_from_environment(environ)
        if settings.github_token:
            secrets.mask([settings.github_token], out)
        first = run_request(settings) if settings.run else None
    except PerfGateError as error:
        report_error(str(error), environ, out)
        return error.exit_code
    os.chdir(settings.workspace)  # the runner's working directory; relative paths start here
    try:
        if first is not None:
            code, message = call_command(call.run, first, environ, "perf-gate run", out)
            if code != 0:
                emit(
                    out,
                    "warning",
                    f"{message}; judging the results there are",
                    title="perf-gate run",
                )
        try:
            plan = finalize_plan(settings)
        except PerfGateError as error:
            report_error(str(error), environ, out)
            return error.exit_code
        for warning in plan.warnings:
            emit(out, "warning", warning, title="perf-gate")
        clear_previous(settings)
        code, message = call_command(
            call.finalize, plan.request, environ, "perf-gate finalize", out
        )
        published = publish_results(settings, environ, out)
    finally:
        # Benchmark commands (run: true) may write anywhere in the workspace.
        hand_back(
            [settings.workspace if settings.run else settings.output_path], settings.workspace
        )
    if code not in (0, 1):
        heading = "perf-gate failed after judging" if published else UNJUDGED
        report_error(message, environ, out, heading)
        return code
    if not published:
        report_error(f"perf-gate wrote no {RECEIPT_NAME}", environ, out)
        return 70
    return step_exit_code(code, settings, out)
