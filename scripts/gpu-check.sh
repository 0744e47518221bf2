#!/usr/bin/env bash
# gpu-check.sh: exercise issue 18 (GPU runs as they really are) on a real NVIDIA GPU.
#
# Needs: an NVIDIA GPU with its driver (nvidia-smi), PyTorch with CUDA, and perf-gate's
# own dependencies (the repository's .venv, or a python3 that imports perf_gate with
# the repository on PYTHONPATH). Optional: nvidia-ml-py (NVML sampling; else nvidia-smi).
#
# Usage, from the repository root:  scripts/gpu-check.sh [WORK_DIR]
# Writes WORK_DIR/gpu-check-report.md (default WORK_DIR: ./gpu-check-out) and prints it.
# Exit status: 0 when every check holds, 1 when one does not, 2 when it cannot run.
#
# Checks, one per item of issue 18:
#   1. CUDA_VISIBLE_DEVICES="" makes PyTorch fail: the route is gpu-troubleshooter;
#      a GPU command that exits 0 with no GPU metric routes there too.
#   2. finalize --baseline run1/perf-run.json (and the folder run1) is accepted.
#   3. the whole-command RSS of an unchanged run does not fail the gate.
#   4. each device: gpu command has a "peak GPU memory" metric, memory before/after.
#   5. GPU state at start and end (clocks, temperature, power, throttle reasons,
#      persistence, ECC, processes) is in perf-run.json; a 2x bf16 slowdown fails
#      unless the GPU state explains it (then it warns with that reason).
#   6. the CPU test of the mixed suite is labelled cpu, the matmuls gpu.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mkdir -p "${1:-gpu-check-out}" && cd "${1:-gpu-check-out}" && pwd)
REPORT="$WORK/gpu-check-report.md"
SAMPLES=${GPU_CHECK_SAMPLES:-30}

if [[ -x "$REPO/.venv/bin/python" ]] && "$REPO/.venv/bin/python" -c "import perf_gate" 2>/dev/null; then
  PY="$REPO/.venv/bin/python"
else
  PY=python3
fi
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"
if ! "$PY" -c "import perf_gate" 2>/dev/null; then
  echo "gpu-check: $PY cannot import perf_gate (install its requirements)" >&2
  exit 2
fi
TORCH_PY=${TORCH_PY:-$PY}
if ! "$TORCH_PY" -c "import torch" 2>/dev/null; then
  echo "gpu-check: $TORCH_PY cannot import torch (set TORCH_PY to a python with PyTorch)" >&2
  exit 2
fi
if ! command -v nvidia-smi >/dev/null; then
  echo "gpu-check: no nvidia-smi on PATH" >&2
  exit 2
fi

