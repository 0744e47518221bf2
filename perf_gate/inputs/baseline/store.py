"""The baseline file (``perf-baseline.schema.json``): its format, read and written.

A baseline file written by ``perf-gate baseline update`` (marked
``"perf_gate_baseline": 1``) carries the commit, date and hardware of its run and
the previous runs as history (the noise model learns each benchmark's drift from
them). The newest run keeps its samples; a history run keeps, per metric, only their
versioned summary (:mod:`perf_gate.core.sample_summary`), which is all judging reads of
it. A store whose history has samples (written before) reads as before.

A ``perf-run.json`` written by ``perf-gate run``, or a folder holding one, is a baseline
too: "compare this run with the last one".
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from perf_gate import __version__
from perf_gate.core.errors import InputError, UsageError
from perf_gate.core.json_input import loads
from perf_gate.core.metric_checks import check_values
from perf_gate.core.model import InputFile, Metric, RunSet
from perf_gate.core.model_json import (
    metric_from_dict,
    metric_to_dict,
    run_formats,
    utc_now,
)
from perf_gate.core.sample_summary import summary_from_json
from perf_gate.inputs.gpu_state import GpuEvidence, evidence_from_dict
from perf_gate.inputs.hardware import (
    Hardware,
    hardware_from_dict,
)
from perf_gate.inputs.parsers import scan_directory
from perf_gate.inputs.parsers.base import read_sniff
from perf_gate.inputs.run_record import (
    MANIFEST_NAME,
    RunRecord,
    is_manifest,
    read_manifest,
)
from perf_gate.inputs.runs import load_run
from perf_gate.schemas import check_schema

STORE_MARK = "perf_gate_baseline"


def _spellings(char: str) -> str:
    """A pattern for ``char`` in JSON text: itself, or its ``\\u`` escape in any case."""
    escape = "".join(f"[{h}{h.upper()}]" if h.isalpha() else h for h in f"{ord(char):04x}")
    return f"(?:{re.escape(char)}|\\\\u{escape})"


_ESCAPED_MARK = re.compile("".join(map(_spellings, STORE_MARK)).encode())


@dataclass(frozen=True)
class StoredRun:
    """One baseline run with what is known about it."""

    run: RunSet
    commit: str = ""
    branch: str = ""
    created_at: str = ""
    hardware: tuple[Hardware, ...] = ()
    source: str = ""
    gpu: tuple[GpuEvidence, ...] = ()  # the GPU as its GPU commands saw it


def record_gpu(records: Sequence[RunRecord]) -> tuple[GpuEvidence, ...]:
    """The GPU evidence of every GPU command of these runs."""
    return tuple(c.gpu for r in records for c in r.commands if c.gpu is not None)


def _entry(run: StoredRun) -> dict[str, Any]:
    return {
        "created_at": run.created_at,
        "commit": run.commit,
        "branch": run.branch,
        "hardware": [h.to_dict() for h in run.hardware],
        "formats": list(run.run.formats),
        "metrics": [metric_to_dict(m) for m in run.run.metrics],
        "gpu": [e.to_dict() for e in run.gpu],
    }


Summarise = Callable[[RunSet], RunSet]
"""A run with its samples replaced by their summaries
(:func:`perf_gate.judge.history_runs.summarise_history`, handed in by the entry point)."""


def store_document(
    newest: StoredRun, history: Sequence[StoredRun], keep: int, summarise: Summarise
) -> dict[str, Any]:
    """The baseline file: ``newest`` plus up to ``keep - 1`` earlier runs (oldest first),
    those with their samples summarised (the newest keeps them: reports plot them)."""
    older = list(history)[-(keep - 1) :] if keep > 1 else []
    return {
        STORE_MARK: 1,
        "tool": f"perf-gate {__version__}",
        **_entry(newest),
        "history": [_entry(replace(r, run=summarise(r.run))) for r in older],
    }


def _metric(data: Mapping[str, Any], path: str, run: str, index: int) -> Metric:
    summary = data.get("summary")
    if summary is None:
        return metric_from_dict(data)
    try:
        return metric_from_dict(data, summary_from_json(summary))
    except ValueError as exc:
        where = f"{run}.metrics[{index}].summary"
        raise InputError(str(exc), path=path, where=where) from None


def store_text(doc: Mapping[str, Any]) -> str:
    """The baseline file's text: JSON with one metric a line (diffs show which metrics
    changed; a third smaller and many times faster to write than ``indent=2``, which
    put every sample on its own line)."""
    return _object_text(doc, "") + "\n"


def _object_text(entry: Mapping[str, Any], indent: str) -> str:
    inner = indent + "  "
    fields = []
    for key, value in entry.items():
        if key == "metrics" and value:
            lines = ",\n".join(f"{inner}  {json.dumps(m)}" for m in value)
            text = f"[\n{lines}\n{inner}]"
        elif key == "history" and value:
            lines = ",\n".join(f"{inner}  {_object_text(h, inner + '  ')}" for h in value)
            text = f"[\n{lines}\n{inner}]"
        else:
            text = json.dumps(value)
        fields.append(f"{inner}{json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(fields) + f"\n{indent}}}"


def _stored(data: Mapping[str, Any], path: str, run: str = "$", label: str = "") -> StoredRun:
    """The run at JSON path ``run`` of the store at ``path`` (``label``: its source)."""
    metrics = tuple(_metric(m, path, run, i) for i, m in enumerate(data.get("metrics", [])))
    formats = tuple(data.get("formats", ())) or run_formats(metrics)
    return StoredRun(
        run=RunSet(metrics=metrics, formats=formats),
        commit=data.get("commit", ""),
        branch=data.get("branch", ""),
        created_at=data.get("created_at", ""),
        hardware=tuple(hardware_from_dict(h) for h in data.get("hardware", [])),
        source=label or path,
        gpu=tuple(evidence_from_dict(e) for e in data.get("gpu", []) if isinstance(e, dict)),
    )


def read_store(doc: Mapping[str, Any], source: str) -> list[StoredRun]:
    """Every run of a baseline file, oldest first."""
    check_schema(doc, "perf-baseline.schema.json", source)
    runs = [
        _stored(h, source, f"$.history[{i}]", f"{source} (history)")
        for i, h in enumerate(doc.get("history", []))
    ]
    runs.append(_stored(doc, source))
    for stored in runs:
        check_values(stored.run.metrics)
    return runs


def json_head(path: Path) -> Any:
    """The JSON document of a file that names itself a baseline store, else ``None``.

    A store that is not strict JSON (``NaN`` samples, duplicate keys, too deep) raises
    :class:`InputError` naming the file; it is never read as something else.
    """
    try:
        data = read_sniff(path).data
        # A store names STORE_MARK as a key, spelt out or (in principle) with \u escapes: a
        # file that spells it neither way cannot be one, and is not parsed here (a results
        # file with escapes in it would be parsed twice).
        spelt_out = STORE_MARK.encode() in data
        if not spelt_out and not (b"\\" in data and b"\\u" in data and _ESCAPED_MARK.search(data)):
            return None
        data.decode("utf-8")  # a store is UTF-8; read as bytes (no 65 MB str kept beside them)
    except (OSError, UnicodeDecodeError):
        return None
    # loads() drops a BOM from bytes; a store with one is refused as json refuses it
    text: str | bytes = data.decode("utf-8") if data.startswith(codecs.BOM_UTF8) else data
    if spelt_out:
        return loads(text, str(path))
    try:  # only a backslash: maybe an escaped mark, maybe any other file
        doc = loads(text, str(path))
    except InputError:
        return None
    return doc if is_store(doc) else None


def is_store(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get(STORE_MARK) == 1


def from_manifest(path: Path, source: str) -> StoredRun:
    """A ``perf-run.json`` as a baseline run: its metrics, commit, date and hardware."""
    record = read_manifest(path)
    created = json_head(path) or {}
    files = tuple(replace(f, role="baseline") for f in record.run.files)
    return StoredRun(
        run=replace(record.run, files=files, findings=()),
        commit=record.commit,
        created_at=str(created.get("created_at", "")),
        hardware=(record.hardware,) if record.hardware is not None else (),
        source=source,
        gpu=record_gpu([record]),
    )


def load_file(path: Path, fmt: str | None, label: str | None = None) -> list[StoredRun]:
    """A baseline file or results path: a store file gives its history too; a
    ``perf-run.json`` (or a folder holding one) is read as the run it records."""
    source = label or str(path)
    if fmt is None and path.is_dir() and is_manifest(path / MANIFEST_NAME):
        return [from_manifest(path / MANIFEST_NAME, source)]
    if fmt is None and is_manifest(path):
        return [from_manifest(path, source)]
    if path.is_file() and path.suffix == ".json":
        doc = json_head(path)
        if is_store(doc):
            runs = read_store(doc, source)
            file = InputFile(str(path), "perf-baseline", _sha256(path.read_bytes()), "baseline")
            newest = runs[-1]
            runs[-1] = replace(newest, run=replace(newest.run, files=(file,)))
            return runs
    scan = scan_directory(path, fmt) if path.is_dir() else None  # walked once, used twice
    earlier = scan.earlier if scan is not None else ()
    history = [
        StoredRun(run=load_run(list(files), fmt, role="baseline"), source=f"{source} ({back} back)")
        for back, files in zip(range(len(earlier), 0, -1), earlier, strict=True)
    ]
    latest = load_run([path], fmt, role="baseline", scan=scan)
    return [*history, StoredRun(run=latest, source=source)]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def previous_store(path: Path | None) -> list[StoredRun]:
    """The baseline file now at ``path``; none is a fresh start."""
    if path is None or not path.exists():
        return []
    return load_file(path, None)


def update(
    current: RunSet,
    records: Sequence[RunRecord],
    *,
    previous: list[StoredRun],
    keep: int,
    commit: str,
    branch: str,
    hardware: Sequence[Hardware],
    summarise: Summarise,
    created_at: str | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """The next baseline document: ``current`` on top, ``previous`` runs as history."""
    blocking = [f for f in current.findings if f.severity == "fail"]
    if blocking and not force:
        raise UsageError(
            "refusing to make a baseline of a run the gate would fail: "
            + "; ".join(f"{f.source}: {f.message}" for f in blocking[:3])
            + " (use --force to store it anyway)"
        )
    newest = StoredRun(
        run=current,
        commit=commit or next((r.commit for r in records if r.commit), ""),
        branch=branch,
        created_at=created_at or utc_now(),
        hardware=tuple(hardware),
        gpu=record_gpu(records),
    )
    return store_document(newest, previous, keep, summarise)
