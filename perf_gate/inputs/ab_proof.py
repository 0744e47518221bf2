"""What each side of an A/B run measured, and the refusals when the sides got mixed up.

A shared build output (``CARGO_TARGET_DIR``, ``build.target-dir`` in
``.cargo/config.toml``, a results path outside the tree) lets both sides of an A/B run
measure the same binaries, and the gate would pass a regression in silence. So each
side builds into its own ``target/`` (:func:`side_env` overrides both settings), the
bench executables of each side are fingerprinted after its build
(``cargo bench --no-run --message-format=json``), and the run is refused when the two
sides' executables are the same files, or byte for byte the same while the Rust
sources differ (head's build left the base's binaries in place).

The base side's ``target/`` is kept between runs under ``ab.cache``, one folder per
:func:`cache_key` (``Cargo.lock``, the toolchain, the build command), so a second run
on the same base compiles nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from perf_gate.core.config import Benchmark
from perf_gate.core.errors import ProofError
from perf_gate.inputs.artifact import sha256_file

TARGET = "target"
KEY = re.compile(r"[0-9a-f]{16}")
# Files whose difference between base and head must show in the bench executables.
RUST_SOURCES = ("*.rs", "Cargo.toml", "Cargo.lock", "build.rs")


def is_cargo(tree: Path) -> bool:
    return (tree / "Cargo.toml").is_file()


def side_env(tree: Path) -> dict[str, str]:
    """The side's own ``target/``: wins over ``CARGO_TARGET_DIR`` and ``build.target-dir``
    (``CARGO_BUILD_TARGET_DIR``); criterion 0.3 writes its results under it too."""
    target = str(tree / TARGET)
    return {"CARGO_TARGET_DIR": target, "CARGO_BUILD_TARGET_DIR": target}


def outside_results(benches: Sequence[Benchmark], tree: Path) -> str | None:
    """The first results path of ``benches`` that resolves outside ``tree``, described."""
    own = tree.resolve()
    for bench in benches:
        for entry in bench.results:
            path = (bench.cwd(tree) / entry).resolve()
            if not path.is_relative_to(own):
                return f"{bench.name}: results path {entry} resolves to {path}, outside {own}"
    return None


def fingerprint_command(build: str | tuple[str, ...] | None) -> list[str]:
    """``build`` with JSON messages when it is one plain ``cargo bench`` (its features
    count), else ``cargo bench --no-run``: lists the bench executables, building nothing
    that ``build`` built."""
    argv: list[str] = []
    if isinstance(build, tuple):
        argv = list(build)
    elif build and not any(c in build for c in ";&|<>$`\n"):
        argv = shlex.split(build)
    if argv[:2] != ["cargo", "bench"]:
        argv = ["cargo", "bench"]
    argv = [a for a in argv if not a.startswith("--message-format")]
    if "--no-run" not in argv:
        argv.append("--no-run")
    return [*argv, "--message-format=json"]


def bench_executables(
    tree: Path, build: str | tuple[str, ...] | None, env: Mapping[str, str]
) -> dict[str, Any]:
    """The executables cargo reports for ``tree``: ``{path: sha256}``, and whether any was
    compiled only now (``rebuilt``, i.e. the build command did not build them)."""
    argv = fingerprint_command(build)
    try:
        proc = subprocess.run(
            argv, cwd=tree, env=dict(env), capture_output=True, text=True, timeout=3600
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"command": shlex.join(argv), "error": str(exc), "executables": {}}
    executables: dict[str, str] = {}
    rebuilt = []
    for line in proc.stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        path = message.get("executable") if isinstance(message, dict) else None
        if message.get("reason") == "compiler-artifact" and isinstance(path, str):
            executables[path] = sha256_file(Path(path)) or ""
            if not message.get("fresh", True):
                rebuilt.append(Path(path).name)
    found: dict[str, Any] = {"command": shlex.join(argv), "executables": executables}
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        found["error"] = lines[-1] if lines else f"exit {proc.returncode}"
    if rebuilt:
        found["rebuilt"] = rebuilt
    return found


def results_digest(benches: Sequence[Benchmark], tree: Path) -> str:
    """SHA-256 over the files under the results paths of ``benches`` (names and bytes)."""
    digest = hashlib.sha256()
    for bench in benches:
        for entry in bench.results:
            base = bench.cwd(tree) / entry
            files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
            for path in files:
                digest.update(f"{path.relative_to(tree)}\0{sha256_file(path)}\0".encode())
    return digest.hexdigest()


def sources_differ(changed: Iterable[str]) -> list[str]:
    """The changed files that feed a Rust build."""
    return [name for name in changed if any(Path(name).match(pattern) for pattern in RUST_SOURCES)]


def check_sides(proof: Mapping[str, Mapping[str, Any]], rust_changes: Sequence[str]) -> None:
    """Refuse when both sides measured the same executables (see the module)."""
    base = proof["A"].get("executables") or {}
    head = proof["B"].get("executables") or {}
    shared = {str(Path(p).resolve()) for p in base} & {str(Path(p).resolve()) for p in head}
    if shared:
        name = Path(sorted(shared)[0]).name
        raise ProofError(
            f"A/B refused: base and head measured the same executable files ({name} in "
            f"{Path(sorted(shared)[0]).parent}); the two sides share a build folder"
        )
    if base and rust_changes and sorted(base.values()) == sorted(head.values()):
        raise ProofError(
            "A/B refused: head's build did nothing while the sources differ "
            f"({', '.join(rust_changes[:3])}): head's bench executables are the base's, "
            "byte for byte"
        )


def cache_key(tree: Path, build: str | tuple[str, ...] | None, toolchain: str) -> str:
    """What invalidates the base side's ``target/``: ``Cargo.lock``, the toolchain
    (``rustc -vV``, ``cargo -V``), the build command (its features)."""
    digest = hashlib.sha256()
    lock = tree / "Cargo.lock"
    digest.update(lock.read_bytes() if lock.is_file() else b"no Cargo.lock")
    digest.update(b"\0" + toolchain.encode() + b"\0")
    command = shlex.join(build) if isinstance(build, tuple) else (build or "")
    digest.update(command.encode())
    return digest.hexdigest()[:16]


def toolchain(tree: Path, env: Mapping[str, str]) -> str:
    """``rustc -vV`` and ``cargo -V`` as run in ``tree`` (rust-toolchain files count)."""
    text = []
    for argv in (["rustc", "-vV"], ["cargo", "-V"]):
        try:
            proc = subprocess.run(
                argv, cwd=tree, env=dict(env), capture_output=True, text=True, timeout=120
            )
            text.append(proc.stdout)
        except (OSError, subprocess.TimeoutExpired):
            text.append(f"{argv[0]}: missing")
    return "".join(text)


def restore(cache: Path, tree: Path) -> bool:
    """Move a kept ``target/`` into the base tree; whether there was one."""
    kept = cache / TARGET
    if not kept.is_dir() or (tree / TARGET).exists():
        return False
    shutil.move(str(kept), str(tree / TARGET))
    return True


def keep(cache: Path, tree: Path, results: Iterable[Path]) -> None:
    """Move the base tree's ``target/`` to ``cache`` (its results left out, so a later
    run cannot read them as its own); older keys of the same folder are dropped."""
    built = tree / TARGET
    if not built.is_dir():
        return
    for path in results:
        if path.resolve().is_relative_to(built.resolve()) and path.exists():
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()
    if cache.parent.is_dir():
        for old in cache.parent.iterdir():  # only earlier keys: 16 hex digits holding target/
            if old != cache and KEY.fullmatch(old.name) and (old / TARGET).is_dir():
                shutil.rmtree(old, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    if (cache / TARGET).exists():
        shutil.rmtree(cache / TARGET)
    shutil.move(str(built), str(cache / TARGET))
