"""Where the baseline comes from, and how the next one is written.

Sources, first that yields a baseline wins: (a) files in the workspace
(``--baseline PATH`` or ``baseline.path``); (b) the newest artifact of a name from a
successful run on the base branch (``--baseline-artifact NAME``: REST
``GET /repos/{o}/{r}/actions/artifacts?name=``, ``workflow_run.head_branch`` = the
base branch, the run's conclusion ``success``, the zip fetched through the redirect
GitHub answers with); (c) a git ref (``--baseline-ref origin/main:perf/baseline.json``).

A baseline file written by ``perf-gate baseline update`` (marked
``"perf_gate_baseline": 1``) carries the commit, date and hardware of its run and
the previous runs as history (the noise model learns each benchmark's drift from
them). Comparisons are keyed by hardware: when the history holds runs from the
current machine, only those are used. A missing or expired baseline is never an
error: the metrics are ``new`` and the report says why.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import requests

from perf_gate import __version__
from perf_gate.config import Config, load_config
from perf_gate.errors import InputError, PerfGateError, UsageError
from perf_gate.finalize import RECEIPT_NAME, SUMMARY_NAME, TIMING_KINDS, Context, load_run
from perf_gate.hardware import Hardware, Probes, detect, hardware_from_dict, mismatch
from perf_gate.model import InputFile, RunSet
from perf_gate.outputs import write_all
from perf_gate.parsers import scan_directory
from perf_gate.parsers.base import schema_problems
from perf_gate.run_manifest import (
    load_current,
    metric_from_dict,
    metric_to_dict,
    run_formats,
    utc_now,
)
from perf_gate.run_record import (
    RunRecord,
    current_hardware,
    gpu_problem,
    nvidia_smi,
    run_notes,
    skipped_rows,
)
from perf_gate.runner import default_config, git_commit

STORE_MARK = "perf_gate_baseline"
DEFAULT_HISTORY = 5
MAX_ZIP_BYTES = 200 * 1024 * 1024
_RESULT_SUFFIXES = (".json", ".log", ".txt", ".csv")


# -- the store format ----------------------------------------------------------------


@dataclass(frozen=True)
class StoredRun:
    """One baseline run with what is known about it."""

    run: RunSet
    commit: str = ""
    branch: str = ""
    created_at: str = ""
    hardware: tuple[Hardware, ...] = ()
    source: str = ""


def _entry(run: StoredRun) -> dict[str, Any]:
    return {
        "created_at": run.created_at,
        "commit": run.commit,
        "branch": run.branch,
        "hardware": [h.to_dict() for h in run.hardware],
        "formats": list(run.run.formats),
        "metrics": [metric_to_dict(m) for m in run.run.metrics],
    }


def store_document(newest: StoredRun, history: Sequence[StoredRun], keep: int) -> dict[str, Any]:
    """The baseline file: ``newest`` plus up to ``keep - 1`` earlier runs (oldest first)."""
    older = list(history)[-(keep - 1) :] if keep > 1 else []
    return {
        STORE_MARK: 1,
        "tool": f"perf-gate {__version__}",
        **_entry(newest),
        "history": [_entry(r) for r in older],
    }


def _stored(data: Mapping[str, Any], source: str) -> StoredRun:
    metrics = tuple(metric_from_dict(m) for m in data.get("metrics", []))
    formats = tuple(data.get("formats", ())) or run_formats(metrics)
    return StoredRun(
        run=RunSet(metrics=metrics, formats=formats),
        commit=data.get("commit", ""),
        branch=data.get("branch", ""),
        created_at=data.get("created_at", ""),
        hardware=tuple(hardware_from_dict(h) for h in data.get("hardware", [])),
        source=source,
    )


def read_store(doc: Mapping[str, Any], source: str) -> list[StoredRun]:
    """Every run of a baseline file, oldest first."""
    problems = schema_problems(doc, "perf-baseline.schema.json")
    if problems:
        where, message = problems[0]
        raise InputError(message, path=source, where=where)
    runs = [_stored(h, f"{source} (history)") for h in doc.get("history", [])]
    return [*runs, _stored(doc, source)]


def _json_head(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def is_store(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get(STORE_MARK) == 1


def load_file(path: Path, fmt: str | None, label: str | None = None) -> list[StoredRun]:
    """A baseline file or results path: a store file gives its history too."""
    source = label or str(path)
    if path.is_file() and path.suffix == ".json":
        doc = _json_head(path)
        if is_store(doc):
            runs = read_store(doc, source)
            file = InputFile(str(path), "perf-baseline", _sha256(path.read_bytes()), "baseline")
            newest = runs[-1]
            runs[-1] = replace(newest, run=replace(newest.run, files=(file,)))
            return runs
    earlier = scan_directory(path, fmt).earlier if path.is_dir() else ()
    history = [
        StoredRun(run=load_run(list(files), fmt, role="baseline"), source=f"{source} ({back} back)")
        for back, files in zip(range(len(earlier), 0, -1), earlier, strict=True)
    ]
    return [*history, StoredRun(run=load_run([path], fmt, role="baseline"), source=source)]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- where it comes from -------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """What the search for a baseline gave: runs oldest first, and what to tell the user."""

    runs: list[StoredRun] = field(default_factory=list)
    source: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class GitHubAccess:
    """Enough to read artifacts: repository, token (never printed), API URL, a session."""

    repository: str
    token: str = field(repr=False)
    api_url: str = "https://api.github.com"
    session: requests.Session | None = None
    timeout: float = 30.0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> GitHubAccess | None:
        from perf_gate.github.context import repository_from, token_from, url_from

        token = token_from(environ)
        if not token or not environ.get("GITHUB_REPOSITORY"):
            return None
        return cls(
            repository=repository_from(environ),
            token=token,
            api_url=url_from(environ, "GITHUB_API_URL", "https://api.github.com"),
        )


def _headers(token: str | None) -> dict[str, str]:
    headers = {"User-Agent": f"perf-gate/{__version__}"}
    if token:
        headers.update(
            {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "Authorization": f"Bearer {token}",
            }
        )
    return headers


def download_zip(access: GitHubAccess, session: requests.Session, artifact_id: int) -> bytes:
    """``GET .../actions/artifacts/{id}/zip``: GitHub answers 302 to a short-lived storage
    URL, which is fetched without the token (it must not leak to another host)."""
    api = access.api_url.rstrip("/")
    url = f"{api}/repos/{access.repository}/actions/artifacts/{artifact_id}/zip"
    first = session.get(
        url, headers=_headers(access.token), allow_redirects=False, timeout=access.timeout
    )
    if first.status_code in (301, 302, 303, 307, 308):
        location = first.headers.get("location", "")
        if not location:
            raise InputError("artifact download redirect without a Location", path=url)
        with session.get(
            location, headers=_headers(None), timeout=access.timeout, stream=True
        ) as second:
            if second.status_code != 200:
                raise InputError(f"artifact storage answered {second.status_code}", path=location)
            data = second.raw.read(MAX_ZIP_BYTES + 1, decode_content=True)
    elif first.status_code == 200:
        data = first.content
    elif first.status_code == 410:
        raise InputError(f"artifact {artifact_id} has expired (410 Gone)")
    else:
        raise InputError(f"artifact download answered {first.status_code}", path=url)
    if len(data) > MAX_ZIP_BYTES:
        raise InputError(f"artifact {artifact_id} is larger than {MAX_ZIP_BYTES >> 20} MiB")
    return bytes(data)


def _safe_members(archive: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    out = []
    total = 0
    for info in archive.infolist():
        name = PurePosixPath(info.filename)
        if info.is_dir() or name.is_absolute() or ".." in name.parts:
            continue
        total += info.file_size
        if total > MAX_ZIP_BYTES:
            raise InputError("artifact unpacks to more than the size limit")
        out.append((info, name))
    return out


def runs_from_zip(data: bytes, fmt: str | None, label: str) -> list[StoredRun]:
    """Read a baseline out of an artifact zip: a store file, else any results in it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError("not a zip file", path=label) from None
    with archive, tempfile.TemporaryDirectory(prefix="perf-gate-artifact-") as tmp:
        root = Path(tmp)
        for info, name in _safe_members(archive):
            target = root.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
        stores = [p for p in sorted(root.rglob("*.json")) if is_store(_json_head(p))]
        if stores:
            rel = stores[0].relative_to(root).as_posix()
            return load_file(stores[0], None, f"{label}:{rel}")
        run = load_run([root], fmt, role="baseline")
        files = tuple(
            replace(f, path=f"{label}:{Path(f.path).relative_to(root).as_posix()}")
            for f in run.files
        )
        return [StoredRun(run=replace(run, files=files), source=label)]


