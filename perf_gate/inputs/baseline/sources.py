"""Where the baseline comes from: workspace files, an artifact of an earlier run, a git ref.

Sources, first that yields a baseline wins: (a) files in the workspace
(``--baseline PATH`` or ``baseline.path``); (b) the newest artifact of a name from a
successful run on the base branch (``--baseline-artifact NAME``: REST
``GET /repos/{o}/{r}/actions/artifacts?name=``, ``workflow_run.head_branch`` = the
base branch, the run's conclusion ``success``, the zip fetched through the redirect
GitHub answers with; fetched by :mod:`perf_gate.github.artifacts`, handed in by the
entry point as an :class:`ArtifactSource`); (c) a git ref
(``--baseline-ref origin/main:perf/baseline.json``).

Comparisons are keyed by hardware: when the history holds runs from the
current machine, only those are used. A missing or expired baseline is never an
error: the metrics are ``new`` and the report says why.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from perf_gate.core import limits
from perf_gate.core.config import BaselineSettings, Config
from perf_gate.core.errors import InputError, PerfGateError, UsageError
from perf_gate.core.limits import TooLarge
from perf_gate.inputs.baseline.store import (
    StoredRun,
    Summarise,
    from_manifest,
    is_store,
    json_head,
    load_file,
)
from perf_gate.inputs.hardware import (
    Hardware,
    mismatch,
)
from perf_gate.inputs.run_record import MANIFEST_NAME, is_manifest
from perf_gate.inputs.runs import load_run

if TYPE_CHECKING:  # imported to read an artifact: a run from local files never does
    import zipfile

MAX_ZIP_BYTES = limits.LIMITS.artifact_bytes  # the download's cap (the default)


@dataclass(frozen=True)
class Found:
    """What the search for a baseline gave: runs oldest first, and what to tell the user."""

    runs: list[StoredRun] = field(default_factory=list)
    source: str = ""
    notes: tuple[str, ...] = ()


class ArtifactSource(Protocol):
    """Finds the newest artifact ``name`` of successful runs on ``branch`` (and older ones,
    up to ``history`` runs). Returns (runs oldest first, what was found)."""

    def __call__(
        self, name: str, branch: str | None, fmt: str | None, *, history: int
    ) -> tuple[list[StoredRun], str]: ...


MAX_NAME_CHARS = 255  # one path component, as most file systems allow
MAX_ZIP_ENTRIES = 10_000
_CHUNK = 1024 * 1024


def _members(archive: zipfile.ZipFile, label: str) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """The files of an artifact that may be unpacked; anything odd refuses the whole zip."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise InputError(f"more than {MAX_ZIP_ENTRIES:,} entries", path=label)
    out = []
    for info in infos:
        name = PurePosixPath(info.filename)
        parts = [p for p in name.parts if p not in ("", ".")]
        if info.is_dir() or not parts or name.is_absolute() or ".." in name.parts:
            continue
        if info.flag_bits & 0x1:
            raise InputError(f"encrypted entry {info.filename[:100]!r}", path=label)
        if any(len(p.encode()) > MAX_NAME_CHARS for p in parts):
            raise InputError(f"entry name longer than {MAX_NAME_CHARS} bytes", path=label)
        out.append((info, PurePosixPath(*parts)))
    files = {n for _, n in out}
    folders = {parent for n in files for parent in n.parents}
    clash = sorted(files & folders)
    if clash or len(files) < len(out):
        what = str(clash[0]) if clash else "a name given twice"
        raise InputError(f"entries clash: {what[:100]}", path=label)
    return out


def _unpack(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: list[int]
) -> None:
    """One member to ``target``, counting real bytes (not the header's claim) against the
    artifact's budget and the member's packed size times the ratio limit."""
    cap = max(info.compress_size, 1) * limits.current().ratio
    written = 0
    with archive.open(info) as source, target.open("wb") as sink:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise TooLarge(f"unpacks to more than {limits.current().artifact_bytes:,} bytes")
            if written > cap:
                ratio = limits.current().ratio
                raise TooLarge(f"{info.filename[:100]!r} unpacks to over {ratio}x its size")
            sink.write(chunk)


def runs_from_zip(data: bytes, fmt: str | None, label: str) -> list[StoredRun]:
    """Read a baseline out of an artifact zip: a store file, else any results in it.

    A zip that is corrupt, encrypted, a bomb or otherwise odd raises :class:`InputError`
    (the caller's warning: the metrics are then "new"), never anything else.
    """
    import zipfile
    import zlib

    try:
        return _runs_from_zip(data, fmt, label)
    except PerfGateError:
        raise
    except TooLarge as exc:
        raise InputError(f"artifact {exc}", path=label) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        raise InputError(f"corrupt zip: {exc}", path=label) from None
    except (RuntimeError, NotImplementedError, OSError, ValueError) as exc:  # RecursionError too
        raise InputError(f"cannot unpack: {type(exc).__name__}: {exc}"[:300], path=label) from None


