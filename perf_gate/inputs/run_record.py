"""What ``perf-gate finalize`` learns from a ``perf-run.json`` read back (:class:`RunRecord`).

A GPU that failed or was missing, notes about failed commands, and the machines the
current results came from. Writing and reading the file is :mod:`run_manifest`'s job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perf_gate.core.config import Config
from perf_gate.core.errors import InputError
from perf_gate.core.json_input import loads
from perf_gate.core.metric_checks import check_values
from perf_gate.core.model import InputFile, RunSet
from perf_gate.core.model_json import finding_from_dict, metric_from_dict, run_formats
from perf_gate.inputs.artifact import sha256_file
from perf_gate.inputs.gpu_errors import first_trouble
from perf_gate.inputs.hardware import Hardware, Probes, detect, hardware_from_dict, nvidia_smi
from perf_gate.inputs.parsers.base import read_sniff
from perf_gate.schemas import check_schema

if TYPE_CHECKING:  # running commands is `perf-gate run`'s; a manifest's are read back lazily
    from perf_gate.inputs.process import CommandResult

MANIFEST_NAME = "perf-run.json"
MANIFEST_MARK = "perf_gate_run"


@dataclass(frozen=True)
class RunRecord:
    """A ``perf-run.json`` read back."""

    path: str
    run: RunSet
    hardware: Hardware | None
    commands: tuple[CommandResult, ...]
    artifacts: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]
    fallback_used: bool
    commit: str
    baseline: RunSet | None = None
    ab: Mapping[str, Any] | None = None
    workspace: str = ""  # where the run ran; its artifacts' relative paths start there

    @property
    def root(self) -> Path:
        """The run's workspace when it is on this machine, else the current folder."""
        return Path(self.workspace) if self.workspace and Path(self.workspace).is_dir() else Path()


# -- reading a perf-run.json back ----------------------------------------------------


def is_manifest(path: Path) -> bool:
    if not path.is_file() or path.suffix != ".json":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return f'"{MANIFEST_MARK}"'.encode() in head


def read_manifest(path: Path) -> RunRecord:
    try:
        text = read_sniff(path).data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read run manifest: {exc}", path=str(path)) from None
    doc = loads(text, str(path))
    check_schema(doc, "perf-run.schema.json", str(path))
    from perf_gate.inputs.process import command_result_from_dict

    metrics = tuple(metric_from_dict(m) for m in doc["metrics"])
    check_values(metrics)
    files = tuple(
        InputFile(path=f["path"], format=f["format"], sha256=f["sha256"])
        for f in doc.get("inputs", [])
    )
    run = RunSet(
        metrics=metrics,
        findings=tuple(finding_from_dict(f) for f in doc.get("findings", [])),
        files=(*files, InputFile(str(path), "perf-run", sha256_file(path) or "")),
        formats=tuple(doc.get("formats", ())),
    )
    baseline = None
    if "baseline_metrics" in doc:
        base = tuple(metric_from_dict(m) for m in doc["baseline_metrics"])
        baseline = RunSet(metrics=base, formats=run_formats(base))
    return RunRecord(
        path=str(path),
        run=run,
        hardware=hardware_from_dict(doc["hardware"]) if doc.get("hardware") else None,
        commands=tuple(command_result_from_dict(c) for c in doc.get("commands", [])),
        artifacts=tuple(doc.get("artifacts", ())),
        notes=tuple(doc.get("notes", ())),
        fallback_used=bool(doc.get("fallback_used", False)),
        commit=doc.get("commit", ""),
        baseline=baseline,
        ab=doc.get("ab"),
        workspace=str(doc.get("workspace") or ""),
    )


# -- what finalize learns from it ----------------------------------------------------


def gpu_problem(
    config: Config, hardware: Sequence[Hardware], records: Sequence[RunRecord]
) -> str | None:
    """A hardware problem to route to the troubleshooter, or ``None``.

    A GPU that the config expects but no machine had; a GPU command that failed with a
    CUDA/driver error (:mod:`perf_gate.inputs.gpu_errors`, anywhere in its output); or,
    with a GPU expected, a GPU command that exited 0 but produced no GPU metric.
    """
    for record in records:
        for cmd in record.commands:
            if cmd.device == "gpu" and cmd.status in ("failed", "timeout"):
                trouble = cmd.gpu_error or first_trouble(cmd.tail)
                if trouble:
                    return f"{cmd.name} failed on the GPU: {trouble}"
    if not config.gpu_expected:
        return None
    for record in records:
        for cmd in record.commands:
            if cmd.device == "gpu" and cmd.status == "ok" and cmd.gpu_metrics == 0:
                said = f" (its output said: {cmd.gpu_error})" if cmd.gpu_error else ""
                return (
                    f"GPU expected, but {cmd.name} exited 0 without producing any GPU "
                    f"metric{said}: the GPU work was skipped or ran elsewhere"
                )
    if not hardware:
        return None
    if any(h.gpu_usable for h in hardware):
        return None
    reasons = sorted({h.gpu_problem or "no NVIDIA GPU found" for h in hardware})
    return "GPU expected but unusable: " + "; ".join(reasons)


def run_notes(records: Sequence[RunRecord]) -> list[str]:
    notes: list[str] = []
    for record in records:
        notes.extend(record.notes)
        for cmd in record.commands:
            if cmd.status in ("failed", "timeout", "error"):
                notes.append(
                    f"Benchmark command '{cmd.name}' {cmd.reason}; its last lines are in "
                    f"{cmd.log or 'the job log'} and the receipt."
                )
            elif cmd.status == "skipped":
                notes.append(
                    f"Benchmark command '{cmd.name}' was skipped ({cmd.reason}): "
                    "no usable GPU on this runner; the CPU results are judged alone."
                )
    return notes


def current_hardware(
    records: Sequence[RunRecord], hardware_file: Path | None, config: Config
) -> list[Hardware]:
    """The machines the current results came from.

    From the run manifests; else from ``--hardware FILE``; else, when the config
    expects a GPU, this machine (detected now); else unknown.
    """
    if hardware_file is not None:
        try:
            data = json.loads(hardware_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read hardware file: {exc}", path=str(hardware_file)) from None
        items = data if isinstance(data, list) else [data]
        return [hardware_from_dict(item.get("hardware", item)) for item in items]
    found = [r.hardware for r in records if r.hardware is not None]
    if found:
        return found
    return [detect(Probes(smi=nvidia_smi(config)))] if config.gpu_expected else []