def from_artifact(
    access: GitHubAccess,
    name: str,
    branch: str | None,
    fmt: str | None,
    *,
    history: int = DEFAULT_HISTORY,
) -> tuple[list[StoredRun], str]:
    """The newest artifact ``name`` of successful runs on ``branch`` (and older ones as
    history, up to ``history`` runs). Returns (runs oldest first, what was found)."""
    if access.session is not None:
        return _from_artifact(access, access.session, name, branch, fmt, history)
    with requests.Session() as session:
        return _from_artifact(access, session, name, branch, fmt, history)


def _from_artifact(
    access: GitHubAccess,
    session: requests.Session,
    name: str,
    branch: str | None,
    fmt: str | None,
    history: int,
) -> tuple[list[StoredRun], str]:
    from perf_gate.github.client import GitHubClient, RetryPolicy

    client = GitHubClient(
        session,
        access.api_url,
        access.token,
        policy=RetryPolicy(attempts=3, base_delay=0.5, max_total_wait=30.0),
    )
    repo = f"repos/{access.repository}"
    if not branch:
        branch = str(client.get(repo).data.get("default_branch") or "main")
    candidates = []
    expired = 0
    for item in client.paginate(f"{repo}/actions/artifacts", {"name": name}):
        if item.get("name") != name:
            continue
        if item.get("expired"):
            expired += 1
            continue
        if (item.get("workflow_run") or {}).get("head_branch") != branch:
            continue
        candidates.append(item)
        if len(candidates) >= 100:
            break
    candidates.sort(key=lambda a: str(a.get("created_at", "")), reverse=True)
    conclusions: dict[int, str] = {}
    runs: list[StoredRun] = []
    for item in candidates:
        run_id = int(item["workflow_run"]["id"])
        if run_id not in conclusions:
            run = client.get(f"{repo}/actions/runs/{run_id}").data
            conclusions[run_id] = str(run.get("conclusion") or run.get("status") or "")
        if conclusions[run_id] != "success":
            continue
        label = f"artifact {name} (run {run_id})"
        found = runs_from_zip(download_zip(access, session, int(item["id"])), fmt, label)
        newest = found[-1]
        found[-1] = replace(
            newest,
            commit=newest.commit or item["workflow_run"].get("head_sha", ""),
            branch=newest.branch or branch,
            created_at=newest.created_at or str(item.get("created_at", "")),
        )
        runs = found + runs
        if len(found) > 1 or len(runs) >= history:
            break  # a store file carries its own history
    if not runs:
        why = f"no unexpired artifact {name!r} from a successful run on {branch}"
        if expired:
            why += f" ({expired} expired)"
        return [], why
    return runs[-history:], f"artifact {name} on {branch}"