def _runs_from_zip(data: bytes, fmt: str | None, label: str) -> list[StoredRun]:
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError("not a zip file", path=label) from None
    with archive, tempfile.TemporaryDirectory(prefix="perf-gate-artifact-") as tmp:
        root = Path(tmp)
        budget = [limits.current().artifact_bytes]
        for info, name in _members(archive, label):
            target = root.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            _unpack(archive, info, target, budget)
        stores = [p for p in sorted(root.rglob("*.json")) if is_store(json_head(p))]
        if stores:
            rel = stores[0].relative_to(root).as_posix()
            return load_file(stores[0], None, f"{label}:{rel}")
        manifests = [p for p in sorted(root.rglob(MANIFEST_NAME)) if is_manifest(p)]
        if manifests:
            rel = manifests[0].relative_to(root).as_posix()
            stored = from_manifest(manifests[0], f"{label}:{rel}")
            files = tuple(replace(f, path=f"{label}:{rel}") for f in stored.run.files[-1:])
            return [replace(stored, run=replace(stored.run, files=files))]
        run = load_run([root], fmt, role="baseline")
        files = tuple(
            replace(f, path=f"{label}:{Path(f.path).relative_to(root).as_posix()}")
            for f in run.files
        )
        return [StoredRun(run=replace(run, files=files), source=label)]


