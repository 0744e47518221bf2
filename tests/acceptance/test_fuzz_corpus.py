"""The generated fuzz corpus (issue 12): malformed inputs of every format, the config,
baseline stores and artifact zips, made at test time from fixed seeds.

Every input must be judged (exit 0 or 1) or refused as bad input (exit 2): no internal
error (exit 70), no traceback, and no line of output that a GitHub runner would take
for a workflow command. The CLI runs in-process so that over a thousand inputs take
seconds.
"""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from perf_gate.cli import main
from perf_gate.core.errors import PerfGateError
from perf_gate.inputs.baseline.sources import runs_from_zip
from tests.conftest import FIXTURES

SEEDS = sorted(p for p in (FIXTURES / "formats" / "positive").rglob("*") if p.is_file())
PER_SEED = 40
HOSTILE_STRINGS = [
    "::error::fuzz",
    "::stop-commands::fuzz",
    "\x1b[31mred",
    "a\n::warning::b",
    "x" * 5000,
    "",
    "#123 @someone",
]
HOSTILE_NUMBERS = ["NaN", "Infinity", "-Infinity", "-1", "0", "1e999", "9" * 401, "-0.0", "1e-320"]


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(5)
    if not data:
        return bytes(rng.randrange(256) for _ in range(16))
    at = rng.randrange(len(data))
    if choice == 0:
        return data[:at]  # truncated
    if choice == 1:
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        return bytes(flipped)
    if choice == 2:
        junk = rng.choice([b"\xff\xfe", b"\x00" * 8, b"[" * 200, b"::error::x\n", b"\x1b[2J"])
        return data[:at] + junk + data[at:]
    if choice == 3:
        return data[:at] + data[at:][: rng.randrange(64)] * rng.randint(2, 50)
    return data.decode("utf-8", "replace").encode("utf-16")