def from_ref(ref: str, fmt: str | None, cwd: Path) -> list[StoredRun]:
    """``git show REF`` (``origin/main:perf/baseline.json``)."""
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
    environ: Mapping[str, str] = field(default_factory=dict)
    cwd: Path = field(default_factory=Path.cwd)
    access: GitHubAccess | None = None  # tests pass one; else from the environment
    now: dt.datetime | None = None
    current_paths: tuple[Path, ...] = ()  # a --baseline equal to a --current reads base/
    criterion_baseline: str = "base"  # --criterion-baseline NAME: read <bench>/NAME/ instead

    def format_for(self, path: Path) -> str | None:
        """``criterion-base`` when the baseline is the very tree the current run came from
        (criterion keeps the saved baseline in ``base/`` beside ``new/``), or
        ``criterion:NAME`` for a baseline saved with ``--save-baseline NAME``."""
        current = {p.resolve() for p in self.current_paths}
        if self.fmt is None and path.is_dir() and path.resolve() in current:
            if self.criterion_baseline == "base":
                return "criterion-base"
            return f"criterion:{self.criterion_baseline}"
        return self.fmt


def _base_branch(request: BaselineRequest, settings: Mapping[str, Any]) -> str | None:
    return (
        request.branch or settings.get("branch") or request.environ.get("GITHUB_BASE_REF") or None
    )


