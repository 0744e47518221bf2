"""The Receipts section: the seed's evidence files found in the run and the inputs."""

from __future__ import annotations

import hashlib
from pathlib import Path

from perf_gate.environment import artifacts_url
from perf_gate.inputs.receipt_files import SEED_NAMES, find_receipts, is_flamegraph
from perf_gate.report.receipts_section import receipts_section, size_text


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_files_and_flamegraphs_in_a_workspace_are_found_with_size_and_sha256(
    tmp_path: Path,
) -> None:
    ws = tmp_path / "ws"
    log = write(ws / "cpu-bench.log", "test bench ... bench: 10 ns/iter (+/- 1)\n")
    write(ws / "perf" / "crossval-perf.json", "{}")
    write(ws / "profiles" / "flamegraph-decode.svg", "<svg/>")
    write(ws / "profiles" / "graph.svg", '<svg><text id="title">Flame Graph</text></svg>')
    write(ws / "profiles" / "chart.svg", "<svg><text>tok/s</text></svg>")  # not a flame graph
    write(ws / "target" / "criterion" / "report" / "perf-profile.svg", "<svg/>")  # criterion's
    write(ws / "target" / "CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55")
    write(ws / "target" / "flamegraph.svg", "<svg/>")  # inside cargo's build cache
    write(ws / ".git" / "memory-usage.txt", "x")

    found = find_receipts([ws])
    assert [(f.path, f.kind) for f in found.files] == [
        ("cpu-bench.log", "log"),
        ("perf/crossval-perf.json", "crossval"),
        ("profiles/flamegraph-decode.svg", "flamegraph"),
        ("profiles/graph.svg", "flamegraph"),
    ]
    first = found.files[0]
    assert first.size == log.stat().st_size
    assert first.sha256 == hashlib.sha256(log.read_bytes()).hexdigest()
    assert found.missing == ("gpu-bench.log", "perf-profile.svg", "memory-usage.txt")


def test_the_runs_artifacts_come_first_and_each_file_is_listed_once(tmp_path: Path) -> None:
    log = write(tmp_path / "gpu-bench.log", "x")
    mem = write(tmp_path / "perf-gate-out" / "memory-usage.txt", "peak_rss: 1 MB\n")
    bench = write(tmp_path / "xtask-benchmark.log", "y")
    artifacts = [
        {"path": "gpu-bench.log", "kind": "log"},
        {"path": "xtask-benchmark.log", "kind": "log"},  # a benchmark log of the run
        {"path": "perf-gate-out/perf-run.json", "kind": "run"},  # not evidence
        {"path": "gone.log", "kind": "log"},  # not on this machine
        {"path": str(mem), "kind": "memory"},
    ]
    found = find_receipts([tmp_path / "perf-gate-out"], [(a, tmp_path) for a in artifacts])
    assert [f.path for f in found.files] == ["gpu-bench.log", "xtask-benchmark.log", str(mem)]
    assert [f.size for f in found.files] == [1, 1, mem.stat().st_size]
    assert log.exists() and bench.exists()
    assert found.missing == ("cpu-bench.log", "crossval-perf.json", "perf-profile.svg")


def test_a_file_given_directly_counts_by_its_name(tmp_path: Path) -> None:
    profile = write(tmp_path / "perf-profile.svg", "<svg/>")
    other = write(tmp_path / "results.json", "{}")
    found = find_receipts([profile, other])
    assert [(f.path, f.kind) for f in found.files] == [("perf-profile.svg", "profile")]


def test_nothing_found_names_all_five_and_the_section_keeps_the_seed_order(tmp_path: Path) -> None:
    found = find_receipts([tmp_path])
    assert found.files == () and found.missing == SEED_NAMES
    section = receipts_section(found, "https://github.com/o/r/actions/runs/1#artifacts")
    assert section.to_dict() == {
        "files": [],
        "missing": list(SEED_NAMES),
        "artifacts_url": "https://github.com/o/r/actions/runs/1#artifacts",
    }


def test_sizes_read_as_bytes_then_decimal_units() -> None:
    assert [size_text(n) for n in (None, 0, 9_999, 10_000, 2_500_000, 3_000_000_000)] == [
        "unknown",
        "0 B",
        "9,999 B",
        "10.0 kB",
        "2.5 MB",
        "3.0 GB",
    ]


def test_a_flamegraph_is_told_by_its_name_or_its_title(tmp_path: Path) -> None:
    assert is_flamegraph(write(tmp_path / "Flame.svg", "<svg/>"))
    assert is_flamegraph(write(tmp_path / "x.svg", "<svg><title>flamegraph</title></svg>"))
    assert not is_flamegraph(write(tmp_path / "y.svg", "<svg/>"))
    assert not is_flamegraph(write(tmp_path / "flame.txt", "flame graph"))


def test_the_artifacts_link_is_built_from_the_actions_environment_or_not_at_all() -> None:
    env = {
        "GITHUB_SERVER_URL": "https://github.example.com/",
        "GITHUB_REPOSITORY": "octo/bitnet.rs",
        "GITHUB_RUN_ID": "123456",
    }
    assert (
        artifacts_url(env)
        == "https://github.example.com/octo/bitnet.rs/actions/runs/123456#artifacts"
    )
    assert artifacts_url({**env, "GITHUB_SERVER_URL": ""}) == (
        "https://github.com/octo/bitnet.rs/actions/runs/123456#artifacts"
    )
    assert artifacts_url({}) is None
    assert artifacts_url({**env, "GITHUB_RUN_ID": ""}) is None
    assert artifacts_url({**env, "GITHUB_RUN_ID": "12)](https://evil"}) is None
    assert artifacts_url({**env, "GITHUB_REPOSITORY": "octo/r) [x](y"}) is None
    assert artifacts_url({**env, "GITHUB_SERVER_URL": "javascript:alert(1)"}) is None


def test_a_criterion_tree_given_as_the_input_is_not_searched(tmp_path: Path) -> None:
    """criterion's tree holds its own SVG plots and 6 files a benchmark (60,000 at 10,000
    benchmarks, a second to walk): no receipts, as when a workspace walk meets it."""
    tree = tmp_path / "target" / "criterion"
    write(tree / "report" / "perf-profile.svg", "<svg/>")
    write(tree / "group" / "bench" / "new" / "estimates.json", "{}")
    assert find_receipts([tree]).files == ()
    assert [f.path for f in find_receipts([tmp_path]).files] == []  # pruned below, as before
    write(tmp_path / "perf-profile.svg", "<svg/>")
    assert [f.path for f in find_receipts([tmp_path]).files] == ["perf-profile.svg"]


def test_a_hidden_folder_given_as_the_input_is_searched(tmp_path: Path) -> None:
    saved = tmp_path / ".benchmarks"  # where pytest-benchmark saves its runs
    write(saved / "cpu-bench.log", "x")
    assert [f.path for f in find_receipts([saved]).files] == ["cpu-bench.log"]
