"""The GitHub Action's step: the runner's environment in, ``finalize`` called, results out.

``entrypoint.py`` (the container's entry point) only calls :func:`run_step`, with the
CLI's commands (:class:`Commands`: nothing imports an entry point, so the two meet
there). The step reads the inputs (``action_inputs.py``), runs the benchmarks when
``run: true``, calls ``finalize`` with its typed request, and answers in the runner's
protocols (``action_protocol.py``: outputs, job summary, annotations, log groups).
Every part is a small function of plain values, so the tests drive it without a runner.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from perf_gate.action_inputs import Settings, finalize_plan, run_request, settings_from_environment
from perf_gate.action_protocol import (
    RECEIPT_NAME,
    REPORT_NAME,
    SUMMARY_NAME,
    annotations_for,
    append_file,
    cap_summary,
    format_outputs,
    group,
    hand_back,
    outputs_for,
    report_pointer,
)
from perf_gate.core import secrets
from perf_gate.core.errors import PerfGateError
from perf_gate.core.workflow_commands import command

UNJUDGED = "perf-gate could not judge this run"

Command = Callable[[Any, Mapping[str, str]], int]


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
