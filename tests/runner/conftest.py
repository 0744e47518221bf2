"""Helpers for the runner tests: real scripts, a stand-in ``nvidia-smi``, a config writer."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

# What the real nvidia-smi prints, by scenario: (query CSV, MIG modes, exit code, error text).
SMI_BANNER = """\
Tue Nov 19 10:21:33 2024
+---------------------------------------------------------------------------------------+
| NVIDIA-SMI 535.104.05             Driver Version: 535.104.05   CUDA Version: 12.2     |
|-----------------------------------------+----------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |
|   0  NVIDIA H100 80GB HBM3          On  | 00000000:19:00.0 Off |                    0 |
+-----------------------------------------+----------------------+----------------------+
"""
SMI = {
    "h100": ("NVIDIA H100 80GB HBM3, 535.104.05, 81559 MiB, 9.0, 1980 MHz\n", "Disabled\n", 0, ""),
    "l4": ("NVIDIA L4, 550.54.15, 23034 MiB, 8.9, 2040 MHz\n", "[N/A]\n", 0, ""),
    "a100-mig": (
        "NVIDIA A100-SXM4-40GB, 525.85.12, 40960 MiB, 8.0, 1410 MHz\n"
        "NVIDIA A100-SXM4-40GB, 525.85.12, 40960 MiB, 8.0, 1410 MHz\n",
        "Enabled\nEnabled\n",
        0,
        "",
    ),
    "no-driver": (
        "",
        "",
        9,
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
        "Make sure that the latest NVIDIA driver is installed and running.\n",
    ),
    "no-devices": ("", "", 6, "No devices were found\n"),
    "nvml-mismatch": ("", "", 18, "Failed to initialize NVML: Driver/library version mismatch\n"),
}

FAKE_SMI = """\
#!{python}
import sys
QUERY, MIG, CODE, ERROR = {scenario!r}
BANNER = {banner!r}
args = sys.argv[1:]
if CODE:
    sys.stdout.write(ERROR)
    sys.exit(CODE)
if any(a.startswith("--query-gpu=mig.mode") for a in args):
    sys.stdout.write(MIG)
elif any(a.startswith("--query-gpu=") for a in args):
    sys.stdout.write(QUERY)
else:
    sys.stdout.write(BANNER)
"""


def write_script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def fake_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str | None], Path]:
    """``fake_smi("h100")`` puts a stand-in nvidia-smi first on PATH; ``None``: none at all."""
    bindir = tmp_path / "fake-bin"

    def install(scenario: str | None) -> Path:
        bindir.mkdir(exist_ok=True)
        smi = bindir / "nvidia-smi"
        if scenario is None:
            smi.unlink(missing_ok=True)
            # PATH without any nvidia-smi: only the folders holding bash, git and python.
            keep = [
                p
                for p in os.environ["PATH"].split(os.pathsep)
                if not (Path(p) / "nvidia-smi").exists()
            ]
            monkeypatch.setenv("PATH", os.pathsep.join([str(bindir), *keep]))
            return smi
        text = FAKE_SMI.format(python=sys.executable, scenario=SMI[scenario], banner=SMI_BANNER)
        write_script(smi, text)
        monkeypatch.setenv("PATH", os.pathsep.join([str(bindir), os.environ["PATH"]]))
        return smi

    return install


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[dict[str, object]], Path]:
    def write(doc: dict[str, object], name: str = ".perf-gate.yml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump({"version": 1, **doc}, sort_keys=False), encoding="utf-8")
        return path

    return write


PY = sys.executable

LIBTEST_BENCH = """\
import sys, time
time.sleep({delay})
print("   Compiling bitnet-kernels v0.1.0 (/work/bitnet/crates/bitnet-kernels)")
print("    Finished `bench` profile [optimized] target(s) in 0.42s")
print("     Running benches/simd_comparison.rs "
      "(target/release/deps/simd_comparison-3f2a9c1d7b6e5a40)")
print()
print("running 2 tests")
print("test i2s_dequantize_avx2   ... bench:       {ns:,} ns/iter (+/- 56)")
print("test tl1_matmul_scalar     ... bench:      45,678 ns/iter (+/- 1,234)")
print()
print("test result: ok. 0 passed; 0 failed; 0 ignored; 2 measured; 0 filtered out; "
      "finished in 3.21s")
