"""Same-job A/B mode (``mode: ab``): the base commit and the head, measured side by side.

Shared runners drift: the same code runs a few percent faster or slower from one
hour (or one machine) to the next, and a baseline recorded days ago carries none of
today's drift. A/B mode checks the base commit out in a separate ``git worktree``,
builds both trees, and runs the benchmarks interleaved, ``A B A B ...`` (A the base,
B the head), on the same machine in the same job. Drift then hits both sides alike;
each round gives one value per side, and the paired per-round values are the samples
the verdict engine judges (the base as the baseline run, the head as the current).

``.perf-gate.yml``::

    mode: ab
    ab:
      base: origin/main     # default: origin/$GITHUB_BASE_REF, else HEAD~1
      rounds: 5             # A B pairs; 5 or more lets the sample test judge
      build: cargo bench --workspace --no-default-features --features cpu --no-run
      worktree: ../base    # default: a temporary folder; removed afterwards either way
      cache: .perf-gate-cache/ab-base   # the base's target/ between runs ("": none)

Each side builds and runs with its own ``target/`` and proves what it measured
(:mod:`perf_gate.inputs.ab_proof`); each benchmark's ``log:`` is written per side and
round (``cpu-bench.A1.log``).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from perf_gate.core.config import DEFAULT_ROUNDS, Benchmark, Config
from perf_gate.core.errors import ProofError, RunError
from perf_gate.core.model import Finding, Metric, ParseResult
from perf_gate.inputs import ab_proof
from perf_gate.inputs.ab_rounds import (
    Confirmation,
    Side,
    Sides,
    Tally,
    confirm_suspects,
    measure,
    paired_run,
    rel,
)
from perf_gate.inputs.artifact import artifact
from perf_gate.inputs.benchmark import RunOutcome, command_findings
from perf_gate.inputs.console import Console
from perf_gate.inputs.hardware import Hardware
from perf_gate.inputs.process import CommandResult, run_command


@dataclass(frozen=True)
class AbSettings:
    base: str
    rounds: int = DEFAULT_ROUNDS
    build: str | tuple[str, ...] | None = None
    worktree: str | None = None
    cache: str = ""


def settings_from_config(config: Config, environ: Mapping[str, str]) -> AbSettings:
    section = config.ab
    base = section.base
    if not base:
        base_ref = environ.get("GITHUB_BASE_REF", "")
        base = f"origin/{base_ref}" if base_ref else "HEAD~1"
    return AbSettings(
        base=base,
        rounds=section.rounds,
        build=section.build,
        worktree=section.worktree,
        cache=section.cache,
    )


def _git(root: Path, *args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RunError(f"git {args[0]} failed: {exc}") from None
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise RunError(f"git {' '.join(args)}: {lines[-1] if lines else proc.returncode}")
    return proc.stdout.strip()


def resolve_commit(root: Path, ref: str) -> str:
    """The commit ``ref`` names (a branch, ``origin/main``, ``HEAD~1``, a SHA)."""
    return _git(root, "rev-parse", "--verify", f"{ref}^{{commit}}")


@contextlib.contextmanager
def base_worktree(root: Path, commit: str, path: str | None = None) -> Iterator[Path]:
    """A detached ``git worktree`` of ``commit``, removed afterwards."""
    parent = None
    if path:
        target = (root / path).resolve()
    else:
        parent = Path(tempfile.mkdtemp(prefix="perf-gate-base-"))
        target = parent / "base"
    _git(root, "worktree", "add", "--detach", str(target), commit)
    try:
        yield target
    finally:
        with contextlib.suppress(RunError):
            _git(root, "worktree", "remove", "--force", str(target))
        if parent is not None:
            shutil.rmtree(parent, ignore_errors=True)
        with contextlib.suppress(RunError):
            _git(root, "worktree", "prune")


def schedule(rounds: int) -> list[tuple[Side, int]]:
    """``A B A B ...``: base and head alternate, so slow drift touches both the same."""
    order: list[tuple[Side, int]] = []
    for index in range(rounds):
        order += [("A", index), ("B", index)]
    return order


def _build(
    settings: AbSettings,
    trees: Mapping[Side, Path],
    envs: Mapping[Side, Mapping[str, str]],
    logs: Path,
    console: Console,
    environ: Mapping[str, str],
) -> list[CommandResult]:
    if settings.build is None:
        return []
    results = []
    for side, tree in trees.items():
        label = "base" if side == "A" else "head"
        results.append(
            run_command(
                f"build {label} ({side})",
                settings.build,
                console=console,
                cwd=tree,
                environ=environ,
                env=envs[side],
                log_path=logs / f"ab-build-{label}.log",
            )
        )
    return results


def _changed(root: Path, base_commit: str) -> list[str]:
    """Tracked files of the workspace that differ from the base commit."""
    return _git(root, "diff", "--name-only", base_commit, "--").splitlines()


def _prove(
    settings: AbSettings,
    trees: Mapping[Side, Path],
    envs: Mapping[Side, Mapping[str, str]],
    rust_changes: Sequence[str],
    environ: Mapping[str, str],
) -> dict[str, dict[str, Any]]:
    """Each side's bench executables; refuses a run whose sides share them."""
    proof: dict[str, dict[str, Any]] = {}
    for side, tree in trees.items():
        if ab_proof.is_cargo(tree):
            proof[side] = ab_proof.bench_executables(
                tree, settings.build, {**environ, **envs[side]}
            )
    if len(proof) == 2:
        ab_proof.check_sides(proof, rust_changes)
    return proof


