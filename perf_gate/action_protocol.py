"""The runner's protocols: ``GITHUB_OUTPUT``, the job summary, annotations, log groups.

Small functions of plain values: the step's outputs in the multi-line form with fresh
delimiters, a job summary cut under GitHub's 1 MiB, ``::error``/``::warning`` lines
capped at GitHub's 10 per kind, ``::group::`` folds, and files handed back to the
workspace's owner (Docker actions run as root).
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from perf_gate.action_inputs import Settings, display_path
from perf_gate.core.workflow_commands import command, escape_data

RECEIPT_NAME = "perf-receipt.json"
SUMMARY_NAME = "perf-summary.md"
REPORT_NAME = "perf-report.html"
SUMMARY_LIMIT = 1_000_000
"""Bytes written to ``GITHUB_STEP_SUMMARY``; GitHub refuses a step summary over 1 MiB."""
MAX_ANNOTATIONS = 10
"""GitHub shows at most 10 error and 10 warning annotations of one step."""


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