def _json_values(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _json_values(value, (*path, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _json_values(value, (*path, index))


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return doc


SENTINEL = "@@FUZZ@@"


def _mutate_json(text: str, rng: random.Random) -> bytes:
    doc = json.loads(text)
    paths = list(_json_values(doc))
    path = rng.choice(paths)
    choice = rng.randrange(6)
    if choice == 0:  # a hostile number where anything was
        doc = _set(doc, path, SENTINEL)
        return json.dumps(doc).replace(f'"{SENTINEL}"', rng.choice(HOSTILE_NUMBERS)).encode()
    if choice == 1:  # a hostile string
        return json.dumps(_set(doc, path, rng.choice(HOSTILE_STRINGS))).encode()
    if choice == 2:  # a value of the wrong type
        wrong = rng.choice([None, [], {}, True, "1", 1, [[[]]], {"": None}])
        return json.dumps(_set(doc, path, wrong)).encode()
    if choice == 3 and path:  # a key or item removed
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        del parent[path[-1]]
        return json.dumps(doc).encode()
    if choice == 4:  # nested deeper than any format
        depth = rng.choice([70, 1000, 100_000])
        doc = _set(doc, path, SENTINEL)
        return json.dumps(doc).replace(f'"{SENTINEL}"', "[" * depth + "]" * depth).encode()
    raw = json.dumps(doc)  # a duplicate key
    return re.sub(r'\{"([^"]+)": ', r'{"\1": 0, "\1": ', raw, count=1).encode()


def _mutate_text(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines()
    if not lines:
        return b"::error::empty"
    at = rng.randrange(len(lines))
    choice = rng.randrange(4)
    if choice == 0:
        lines[at] = re.sub(r"\d+(\.\d+)?", rng.choice(HOSTILE_NUMBERS).lower(), lines[at])
    elif choice == 1:
        lines[at] = lines[at] + rng.choice(HOSTILE_STRINGS)
    elif choice == 2:
        lines.insert(at, lines[at])
    else:
        del lines[at]
    return "\n".join(lines).encode()


def mutations(seed: Path, count: int) -> Iterator[tuple[str, bytes]]:
    data = seed.read_bytes()
    rng = random.Random(f"{seed.parent.name}/{seed.name}")
    text: str | None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    is_json = text is not None and text.lstrip().startswith(("{", "["))
    for index in range(count):
        kind = rng.randrange(3)
        if kind == 0 or text is None:
            yield f"bytes-{index}", _mutate_bytes(data, rng)
        elif is_json:
            yield f"json-{index}", _mutate_json(text, rng)
        else:
            yield f"text-{index}", _mutate_text(text, rng)


def command_lines(text: str) -> list[str]:
    return [
        line for line in re.split(r"\r\n|\r|\n", text) if line.lstrip().startswith(("::", "##["))
    ]


class Judge:
    """Runs the CLI in-process and keeps every input that was not judged or refused."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.problems: list[str] = []
        self.count = 0

    def __call__(self, label: str, argv: list[str]) -> None:
        self.count += 1
        code = main(argv)
        out, err = self.capsys.readouterr()
        if code not in (0, 1, 2):
            self.problems.append(f"{label}: exit {code}: {err.strip()[-300:]}")
        elif "Traceback" in out + err or "internal error" in err:
            self.problems.append(f"{label}: traceback: {err.strip()[-300:]}")
        elif command_lines(out + "\n" + err):
            self.problems.append(f"{label}: workflow command: {command_lines(out + err)[:2]}")

    def check(self, minimum: int) -> None:
        assert self.count >= minimum
        assert self.problems == [], "\n".join(self.problems[:20])


@pytest.fixture
def judge(capsys: pytest.CaptureFixture[str]) -> Judge:
    return Judge(capsys)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_malformed_results_are_judged_or_refused(judge: Judge, tmp_path: Path, seed: Path) -> None:
    fmt = seed.parent.name
    for label, data in mutations(seed, PER_SEED):
        path = tmp_path / f"{label}-{seed.name}"
        path.write_bytes(data)
        forced = ["--format", fmt] if fmt in _format_names() and label.endswith(("0", "5")) else []
        judge(f"{fmt}/{path.name}", ["ingest", *forced, str(path)])
    judge.check(PER_SEED)


def _format_names() -> list[str]:
    from perf_gate.inputs.parsers import format_names

    return format_names()


GOOD_CURRENT = [{"name": "m", "unit": "ns", "value": 900, "samples": [890, 900, 910]}]

CONFIG_SEED = """\
gate:
  name: review:gate:perf
  threshold: 5
  missing: warn
policies:
  - match: "m*"
    kind: timing
    tolerance: 10
    critical: true
baseline:
  history: 3
benchmarks:
  - name: bench
    command: "true"
    timeout: 30s
    results: [r.json]
    format: custom
"""


CONFIG_VALUES = [
    ".nan",
    ".inf",
    "-.inf",
    "-1",
    "0",
    "0s",
    "-5s",
    "[[[[",
    "{a: b}",
    "~",
    "'x'",
    "*anchor",
    "&a [*a]",
    "9" * 401,
    "!!python/object:os.system x",
]


def test_malformed_configs_are_judged_or_refused(judge: Judge, tmp_path: Path) -> None:
    seed = tmp_path / "seed.yml"
    seed.write_text(CONFIG_SEED)
    current = tmp_path / "cur.json"
    current.write_text(json.dumps(GOOD_CURRENT))
    rng = random.Random("config")
    for index in range(200):
        lines = CONFIG_SEED.splitlines()
        at = rng.randrange(len(lines))
        choice = rng.randrange(4)
        if choice == 0:
            data = _mutate_bytes(CONFIG_SEED.encode(), rng)
        elif choice == 1:
            key, _, _ = lines[at].partition(":")
            value = rng.choice(CONFIG_VALUES)
            lines[at] = f"{key}: {value}"
            data = "\n".join(lines).encode()
        elif choice == 2:
            data = ("gate: " + "[" * rng.choice([100, 10_000, 60_000])).encode()
        else:
            hostile = "  " * rng.randrange(8) + "x: ::error::y"
            data = "\n".join([*lines[:at], hostile, *lines[at:]]).encode()
        path = tmp_path / f"config-{index}.yml"
        path.write_bytes(data)
        judge(
            f"config-{index}",
            [
                "finalize",
                "--config",
                str(path),
                "--current",
                str(current),
                "--no-publish",
                "--output-dir",
                str(tmp_path / "out"),
            ],
        )
    judge.check(200)


def _store() -> str:
    def metric(value: float) -> dict[str, Any]:
        return {
            "name": "m",
            "unit": "ns",
            "value": value,
            "kind": "timing",
            "direction": "lower",
            "samples": [value - 10, value, value + 10],
            "format": "custom",
        }

    return json.dumps(
        {
            "perf_gate_baseline": 1,
            "commit": "a" * 40,
            "branch": "main",
            "created_at": "2031-04-01T00:00:00Z",
            "metrics": [metric(880)],
            "history": [{"metrics": [metric(870)]}, {"metrics": [metric(860)]}],
        }
    )


def test_malformed_baseline_stores_are_judged_or_refused(judge: Judge, tmp_path: Path) -> None:
    current = tmp_path / "cur.json"
    current.write_text(json.dumps(GOOD_CURRENT))
    rng = random.Random("store")
    seed = _store()
    for index in range(200):
        data = _mutate_json(seed, rng) if index % 4 else _mutate_bytes(seed.encode(), rng)
        path = tmp_path / f"baseline-{index}.json"
        path.write_bytes(data)
        judge(
            f"store-{index}",
            [
                "finalize",
                "--current",
                str(current),
                "--baseline",
                str(path),
                "--no-publish",
                "--output-dir",
                str(tmp_path / "out"),
            ],
        )
    judge.check(200)


def _zip(files: dict[str, bytes], method: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ZIP_SHAPES: list[Callable[[random.Random], dict[str, bytes]]] = [
    lambda rng: {"baseline.json": _mutate_json(_store(), rng)},
    lambda rng: {"results/custom.json": _mutate_json(json.dumps(GOOD_CURRENT), rng)},
    lambda rng: {"a": b"x", "a/b.json": b"{}"},
    lambda rng: {"x" * rng.choice([256, 1000]) + ".json": b"[]"},
    lambda rng: {".": b"", "..": b"", "/abs.json": b"[]"},
    lambda rng: {"r.json.gz": _mutate_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 64, rng)},
]


def test_malformed_artifacts_are_read_or_refused(tmp_path: Path) -> None:
    rng = random.Random("zip")
    problems = []
    count = 0
    for index in range(120):
        files = ZIP_SHAPES[index % len(ZIP_SHAPES)](rng)
        blob = _zip(files, rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
        if index % 3 == 0:
            blob = _mutate_bytes(blob, rng)
        count += 1
        try:
            runs_from_zip(blob, None, f"artifact-{index}")
        except PerfGateError as exc:
            assert exc.exit_code == 2
        except Exception as exc:  # the bar: nothing but bad input
            problems.append(f"artifact-{index}: {type(exc).__name__}: {exc}")
    assert count >= 100
    assert problems == []