def run_ab(
    config: Config,
    benches: Sequence[Benchmark],
    *,
    hardware: Hardware,
    root: Path,
    output_dir: Path,
    console: Console,
    environ: Mapping[str, str],
    confirm: Confirmation | None = None,
) -> RunOutcome:
    """Build base and head, run the benchmarks interleaved, pair the rounds; with
    ``confirm``, measure the first pass's suspects again (:mod:`.ab_rounds`)."""
    settings = settings_from_config(config, environ)
    logs = output_dir if output_dir.is_absolute() else (root / output_dir)
    logs = logs.resolve()
    outcome = RunOutcome(hardware=hardware)
    base_commit = resolve_commit(root, settings.base)
    head_commit = resolve_commit(root, "HEAD")
    outside = ab_proof.outside_results(benches, root)
    if outside:
        raise ProofError(f"A/B refused: {outside}; each side must read its own results")
    rust_changes = ab_proof.sources_differ(_changed(root, base_commit))
    outcome.ab = {
        "base_ref": settings.base,
        "base_commit": base_commit,
        "head_commit": head_commit,
        "rounds": settings.rounds,
        "order": "AB" * settings.rounds,
    }
    console.line(
        f"perf-gate: A/B mode: base {settings.base} ({base_commit[:12]}) vs head "
        f"{head_commit[:12]}, {settings.rounds} interleaved rounds"
    )
    values: dict[Side, dict[tuple[str, str], list[float]]] = {"A": {}, "B": {}}
    templates: dict[Side, dict[tuple[str, str], Metric]] = {"A": {}, "B": {}}
    findings: list[Finding] = []
    with base_worktree(root, base_commit, settings.worktree) as base_root:
        trees: dict[Side, Path] = {"A": base_root, "B": root}
        outside = ab_proof.outside_results(benches, base_root)
        if outside:
            raise ProofError(f"A/B refused: {outside}; each side must read its own results")
        envs: dict[Side, dict[str, str]] = {s: ab_proof.side_env(t) for s, t in trees.items()}
        if ab_proof.is_cargo(root):
            console.line(
                "perf-gate: A/B: each side builds into its own target/ "
                "(CARGO_TARGET_DIR and build.target-dir overridden): "
                f"base {envs['A']['CARGO_TARGET_DIR']}, head {envs['B']['CARGO_TARGET_DIR']}"
            )
        cache = _restore_base(settings, base_root, {**environ, **envs["A"]}, root, console)
        outcome.ab["base_cache"] = cache
        builds = [
            replace(b, log=str(rel(Path(b.log), root)) if b.log else None)
            for b in _build(settings, trees, envs, logs, console, environ)
        ]
        outcome.commands += builds
        outcome.artifacts += [artifact(Path(b.log), "log", root) for b in builds if b.log]
        broken = [b for b in builds if not b.succeeded]
        if broken:
            for b in broken:  # the base is not under review: its failure only warns
                findings += command_findings(b, required=b.name.startswith("build head"))
            outcome.parts.append(ParseResult((), tuple(findings)))
            outcome.notes.append("A/B mode: a build failed, so no rounds were run.")
            return outcome
        proof = _prove(settings, trees, envs, rust_changes, environ)
        tally = Tally(values, templates, findings)
        sides = Sides(trees, envs, hardware, root, output_dir, logs, console, environ)
        for side, index in schedule(settings.rounds):
            tag = f"{side}{index + 1}"
            console.line(
                f"perf-gate: A/B round {index + 1}/{settings.rounds}: "
                f"{side} ({'base' if side == 'A' else 'head'})"
            )
            for bench in benches:
                measure(bench, side, tag, sides, outcome, tally)
        if confirm is not None and confirm.rounds > 0:
            outcome.ab["confirm"] = confirm_suspects(confirm, benches, sides, outcome, tally)
        outcome.ab["proof"] = {
            side: {
                "revision": base_commit if side == "A" else head_commit,
                "tree": "base worktree" if side == "A" else ".",
                **proof.get(side, {}),
                "results_sha256": ab_proof.results_digest(benches, trees[side]),
            }
            for side in trees
        }
        if cache:
            results = [b.cwd(base_root) / e for b in benches for e in b.results]
            ab_proof.keep(
                Path(cache) if Path(cache).is_absolute() else root / cache, base_root, results
            )
    head = paired_run(values["B"], templates["B"])
    outcome.parts.append(ParseResult(head.metrics, tuple(findings)))
    outcome.baseline = paired_run(values["A"], templates["A"])
    return outcome


def _restore_base(
    settings: AbSettings, base_root: Path, env: Mapping[str, str], root: Path, console: Console
) -> str | None:
    """Put the kept base ``target/`` in place; the cache folder used (``None``: none)."""
    if not settings.cache or not ab_proof.is_cargo(base_root):
        return None
    key = ab_proof.cache_key(base_root, settings.build, ab_proof.toolchain(base_root, env))
    folder = Path(settings.cache) / key
    full = folder if folder.is_absolute() else root / folder
    found = ab_proof.restore(full, base_root)
    console.line(
        f"perf-gate: A/B: base build cache {folder}: "
        + ("restored" if found else "empty (cold build; kept for the next run)")
    )
    return str(folder)
