"""Regenerate the bundled BitNet.rs-style example PR (deterministic).

    python examples/generate_example.py

Writes ``examples/bitnet-pr/{baseline,current}/``: a criterion tree of
quantization and kernel benchmarks with raw samples, ``xtask benchmark --json``
reports for CPU and GPU, quantization accuracy, peak memory, a valgrind memcheck log
of one inference run (its ``definitely lost`` bytes must be 0; its allocation counts are
judged against the baseline), the inference receipt (with the CPU it ran on), and in
``current/`` the run's flame graph ``perf-profile.svg`` (listed in the report's Receipts); and
``examples/bitnet-pr/perf-baseline.json``, a baseline store of the main branch: five
earlier runs (one with a gemv regression that a later commit fixed) and, newest, the
baseline folder's run (``perf-gate history`` draws it; ``--baseline`` reads it).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).parent / "bitnet-pr"

# (group, function, parameter, elements per iteration, baseline ns per iteration)
BENCHES = [
    ("quantization_sizes", "I2S_quantize", "1024", 1024, 19_400.0),
    ("quantization_sizes", "I2S_quantize", "4096", 4096, 71_800.0),
    ("quantization_sizes", "TL1_quantize", "4096", 4096, 64_300.0),
    ("quantization_sizes", "TL2_quantize", "4096", 4096, 66_900.0),
    ("simd_comparison", "i2s_dequantize_avx2", "65536", 65536, 152_000.0),
    ("simd_comparison", "i2s_dequantize_scalar", "65536", 65536, 611_000.0),
    ("kernels", "i2s_gemv", "2048x2048", None, 1_630_000.0),
]

# current / baseline speed ratio per benchmark (1.0 = unchanged); the PR speeds up gemv
CHANGE = {"kernels/i2s_gemv/2048x2048": 0.88, "simd_comparison/i2s_dequantize_avx2/65536": 1.01}


def _write(path: Path, doc: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def criterion(root: Path, rng: random.Random, current: bool) -> None:
    for group, func, param, elements, ns in BENCHES:
        full_id = f"{group}/{func}/{param}"
        mean = ns * (CHANGE.get(full_id, 1.0) if current else 1.0)
        unit = root / "target" / "criterion" / group / func / param / "new"
        iters = [float(10 * (i + 1)) for i in range(100)]
        per_iter = [mean * rng.lognormvariate(0.0, 0.02) for _ in iters]
        times = [round(n * t, 1) for n, t in zip(iters, per_iter, strict=True)]
        ordered = sorted(per_iter)
        median = (ordered[49] + ordered[50]) / 2
        spread = {
            "confidence_level": 0.95,
            "lower_bound": median * 0.995,
            "upper_bound": median * 1.005,
        }
        _write(unit / "sample.json", {"sampling_mode": "Linear", "iters": iters, "times": times})
        _write(
            unit / "estimates.json",
            {
                "mean": {
                    "confidence_interval": spread,
                    "point_estimate": sum(per_iter) / 100,
                    "standard_error": mean * 0.002,
                },
                "median": {
                    "confidence_interval": spread,
                    "point_estimate": median,
                    "standard_error": mean * 0.002,
                },
            },
        )
        benchmark = {
            "group_id": group,
            "function_id": func,
            "value_str": param,
            "throughput": {"Elements": elements} if elements else None,
            "full_id": full_id,
            "directory_name": full_id,
            "title": full_id,
        }
        _write(unit / "benchmark.json", benchmark)


def xtask(root: Path, device: str, tok_s: float, tokens: int = 128) -> None:
    decode_ms = tokens / tok_s * 1000
    _write(
        root / f"xtask-{device}.json",
        {
            "model_path": "models/bitnet/ggml-model-i2_s.gguf",
            "tokenizer_path": "models/bitnet/tokenizer.json",
            "prompt": "The capital of France is",
            "generated_text": " Paris, a city known for its art, fashion and culture.",
            "tokens_generated": tokens,
            "warmup_tokens": 8,
            "device": device,
            "timing": {
                "warmup_ms": 410.0,
                "prefill_ms": 38.5,
                "decode_ms": round(decode_ms, 1),
                "generation_ms": round(decode_ms + 38.5, 1),
                "total_ms": round(decode_ms + 448.5, 1),
            },
            "performance": {
                "tokens_per_sec": tok_s,
                "ms_per_token": round(1000 / tok_s, 3),
                "total_tokens_per_sec": round(tok_s * 0.93, 1),
            },
            "success": True,
        },
    )


def memcheck(root: Path, pid: int, allocs: int, allocated: int) -> None:
    """``valgrind --leak-check=full --log-file=memcheck.log bitnet-cli infer ...``"""
    p = f"=={pid}=="
    lines = [
        f"{p} Memcheck, a memory error detector",
        f"{p} Copyright (C) 2002-2022, and GNU GPL'd, by Julian Seward et al.",
        f"{p} Using Valgrind-3.19.0 and LibVEX; rerun with -h for copyright info",
        f"{p} Command: target/release/bitnet-cli infer --tokens 16 --deterministic",
        f"{p} ",
        f"{p} ",
        f"{p} HEAP SUMMARY:",
        f"{p}     in use at exit: 0 bytes in 0 blocks",
        f"{p}   total heap usage: {allocs:,} allocs, {allocs:,} frees, "
        f"{allocated:,} bytes allocated",
        f"{p} ",
        f"{p} All heap blocks were freed -- no leaks are possible",
        f"{p} ",
        f"{p} For lists of detected and suppressed errors, rerun with: -s",
        f"{p} ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)",
    ]
    (root / "memcheck.log").write_text("\n".join(lines) + "\n", encoding="utf-8")


# (frame, depth, first sample, samples) of `cargo flamegraph -o perf-profile.svg` on one
# inference run, 1,000 samples in all
FRAMES = [
    ("bitnet-cli", 0, 0, 1000),
    ("bitnet_inference::generate", 1, 20, 960),
    ("bitnet_kernels::i2s_gemv", 2, 20, 610),
    ("bitnet_kernels::cpu::avx2::i2s_matmul_avx2", 3, 30, 540),
    ("bitnet_kernels::tl1_lookup_avx2", 2, 630, 190),
    ("bitnet_inference::sampling::top_k", 2, 820, 120),
]


def flamegraph(root: Path) -> None:
    """An inferno flame graph (``cargo flamegraph``): rectangles with titles, no script."""
    width, row = 1200, 16
    height = row * (len({f[1] for f in FRAMES}) + 3)
    parts = [
        '<?xml version="1.0" standalone="no"?>',
        f'<svg version="1.1" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text id="title" x="{width // 2}" y="24" text-anchor="middle">Flame Graph</text>',
    ]
    for name, depth, start, samples in FRAMES:
        x, w = start * width / 1000, samples * width / 1000
        y = height - (depth + 1) * row
        parts.append(
            f"<g><title>{name} ({samples} samples, {samples / 10:.2f}%)</title>"
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 1}" fill="#e8743b"/>'
            f'<text x="{x + 3:.1f}" y="{y + 11}" font-size="11">{name[: int(w / 7)]}</text></g>'
        )
    parts.append("</svg>")
    (root / "perf-profile.svg").write_text("\n".join(parts) + "\n", encoding="utf-8")


def side(
    name: str, current: bool, cpu: float, gpu: float, acc: dict[str, float], mem_mb: float
) -> None:
    root = ROOT / name
    rng = random.Random(7 if current else 3)
    criterion(root, rng, current)
    xtask(root, "cpu", cpu)
    xtask(root, "cuda", gpu)
    # cargo test -p bitnet-quantization ... accuracy report, one line per quantizer
    (root / "quantization-accuracy.txt").write_text(
        "".join(f"{q}: {v:.2f}%\n" for q, v in acc.items()), encoding="utf-8"
    )
    (root / "memory-usage.txt").write_text(f"peak_rss: {mem_mb:.1f} MB\n", encoding="utf-8")
    memcheck(root, 51234 if current else 48211, 18_402 if current else 18_391, 2_271_440_120)
    if current:
        flamegraph(root)
    # the inference receipt of the same CPU run (honest compute: real kernels)
    _write(
        root / "ci" / "inference.json",
        {
            "schema_version": "1.0.0",
            "timestamp": "2026-11-20T10:30:00Z",
            "compute_path": "real",
            "backend": "cpu",
            "deterministic": True,
            "tokens_requested": 128,
            "tokens_generated": 128,
            "tokens_per_second": cpu,
            "kernels": ["i2s_gemv", "i2s_matmul_avx2", "tl1_lookup_avx2", "tl2_forward"],
            "environment": {
                "OS": "linux-x86_64",
                "RUST_VERSION": "1.90.0",
                "CPU_BRAND": "AMD EPYC 7763 64-Core Processor",
            },
            "model": {"path": "models/bitnet/ggml-model-i2_s.gguf"},
        },
    )


# per earlier run: (commit, date, gemv slowdown); the others drift by a few tenths of a percent
HISTORY = [
    ("3f1c2a9e", "2026-11-02", 1.0),
    ("8b07d4c1", "2026-11-06", 1.0),
    ("c92e11f0", "2026-11-10", 1.16),
    ("1d4e5b77", "2026-11-13", 1.01),
    ("a6f09b32", "2026-11-17", 1.0),
]


def store() -> None:
    """The baseline store: earlier runs (values only) and the baseline folder's run on top."""
    from dataclasses import replace

    from perf_gate.core.model import RunSet
    from perf_gate.inputs.baseline.store import StoredRun, store_document
    from perf_gate.inputs.runs import load_run

    newest = load_run([ROOT / "baseline"], None, role="baseline")
    rng = random.Random(11)
    history = []
    for commit, date, gemv in HISTORY:
        metrics = tuple(
            replace(
                m,
                value=round(
                    m.value * (gemv if "i2s_gemv" in m.name else 1 + rng.gauss(0, 0.004)), 4
                ),
                samples=(),
                lower=None,
                upper=None,
                source="",
            )
            for m in newest.metrics
        )
        run = RunSet(metrics=metrics, formats=newest.formats)
        history.append(
            StoredRun(run, commit=commit * 5, branch="main", created_at=f"{date}T09:00:00Z")
        )
    top = StoredRun(
        replace(newest, metrics=tuple(replace(m, source="") for m in newest.metrics)),
        commit="e41b8d20" * 5,
        branch="main",
        created_at="2026-11-20T10:30:00Z",
    )
    _write(ROOT / "perf-baseline.json", store_document(top, history, keep=len(history) + 1))


if __name__ == "__main__":
    side("baseline", False, 42.1, 156.3, {"I2S": 99.82, "TL1": 99.76, "TL2": 99.71}, 2104.0)
    side("current", True, 45.2, 159.1, {"I2S": 99.84, "TL1": 99.78, "TL2": 99.73}, 2106.0)
    store()