failures=0
lines=()
say() { lines+=("$1"); }
check() {  # check NAME CONDITION-EXIT-STATUS DETAIL
  if [[ "$2" == 0 ]]; then say "- ✅ $1 — $3"; else say "- ❌ $1 — $3"; failures=$((failures + 1)); fi
}
gate() { (cd "$WORK" && "$PY" -m perf_gate "$@"); }
field() {  # field FILE PYTHON-EXPRESSION-ON-d
  "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

cat > "$WORK/suite.py" <<'PYEOF'
"""A mixed suite: 4096x4096 matmuls in fp32, fp16, bf16 on the GPU, one CPU test.

Writes pytest-benchmark JSON (bench.json). GPU_CHECK_SLOW=2 doubles the bf16 work;
GPU_CHECK_SKIP_GPU=1 skips the GPU tests as a skipif would.
"""
import json, os, time
import torch

samples = int(os.environ.get("GPU_CHECK_SAMPLES", "30"))
benches = {}

def timed(name, fn, sync):
    fn(); sync()
    data = []
    for _ in range(samples):
        start = time.perf_counter(); fn(); sync(); data.append(time.perf_counter() - start)
    benches[name] = data

if os.environ.get("GPU_CHECK_SKIP_GPU") != "1":
    dev = torch.device("cuda")
    torch.cuda.synchronize()  # fails here without a usable GPU (CUDA_VISIBLE_DEVICES="")
    for dtype in ("float32", "float16", "bfloat16"):
        a = torch.randn(4096, 4096, device=dev, dtype=getattr(torch, dtype))
        b = torch.randn(4096, 4096, device=dev, dtype=getattr(torch, dtype))
        reps = int(os.environ.get("GPU_CHECK_SLOW", "1")) if dtype == "bfloat16" else 1
        timed(f"test_matmul_{dtype}", lambda: [a @ b for _ in range(reps)], torch.cuda.synchronize)
text = "perf-gate " * 20000
timed("test_cpu_tokenizer", lambda: text.split(), lambda: None)

def stats(d):
    d = sorted(d); n = len(d); mean = sum(d) / n
    return {"min": d[0], "max": d[-1], "mean": mean, "stddev": 0.0, "rounds": n,
            "median": d[n // 2], "iqr": 0.0, "q1": d[n // 4], "q3": d[3 * n // 4],
            "iqr_outliers": 0, "stddev_outliers": 0, "outliers": "0;0", "ld15iqr": d[0],
            "hd15iqr": d[-1], "ops": 1 / mean, "total": sum(d), "iterations": 1, "data": d}

doc = {"machine_info": {}, "commit_info": {}, "version": "4.0.0", "datetime": "",
       "benchmarks": [{"group": None, "name": k, "fullname": "tests/test_gpu.py::" + k,
                       "params": None, "param": None, "extra_info": {}, "options": {},
                       "stats": stats(v)} for k, v in benches.items()]}
json.dump(doc, open("bench.json", "w"))
print(f"{len(benches)} benchmarks, {samples} samples each")
PYEOF

cat > "$WORK/.perf-gate.yml" <<YAMLEOF
version: 1
gpu:
  expected: true
benchmarks:
  - name: torch
    command: $TORCH_PY suite.py
    device: gpu
    results: bench.json
    format: pytest-benchmark
    timeout: 10m
    devices:
      cpu: ["*::test_cpu_*"]
YAMLEOF

export GPU_CHECK_SAMPLES="$SAMPLES"
rm -rf "$WORK"/run1 "$WORK"/run2 "$WORK"/slow "$WORK"/nogpu "$WORK"/skipgpu "$WORK"/fin-*

# -- two unchanged runs ------------------------------------------------------------------
gate run --output-dir run1 >"$WORK/run1.out" 2>&1
gate run --output-dir run2 >"$WORK/run2.out" 2>&1
R1="$WORK/run1/perf-run.json"
say "## Machine"
say ""
say "- $(field "$R1" 'd["hardware"]["key"]'), CUDA $(field "$R1" 'd["hardware"]["cuda_version"]')"
say "- nvidia-ml-py: $("$PY" -c 'import pynvml; print("installed")' 2>/dev/null || echo "not installed (nvidia-smi sampling)")"
say ""
say "## Checks"
say ""

# item 6: devices by name
devices=$(field "$R1" '" ".join(sorted(m["name"].split("::")[-1]+"="+m["device"] for m in d["metrics"]))')
[[ "$devices" == *"test_cpu_tokenizer=cpu"* && "$devices" == *"test_matmul_bfloat16=gpu"* ]]
check "6 devices by metric name" $? "$devices"

# item 4: peak GPU memory, before/after
gpu=$(field "$R1" 'd["commands"][0]["gpu"]')
peak=$(field "$R1" '[m["value"] for m in d["metrics"] if m["name"]=="torch peak GPU memory"][0]')
before=$(field "$R1" 'd["commands"][0]["gpu"]["memory_before_mb"]')
after=$(field "$R1" 'd["commands"][0]["gpu"]["memory_after_mb"]')
via=$(field "$R1" 'd["commands"][0]["gpu"]["sampled_with"]')
nsamples=$(field "$R1" 'd["commands"][0]["gpu"]["samples"]')
[[ -n "$peak" && "$peak" != None && -n "$before" && "$before" != None ]]
check "4 peak GPU memory" $? "peak ${peak} MB via ${via} (${nsamples} samples); device memory before ${before} MB, after ${after} MB"

# item 5: GPU state as evidence
state=$("$PY" - "$R1" <<'PYEOF'
import json, sys
gpu = json.load(open(sys.argv[1]))["commands"][0].get("gpu") or {}
parts = []
for moment in ("start", "end"):
    snap = gpu.get(moment) or {}
    for g in snap.get("gpus", []):
        parts.append(
            "{}: SM {} MHz, mem {} MHz, {} C, {}/{} W, reasons {}, persistence {}, ECC {}, "
            "{} compute process(es)".format(
                moment, g["sm_clock_mhz"], g["mem_clock_mhz"], g["temperature_c"],
                g["power_draw_w"], g["power_limit_w"], g["throttle_reasons"],
                g["persistence_mode"], g["ecc_uncorrected"], len(snap.get("processes", [])),
            )
        )
    if snap.get("problem"):
        parts.append(f"{moment}: {snap['problem']}")
print("; ".join(parts))
PYEOF
)
[[ "$gpu" != None && "$state" == *"SM "* ]]
check "5 GPU state at start and end" $? "${state}; highest sampled SM clock $(field "$R1" 'd["commands"][0]["gpu"]["sm_clock_max_mhz"]') MHz"

# item 2 and 3: a run as its baseline; unchanged RSS does not fail
gate finalize --config .perf-gate.yml --current run2/perf-run.json --baseline run1/perf-run.json \
  --output-dir fin-same --no-publish >"$WORK/fin-same.out" 2>&1
rc=$?
[[ $rc -ne 2 ]]
check "2 perf-run.json as baseline" $? "exit $rc ($(field "$WORK/fin-same/perf-receipt.json" 'd["gate"]["status"]'), route $(field "$WORK/fin-same/perf-receipt.json" 'd["route"]["next"]'))"
gate finalize --config .perf-gate.yml --current run2/perf-run.json --baseline run1 \
  --output-dir fin-folder --no-publish >"$WORK/fin-folder.out" 2>&1
rc=$?
[[ $rc -ne 2 ]]
check "2 a folder holding perf-run.json as baseline" $? "exit $rc"
mem=$(field "$WORK/fin-same/perf-receipt.json" '"; ".join(m["name"]+": "+m["status"]+" ("+m["explanation"]+")" for m in d["metrics"] if m["kind"]=="memory")')
[[ "$mem" != *": fail ("* ]]
check "3 whole-command memory of unchanged code" $? "$mem"
timings=$(field "$WORK/fin-same/perf-receipt.json" '"; ".join(m["name"].split("::")[-1]+" "+m["status"] for m in d["metrics"] if m["kind"]!="memory")')
say "  - unchanged timings: $timings"

# item 5: a 2x bf16 slowdown fails, or warns with the GPU state as the reason
GPU_CHECK_SLOW=2 gate run --output-dir slow >"$WORK/slow.out" 2>&1
gate finalize --config .perf-gate.yml --current slow/perf-run.json --baseline run1 \
  --output-dir fin-slow --no-publish >"$WORK/fin-slow.out" 2>&1
bf16=$(field "$WORK/fin-slow/perf-receipt.json" '[m["status"]+": "+m["explanation"] for m in d["metrics"] if m["name"].endswith("bfloat16")][0]')
[[ "$bf16" == fail:* || ( "$bf16" == warn:* && "$bf16" == *"GPU state"* ) ]]
check "5 2x bf16 slowdown" $? "$bf16"

# item 1: PyTorch without a GPU
CUDA_VISIBLE_DEVICES="" gate run --output-dir nogpu >"$WORK/nogpu.out" 2>&1
gate finalize --config .perf-gate.yml --current nogpu/perf-run.json --baseline run1 \
  --output-dir fin-nogpu --no-publish >"$WORK/fin-nogpu.out" 2>&1
route=$(field "$WORK/fin-nogpu/perf-receipt.json" 'd["route"]["next"]+": "+d["route"]["reason"]')
[[ "$route" == gpu-troubleshooter:* ]]
check "1 CUDA_VISIBLE_DEVICES=\"\"" $? "$route"

# item 1: exit 0 without any GPU metric
GPU_CHECK_SKIP_GPU=1 gate run --output-dir skipgpu >"$WORK/skipgpu.out" 2>&1
gate finalize --config .perf-gate.yml --current skipgpu/perf-run.json --baseline run1 \
  --output-dir fin-skipgpu --no-publish >"$WORK/fin-skipgpu.out" 2>&1
route=$(field "$WORK/fin-skipgpu/perf-receipt.json" 'd["route"]["next"]+": "+d["route"]["reason"]')
[[ "$route" == gpu-troubleshooter:* ]]
check "1 GPU command exits 0 with no GPU metric" $? "$route"

{
  echo "# perf-gate GPU check (issue 18)"
  echo ""
  printf '%s\n' "${lines[@]}"
  echo ""
  echo "$failures check(s) failed. Logs and receipts: $WORK"
} >"$REPORT"
cat "$REPORT"
[[ $failures -eq 0 ]]