def find(config: Config, request: BaselineRequest) -> Found:
    """Try each configured source in turn; never raises for a baseline that is not there."""
    settings: Mapping[str, Any] = config.raw.get("baseline", {})
    history = int(settings.get("history", DEFAULT_HISTORY))
    tried: list[str] = []
    if request.files:
        runs = [run for path in request.files for run in load_file(path, request.format_for(path))]
        return Found(runs, ", ".join(map(str, request.files)))
    cli_given = bool(request.artifact or request.ref)
    path = None if cli_given else settings.get("path")
    if path:
        full = request.cwd / path
        try:
            if full.exists():
                return Found(load_file(full, request.fmt, str(path)), f"file {path}")
            tried.append(f"file {path}: not found")
        except PerfGateError as exc:
            tried.append(f"file {path}: {exc}")
    artifact = request.artifact or (None if cli_given else settings.get("artifact"))
    if artifact:
        try:
            access = request.access or GitHubAccess.from_environment(request.environ)
            if access is None:
                tried.append(
                    f"artifact {artifact}: no GitHub context (GITHUB_REPOSITORY and "
                    "GITHUB_TOKEN unset)"
                )
            else:
                runs, what = from_artifact(
                    access, artifact, _base_branch(request, settings), request.fmt, history=history
                )
                if runs:
                    return Found(runs, what)
                tried.append(what)
        except PerfGateError as exc:
            hint = " (the workflow needs permissions: actions: read)" if "403" in str(exc) else ""
            tried.append(f"artifact {artifact}: {exc}{hint}")
        except requests.RequestException as exc:
            tried.append(f"artifact {artifact}: download failed ({type(exc).__name__})")
    ref = request.ref or (None if cli_given else settings.get("ref"))
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
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def expire(found: Found, max_age_days: float | None, now: dt.datetime | None) -> Found:
    """A baseline older than ``max_age_days`` is no baseline, and the report says so."""
    if not found.runs or max_age_days is None:
        return found
    created = _parse_time(found.runs[-1].created_at)
    if created is None:
        return found
    age = (now or dt.datetime.now(dt.timezone.utc)) - created
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


# -- everything finalize needs -------------------------------------------------------


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
    return RunSet(metrics=metrics, formats=formats), note


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