"""

CRITERION_TERMINAL = """\
print("Benchmarking i2s_quantize/1024: Warming up for 3.0000 s")
print("i2s_quantize/1024       time:   [1.2345 µs 1.2400 µs 1.2456 µs]")
print("                        thrpt:  [822.10 Melem/s 825.81 Melem/s 829.50 Melem/s]")
print("                 change: [-1.2345% +0.1234% +1.4567%] (p = 0.85 > 0.05)")
print("                 No change in performance detected.")
"""

XTASK = """\
import json, sys
out = sys.argv[sys.argv.index("--json") + 1]
tps = float(sys.argv[sys.argv.index("--tps") + 1]) if "--tps" in sys.argv else 45.2
doc = {{
    "model_path": "models/bitnet/ggml-model-i2_s.gguf", "prompt": "Hello",
    "generated_text": " world", "tokens_generated": 128, "warmup_tokens": 8,
    "device": "{device}",
    "timing": {{"warmup_ms": 400.0, "prefill_ms": 40.4, "decode_ms": 2830.0,
               "generation_ms": 2870.0, "total_ms": 3270.0}},
    "performance": {{"tokens_per_sec": tps, "ms_per_token": 1000 / tps,
                    "total_tokens_per_sec": tps * 0.92}},
    "success": True,
}}
print(f"Generated 128 tokens in 2.83s ({{tps}} tok/s)")
with open(out, "w") as f:
    json.dump(doc, f)
"""


# A stand-in nvidia-smi for the GPU state and memory: what driver 580 prints on an H200.
# ``GPU_SMI`` answers the hardware query, the state query (clocks, temperature, power,
# clock-event reasons, persistence, ECC, memory), the compute-apps query and the
# ``-lms`` memory sampling loop, from a JSON file beside it. Each state query takes the
# next entry of ``states`` (the start, then the end of a command).
H200 = "NVIDIA H200, 580.159.04, 143771 MiB, 9.0, 1980 MHz\n"
STATE_IDLE = "0, 345 MHz, 3201 MHz, 31, 76.23 W, 700.00 W, 0x0000000000000001, Enabled, 0, 0 MiB"
STATE_HOT = "0, 1275 MHz, 3201 MHz, 89, 698.40 W, 700.00 W, 0x0000000000000024, Enabled, 0, 0 MiB"

GPU_SMI = """\
#!{python}
import json, os, sys, time
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "gpu-state.json")) as f:
    S = json.load(f)
args = sys.argv[1:]
query = next((a.split("=", 1)[1] for a in args if a.startswith("--query-gpu=")), "")
if S.get("old_driver") and "clocks_event_reasons" in query:
    print('Field "clocks_event_reasons.active" is not a valid field to query.')
    sys.exit(2)
if query.startswith("memory.used"):
    for line in S.get("samples", ["0, 345"]):
        print(line, flush=True)
        time.sleep(0.02)
    open(os.path.join(here, "sampled"), "w").close()  # the benchmark may finish now
    while True:
        time.sleep(0.05)
elif query.startswith("index,"):
    counter = os.path.join(here, "state-count")
    n = int(open(counter).read()) if os.path.exists(counter) else 0
    open(counter, "w").write(str(n + 1))
    states = S.get("states", [])
    print(states[min(n, len(states) - 1)] if states else "")
elif any(a.startswith("--query-compute-apps=") for a in args):
    sys.stdout.write("".join(line + "\\n" for line in S.get("apps", [])))
elif query.startswith("mig.mode"):
    print("Disabled")
elif query:
    sys.stdout.write(S.get("gpu", {h200!r}))
else:
    print("| NVIDIA-SMI 580.159.04    Driver Version: 580.159.04    CUDA Version: 13.0 |")
"""


@pytest.fixture
def gpu_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, object]], Path]:
    """``gpu_smi({"states": [...], "samples": [...], "apps": [...]})``: the stand-in above,
    first on PATH; call it again to change what it answers."""
    bindir = tmp_path / "gpu-bin"

    def install(state: dict[str, object]) -> Path:
        bindir.mkdir(exist_ok=True)
        (bindir / "gpu-state.json").write_text(json.dumps(state), encoding="utf-8")
        (bindir / "state-count").unlink(missing_ok=True)
        (bindir / "sampled").unlink(missing_ok=True)
        smi = write_script(bindir / "nvidia-smi", GPU_SMI.format(python=sys.executable, h200=H200))
        if str(bindir) not in os.environ["PATH"]:
            monkeypatch.setenv("PATH", os.pathsep.join([str(bindir), os.environ["PATH"]]))
        return smi

    return install
