"""Everything one ``finalize`` call needs besides the results: baselines and :class:`Context`.

The A/B baseline measured in this job, else the first configured baseline source that
yields one (expired and other-hardware runs dropped), the run notes, the hardware and
GPU problems, GPU benchmarks skipped for want of a GPU, and the artifacts to list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from perf_gate.core.config import Config
from perf_gate.core.errors import InputError
from perf_gate.core.model import RunSet
from perf_gate.core.model_json import (
    run_formats,
)
from perf_gate.inputs.baseline.sources import (
    BaselineRequest,
    baseline_info,
    by_hardware,
    describe,
    expire,
    find,
)
from perf_gate.inputs.baseline.store import record_gpu
from perf_gate.inputs.gpu_state import gpu_conditions
from perf_gate.inputs.hardware import (
    Hardware,
    mismatch,
)
from perf_gate.inputs.parsers.bitnet_receipt import machines_in
from perf_gate.inputs.receipt_files import find_receipts
from perf_gate.inputs.run_record import (
    RunRecord,
    current_hardware,
    gpu_problem,
    run_notes,
)
from perf_gate.judge.history_runs import summarise_history
from perf_gate.judge.precision import check_precision
from perf_gate.judge.skipped import skipped_rows
from perf_gate.report.finalize import RECEIPT_NAME, SUMMARY_NAME, TIMING_KINDS, Context


@dataclass(frozen=True)
class GateInputs:
    current: RunSet
    baselines: list[RunSet]
    context: Context


def _ab_baseline(records: Sequence[RunRecord]) -> tuple[RunSet, str] | None:
    with_base = [r for r in records if r.baseline is not None]
    if not with_base:
        return None
    metrics = tuple(m for r in with_base if r.baseline for m in r.baseline.metrics)
    formats = run_formats(metrics)
    info = with_base[0].ab or {}
    rounds = info.get("rounds", "?")
    base = str(info.get("base_commit", ""))[:12]
    note = (
        f"A/B mode: the baseline is the base commit {base} built and measured in this job, "
        f"interleaved with the head ({rounds} rounds of A B), so runner drift hits both alike."
    )
    confirm = info.get("confirm")
    if isinstance(confirm, dict):
        note += " " + confirmation_note(confirm)
    return RunSet(metrics=metrics, formats=formats), note


def confirmation_note(confirm: Mapping[str, Any]) -> str:
    """What the confirmation re-runs did, in one sentence or two."""
    suspects = [str(s) for s in confirm.get("suspects", [])]
    if not suspects:
        return "Confirmation: no suspects after the first pass, nothing measured again."
    rounds = int(confirm.get("rounds", 0))
    names = ", ".join(suspects)
    budget = float(confirm.get("budget_s", 0.0))
    spent = f"{float(confirm.get('seconds', 0.0)):.1f} s of the {budget:g} s budget"
    whole = [n for n, how in dict(confirm.get("commands", {})).items() if how.startswith("unf")]
    text = (
        f"Confirmation: {len(suspects)} suspect(s) beyond the tolerance but not clearly "
        f"({names}) measured again in {rounds} more round(s) of B A ({spent}), "
        "pooled with the first rounds."
    )
    if whole:
        text += f" No filter for {', '.join(whole)}: the whole command ran again."
    if confirm.get("stopped"):
        text += f" Stopped by the {confirm['stopped']}."
    return text


def refuse_self_comparison(current: RunSet, baseline: RunSet) -> None:
    """Raise :class:`InputError` when every current input is byte-identical to a baseline
    input: the run would be judged against itself and pass at +0.0 % whatever it measured.

    criterion copies ``new/`` to ``base/`` after every run, so a tree's ``base/`` is the
    run that wrote it unless the base branch's run was saved under its own name. Only
    runs with timing samples are refused: measured times never repeat bit for bit,
    while deterministic outputs (instruction counts, accuracy) legitimately do.
    """
    ours = {f.sha256 for f in current.files}
    if not ours or not ours <= {f.sha256 for f in baseline.files}:
        return
    if not any(m.kind in TIMING_KINDS and len(m.samples) >= 2 for m in current.metrics):
        return  # deterministic outputs (instruction counts, accuracy) may well repeat
    raise InputError(
        "every current input is byte-identical to a baseline input, so the run would be "
        "judged against itself (criterion copies new/ to base/ after every run): save the "
        "base branch's run with `cargo bench -- --save-baseline NAME` and pass "
        "--criterion-baseline NAME, or give a baseline from another run",
        path=current.files[0].path,
    )


def recorded_machines(
    hardware: Sequence[Hardware], records: Sequence[RunRecord], hardware_file: Path | None
) -> tuple[tuple[Hardware, ...], str]:
    """The benchmark machines and who recorded them; ``((), "")`` when nobody did (the
    machine ``finalize`` runs on, detected for the GPU checks, is not the benchmark
    machine and is not presented as one)."""
    if hardware_file is not None:
        return tuple(hardware), f"the hardware file {hardware_file.name}"
    if any(r.hardware is not None for r in records):
        return tuple(hardware), "perf-gate run (perf-run.json)"
    return (), ""


def gate_inputs(
    config: Config,
    current: RunSet,
    records: Sequence[RunRecord],
    request: BaselineRequest,
    output_dir: Path,
    artifacts_url: str | None = None,
) -> GateInputs:
    """The baselines and the :class:`Context` of one ``finalize`` call; ``artifacts_url``
    is where the workflow run's artifacts are (the entry point knows it)."""
    hardware = current_hardware(records, request.hardware_file, config)
    machines, hardware_source = recorded_machines(hardware, records, request.hardware_file)
    notes = run_notes(records)
    extra: dict[str, Any] = {}
    ab = _ab_baseline(records)
    mismatch_text = None
    baseline_gpu: tuple[Any, ...] = ()
    if ab is not None:
        baselines, note = [ab[0]], ab[1]
        notes.append(note)
        extra["baseline"] = {"source": "ab", **dict(records[0].ab or {})}
    else:
        summarise = request.summarise or partial(summarise_history, config=config)
        found = find(config, replace(request, summarise=summarise))
        found = expire(found, config.baseline.max_age_days, request.now)
        found = by_hardware(found, hardware)
        notes.extend(found.notes)
        baselines = [r.run for r in found.runs]
        if found.runs:
            newest = found.runs[-1]
            baseline_gpu = newest.gpu
            devices: set[str] = {m.device or "cpu" for m in current.metrics}
            if config.hardware.compare:
                mismatch_text = mismatch(newest.hardware, hardware, devices)
            if newest.commit or newest.created_at or newest.hardware:
                notes.insert(0, describe(newest, found.source, len(found.runs)))
                extra["baseline"] = baseline_info(newest, found.source, len(found.runs))
    if mismatch_text:
        notes.append(f"Hardware differs: {mismatch_text}; timing regressions only warn.")
    gpu_state = gpu_conditions(baseline_gpu, record_gpu(records))
    if gpu_state:
        notes.append(f"GPU state: {gpu_state}; GPU timing regressions only warn.")
        extra["gpu_state"] = gpu_state
    baselines, skipped = skipped_rows(records, baselines)
    if baselines:
        refuse_self_comparison(current, baselines[-1])
    precision = check_precision(current, baselines, hardware)
    current, baselines = precision.current, precision.baselines
    skipped += precision.skipped
    if hardware:
        extra["hardware"] = {"current": [h.to_dict() for h in hardware]}
    artifacts: list[dict[str, Any]] = []
    if records:
        extra["context"] = {
            "commands": [c.to_dict() for r in records for c in r.commands],
            "fallback_used": any(r.fallback_used for r in records),
            "runs": [r.path for r in records],
        }
        seen: set[str] = set()
        for record in records:
            for item in record.artifacts:
                if item.get("path") not in seen:
                    seen.add(str(item.get("path")))
                    artifacts.append(dict(item))
        artifacts += [
            {"path": str(output_dir / RECEIPT_NAME), "kind": "receipt"},
            {"path": str(output_dir / SUMMARY_NAME), "kind": "summary"},
        ]
    context = Context(
        gpu_problem=gpu_problem(config, hardware, records),
        notes=tuple(dict.fromkeys(notes)),
        artifacts=artifacts,
        extra=extra,
        skipped=skipped,
        hardware_mismatch=mismatch_text,
        gpu_conditions=gpu_state,
        receipts=find_receipts(
            request.current_paths, [(a, r.root) for r in records for a in r.artifacts]
        ),
        artifacts_url=artifacts_url,
        machines=machines,
        hardware_source=hardware_source,
        input_machines=tuple(machines_in(current.files)),
        fallback_used=any(r.fallback_used for r in records),
    )
    return GateInputs(current, baselines, context)
