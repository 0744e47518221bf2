"""Builds and runs the real benchmark harnesses for the real-harness tier (tests/real/).

The sources live in ``tests/real/sources/``: a criterion crate (``realbench``) built offline
with cargo against Debian's vendored crates (``librust-criterion-dev``), a Google Benchmark
programme and a ``spin`` command (for hyperfine and GNU time), built with g++. The work of
every benchmark is multiplied by ``REALBENCH_SCALE`` (``1.25`` = 25 % more work), so a test
injects a slowdown without rebuilding anything.

Builds are cached under ``$PERF_GATE_CACHE/real-harness/`` (``.cache/`` of the checkout by
default), one folder per hash of the sources and the compiler versions, so only the first
run on a machine pays for them (criterion and its dependencies: about 3 minutes on 2 cores).
A missing tool skips the test, or fails it when ``PERF_GATE_REQUIRE_CONTAINER_TEST=1``
(CI), as the container test does.

Issue 17's A/B tests reuse :func:`criterion_crate` and :func:`ab_repository`.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path(__file__).resolve().parent / "sources"
CRATE = SOURCES / "realbench"
CPP = SOURCES / "cpp"
REGISTRY = Path("/usr/share/cargo/registry")
REQUIRED = os.environ.get("PERF_GATE_REQUIRE_CONTAINER_TEST") == "1"
SCALE = "REALBENCH_SCALE"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
# The constant the A/B repository's second commit raises (tests/real/sources/realbench/src/lib.rs).
HASH_LOOP_ROUNDS = re.compile(r"(pub const HASH_LOOP_ROUNDS: u64 = )(\d+);")


def require(what: str, *probes: str) -> None:
    """Skip (fail in CI) unless every probe, a command or an absolute path, exists."""
    for probe in probes:
        found = Path(probe).exists() if probe.startswith("/") else shutil.which(probe)
        if not found:
            message = f"{probe} is missing: {what} (.ci/system-packages.txt)"
            if REQUIRED:
                pytest.fail(message)
            pytest.skip(message)


def cache_root() -> Path:
    return Path(os.environ.get("PERF_GATE_CACHE", ROOT / ".cache")) / "real-harness"


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without what would redirect a build or a run."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GITHUB_", "INPUT_", "CARGO_TARGET_DIR", "CRITERION_HOME", SCALE))
    }
    env.update(extra)
    return env


def source_key(files: Iterable[Path], *versions: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(SOURCES)).encode() + b"\0" + path.read_bytes() + b"\0")
    for version in versions:
        digest.update(version.encode() + b"\0")
    return digest.hexdigest()[:16]


def tool_version(*command: str) -> str:
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    return proc.stdout + proc.stderr


def cached(name: str, key: str, build: Callable[[Path], None]) -> Path:
    """``build(folder)`` once per key, under a lock; a finished build is marked complete."""
    folder = cache_root() / f"{name}-{key}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> str:
    proc = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(f"{shlex.join(command)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout + proc.stderr


def crate_files() -> list[Path]:
    return [p for p in CRATE.rglob("*") if p.is_file() and "target" not in p.parts]


@functools.cache
def criterion_crate() -> Path:
    """The realbench crate, its bench executables built (``target/``), in the cache.

    Run it with :func:`run_criterion`, or copy ``target/`` as a build cache. The key covers
    the sources, cargo and rustc, and the vendored criterion version.
    """
    require("cargo builds the criterion crate", "cargo", "rustc")
    require("Debian's vendored criterion: librust-criterion-dev", str(REGISTRY / "criterion-0.3.6"))
    vendored = " ".join(sorted(p.name for p in REGISTRY.glob("criterion*")))
    key = source_key(
        crate_files(), tool_version("cargo", "--version"), tool_version("rustc", "-V"), vendored
    )

    def build(folder: Path) -> None:
        shutil.copytree(CRATE, folder / "realbench", ignore=shutil.ignore_patterns("target"))
        # Start from the newest earlier build: cargo rebuilds only what changed (the crate
        # after an edit; everything after a toolchain change), not criterion's dependencies.
        earlier = sorted(
            folder.parent.glob("criterion-*/.complete"), key=lambda p: p.stat().st_mtime
        )
        if earlier:
            seed = earlier[-1].parent / "realbench" / "target"
            run(
                ["cp", "-a", "--reflink=auto", str(seed), "target"],
                folder / "realbench",
                clean_env(),
            )
        run(["cargo", "bench", "--no-run"], folder / "realbench", clean_env())

    return cached("criterion", key, build) / "realbench"


def run_criterion(crate: Path, home: Path, scale: float = 1.0, *args: str) -> str:
    """``cargo bench`` of the crate, results in ``home`` (CRITERION_HOME): the terminal output."""
    env = clean_env(CRITERION_HOME=str(home), **{SCALE: str(scale)})
    return run(["cargo", "bench", "--bench", "work", "--", "--noplot", *args], crate, env)


@functools.cache
def cpp_programs() -> Path:
    """``gbench`` (Google Benchmark) and ``spin`` built with g++, in the cache."""
    require("g++ builds the C++ benchmarks", "g++")
    require("Google Benchmark (libbenchmark-dev)", "/usr/include/benchmark/benchmark.h")
    key = source_key(CPP.glob("*.cc"), tool_version("g++", "--version"))

    def build(folder: Path) -> None:
        run(["g++", "-O2", "-o", "spin", str(CPP / "spin.cc")], folder, clean_env())
        run(
            ["g++", "-O2", "-o", "gbench", str(CPP / "gbench.cc"), "-lbenchmark", "-lpthread"],
            folder,
            clean_env(),
        )

    return cached("cpp", key, build)


def ab_repository(root: Path, slowdown: float = 1.3) -> Path:
    """A git repository of the realbench crate with two commits on ``main``.

    The first is the crate as it is; the second raises ``HASH_LOOP_ROUNDS`` by ``slowdown``,
    so ``hash_loop`` does that much more work and the other benchmarks are unchanged.
    ``target/`` and ``perf-gate-out/`` are ignored.
    """
    repo = root / "repo"
    shutil.copytree(CRATE, repo, ignore=shutil.ignore_patterns("target", "Cargo.lock"))
    (repo / ".gitignore").write_text("target/\nperf-gate-out/\nCargo.lock\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "realbench"], cwd=repo, check=True)
    lib = repo / "src" / "lib.rs"
    source = lib.read_text()
    rounds = int(HASH_LOOP_ROUNDS.search(source)[2])  # type: ignore[index]
    slower = round(rounds * slowdown)
    lib.write_text(HASH_LOOP_ROUNDS.sub(rf"\g<1>{slower};", source))
    subprocess.run(
        [*GIT, "commit", "-qam", f"hash_loop: {rounds} -> {slower} rounds"], cwd=repo, check=True
    )
    return repo


def seeded_build(crate: Path) -> str:
    """An A/B ``build`` command that restores the cached ``target/`` first, as an
    ``actions/cache`` step would, so only the crate itself is compiled in each tree."""
    seed = shlex.quote(str(crate / "target"))
    return f"test -d target || cp -a --reflink=auto {seed} target; cargo bench --no-run"