def from_ref(ref: str, fmt: str | None, cwd: Path) -> list[StoredRun]:
    """``git show REF`` (``origin/main:perf/baseline.json``)."""
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "show", ref], cwd=cwd, capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"git show failed: {exc}", path=ref) from None
    if proc.returncode != 0:
        first = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(first[0] if first else f"git show exited {proc.returncode}", path=ref)
    name = PurePosixPath(ref.split(":", 1)[-1]).name or "baseline.json"
    with tempfile.TemporaryDirectory(prefix="perf-gate-ref-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(proc.stdout)
        runs = load_file(path, fmt, f"ref {ref}")
        return [
            replace(r, run=replace(r.run, files=tuple(replace(f, path=ref) for f in r.run.files)))
            for r in runs
        ]


@dataclass(frozen=True)
class BaselineRequest:
    """The baseline options of ``finalize`` (command line over ``.perf-gate.yml``)."""

    files: tuple[Path, ...] = ()
    fmt: str | None = None
    artifact: str | None = None
    ref: str | None = None
    branch: str | None = None
    hardware_file: Path | None = None
    base_ref: str = ""  # GITHUB_BASE_REF, from the entry point
    cwd: Path = field(default_factory=Path.cwd)
    artifacts: ArtifactSource | None = None  # from the entry point's GitHub context
    now: dt.datetime | None = None
    current_paths: tuple[Path, ...] = ()  # a --baseline equal to a --current reads base/
    criterion_baseline: str = "base"  # --criterion-baseline NAME: read <bench>/NAME/ instead
    summarise: Summarise | None = None  # earlier runs' samples to summaries, as they are read

    def format_for(self, path: Path) -> str | None:
        """``criterion-base`` when the baseline is the very tree the current run came from
        (criterion keeps the saved baseline in ``base/`` beside ``new/``), or
        ``criterion:NAME`` for a baseline saved with ``--save-baseline NAME``."""
        current = {p.resolve() for p in self.current_paths}
        if path.resolve() in current and not path.is_dir():
            raise UsageError(
                "the same file is given as --current and --baseline; "
                "the baseline must be an earlier run",
                path=str(path),
            )
        if self.fmt is None and path.is_dir() and path.resolve() in current:
            if self.criterion_baseline == "base":
                return "criterion-base"
            return f"criterion:{self.criterion_baseline}"
        return self.fmt


def _summarised(runs: list[StoredRun], summarise: Summarise | None) -> list[StoredRun]:
    """``runs`` with their samples summarised (when ``summarise`` is given); a run
    without samples stays as it is."""
    if summarise is None:
        return runs
    return [replace(r, run=summarise(r.run)) if _sampled(r) else r for r in runs]


def _sampled(stored: StoredRun) -> bool:
    return any(m.samples for m in stored.run.metrics)


def find(config: Config, request: BaselineRequest) -> Found:
    """Try each configured source in turn; never raises for a baseline that is not there.

    With ``request.summarise``, every run but the newest has its samples summarised as
    soon as it is read (:mod:`perf_gate.judge.history_runs`): judging reads no more of it.
    """
    found = _find(config, request)
    runs = found.runs
    if request.summarise is None or len(runs) < 2:
        return found
    return replace(found, runs=[*_summarised(runs[:-1], request.summarise), runs[-1]])


def _base_branch(request: BaselineRequest, settings: BaselineSettings) -> str | None:
    return request.branch or settings.branch or request.base_ref or None


def _find(config: Config, request: BaselineRequest) -> Found:
    settings = config.baseline
    history = settings.history
    tried: list[str] = []
    if request.files:
        runs: list[StoredRun] = []
        for file in request.files:
            # The runs read so far are summarised before the next file is read: five
            # history files hold little more memory than one.
            runs = _summarised(runs, request.summarise)
            runs += load_file(file, request.format_for(file))
        return Found(runs, ", ".join(map(str, request.files)))
    cli_given = bool(request.artifact or request.ref)
    path = None if cli_given else settings.path
    if path:
        full = request.cwd / path
        try:
            if full.exists():
                return Found(load_file(full, request.fmt, str(path)), f"file {path}")
            tried.append(f"file {path}: not found")
        except PerfGateError as exc:
            tried.append(f"file {path}: {exc}")
    artifact = request.artifact or (None if cli_given else settings.artifact)
    if artifact:
        try:
            if request.artifacts is None:
                tried.append(
                    f"artifact {artifact}: no GitHub context (GITHUB_REPOSITORY and "
                    "GITHUB_TOKEN unset)"
                )
            else:
                runs, what = request.artifacts(
                    artifact, _base_branch(request, settings), request.fmt, history=history
                )
                if runs:
                    return Found(runs, what)
                tried.append(what)
        except PerfGateError as exc:
            hint = " (the workflow needs permissions: actions: read)" if "403" in str(exc) else ""
            tried.append(f"artifact {artifact}: {exc}{hint}")
        except Exception as exc:
            import requests  # only once a download failed: 100 ms of imports otherwise

            if not isinstance(exc, requests.RequestException):
                raise
            tried.append(f"artifact {artifact}: download failed ({type(exc).__name__})")
    ref = request.ref or (None if cli_given else settings.ref)
    if ref:
        try:
            return Found(from_ref(ref, request.fmt, request.cwd), f"ref {ref}")
        except PerfGateError as exc:
            tried.append(f"ref {ref}: {exc.message}")
    if not tried:
        return Found()
    return Found(
        notes=(
            "No baseline found (" + "; ".join(tried) + "): every metric is new and the gate "
            "is skipped; 'perf-gate baseline update' turns this run into the next baseline.",
        )
    )


def _parse_time(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def expire(found: Found, max_age_days: float | None, now: dt.datetime | None) -> Found:
    """A baseline older than ``max_age_days`` is no baseline, and the report says so."""
    if not found.runs or max_age_days is None:
        return found
    created = _parse_time(found.runs[-1].created_at)
    if created is None:
        return found
    age = (now or dt.datetime.now(dt.UTC)) - created
    if age <= dt.timedelta(days=max_age_days):
        return found
    note = (
        f"The baseline from {found.source} ({found.runs[-1].created_at[:10]}) has expired: it "
        f"is {age.days} days old, the limit is {max_age_days:g}. Every metric is new; refresh "
        "it with 'perf-gate baseline update' on the default branch."
    )
    return Found(notes=(*found.notes, note))


def by_hardware(found: Found, current: Sequence[Hardware]) -> Found:
    """Keep only the runs made on the current hardware, when the history has any."""
    if not current or not found.runs:
        return found
    same = [r for r in found.runs if r.hardware and mismatch(r.hardware, current) is None]
    if not same or same[-1] is found.runs[-1]:
        return found
    newest = same[-1]
    note = (
        f"Baseline chosen by hardware: the newest run on this machine "
        f"({newest.commit[:12] or 'unknown commit'}, {newest.created_at[:10] or 'undated'}) "
        "rather than the newest run."
    )
    return replace(found, runs=same, notes=(*found.notes, note))


def describe(run: StoredRun, source: str, count: int) -> str:
    parts = [f"Baseline: {source}"]
    if run.commit:
        parts.append(f"commit {run.commit[:12]}" + (f" ({run.branch})" if run.branch else ""))
    if run.created_at:
        parts.append(f"from {run.created_at}")
    if run.hardware:
        parts.append("hardware " + " / ".join(h.describe() for h in run.hardware))
    if count > 1:
        parts.append(f"{count} runs of history")
    return "; ".join(parts) + "."


def baseline_info(run: StoredRun, source: str, count: int) -> dict[str, Any]:
    return {
        "source": source,
        "commit": run.commit,
        "branch": run.branch,
        "created_at": run.created_at,
        "hardware": [h.to_dict() for h in run.hardware],
        "runs": count,
    }