def gate_inputs(
    config: Config,
    current: RunSet,
    records: Sequence[RunRecord],
    request: BaselineRequest,
    output_dir: Path,
) -> GateInputs:
    """The baselines and the :class:`Context` of one ``finalize`` call."""
    hardware = current_hardware(records, request.hardware_file, config)
    notes = run_notes(records)
    extra: dict[str, Any] = {}
    ab = _ab_baseline(records)
    mismatch_text = None
    if ab is not None:
        baselines, note = [ab[0]], ab[1]
        notes.append(note)
        extra["baseline"] = {"source": "ab", **dict(records[0].ab or {})}
    else:
        settings: Mapping[str, Any] = config.raw.get("baseline", {})
        found = find(config, request)
        found = expire(found, settings.get("max_age_days"), request.now)
        found = by_hardware(found, hardware)
        notes.extend(found.notes)
        baselines = [r.run for r in found.runs]
        if found.runs:
            newest = found.runs[-1]
            devices: set[str] = {m.device or "cpu" for m in current.metrics}
            if config.raw.get("hardware", {}).get("compare", True):
                mismatch_text = mismatch(newest.hardware, hardware, devices)
            if newest.commit or newest.created_at or newest.hardware:
                notes.insert(0, describe(newest, found.source, len(found.runs)))
                extra["baseline"] = baseline_info(newest, found.source, len(found.runs))
    if mismatch_text:
        notes.append(f"Hardware differs: {mismatch_text}; timing regressions only warn.")
    baselines, skipped = skipped_rows(records, baselines)
    if baselines:
        refuse_self_comparison(current, baselines[-1])
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
    )
    return GateInputs(current, baselines, context)


# -- perf-gate baseline update / show ------------------------------------------------


def _previous(path: Path | None) -> list[StoredRun]:
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
    )
    return store_document(newest, previous, keep)


def cmd_baseline(args: argparse.Namespace) -> int:
    if args.baseline_command == "show":
        return _show(args.path)
    config = load_config(default_config(args.config))
    settings: Mapping[str, Any] = config.raw.get("baseline", {})
    current, records = load_current(args.current, args.format)
    hardware = [r.hardware for r in records if r.hardware is not None] or [
        detect(Probes(smi=nvidia_smi(config)))
    ]
    output: Path = args.output or Path(settings.get("path", "perf/baseline.json"))
    keep = args.history or int(settings.get("history", DEFAULT_HISTORY))
    root = Path.cwd()
    environ = os.environ
    branch = args.branch or environ.get("GITHUB_REF_NAME", "")
    if args.previous_artifact:
        previous = _previous_artifact(args.previous_artifact, branch, keep, environ)
    else:
        previous = _previous(args.previous or output)
    doc = update(
        current,
        records,
        previous=previous,
        keep=keep,
        commit=args.commit or git_commit(root, environ),
        branch=branch,
        hardware=hardware,
        force=args.force,
    )
    written = write_all(output.parent, {output.name: json.dumps(doc, indent=2) + "\n"})
    print(
        f"wrote {written[output.name]}: {len(doc['metrics'])} metric(s), commit "
        f"{doc['commit'][:12] or 'unknown'}, {len(doc['history']) + 1} run(s) kept"
    )
    return 0


def _previous_artifact(
    name: str, branch: str, keep: int, environ: Mapping[str, str]
) -> list[StoredRun]:
    """The baseline now stored as artifact ``name``; none (with a warning) is a fresh start."""
    try:
        access = GitHubAccess.from_environment(environ)
        if access is None:
            raise InputError("no GitHub context (GITHUB_REPOSITORY and GITHUB_TOKEN unset)")
        runs, what = from_artifact(access, name, branch or None, None, history=keep)
    except (PerfGateError, requests.RequestException) as exc:
        print(f"perf-gate: warning: previous baseline artifact {name}: {exc}; starting afresh")
        return []
    if not runs:
        print(f"perf-gate: no previous baseline ({what}); starting afresh")
    return runs


def _show(path: Path) -> int:
    runs = load_file(path, None)
    for run in runs:
        when = run.created_at or "undated"
        sha = run.commit[:12] or "unknown commit"
        hw = " / ".join(h.describe() for h in run.hardware) or "unknown hardware"
        print(f"{when}  {sha}  {len(run.run.metrics)} metric(s)  {hw}")
    return 0
