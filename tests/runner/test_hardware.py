"""Hardware detection: /proc files, a stand-in nvidia-smi on PATH, and mismatch wording."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from perf_gate.inputs.hardware import (
    Gpu,
    Hardware,
    Probes,
    detect,
    hardware_from_dict,
    mismatch,
    parse_cpuinfo,
    parse_gpu_csv,
    parse_meminfo,
    probe_gpus,
)
from perf_gate.inputs.smi import CommandOutput

X86_CPUINFO = """\
processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7763 64-Core Processor
flags\t\t: fpu vme de pse tsc msr sse sse2 ssse3 fma sse4_1 sse4_2 avx avx2 bmi2

processor\t: 1
model name\t: AMD EPYC 7763 64-Core Processor
flags\t\t: fpu vme de pse tsc msr sse sse2 ssse3 fma sse4_1 sse4_2 avx avx2 bmi2
"""
XEON_CPUINFO = """\
model name\t: Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz
flags\t\t: sse4_2 avx avx2 avx512f avx512dq avx512bw avx512_vnni
"""
ARM_CPUINFO = """\
processor\t: 0
BogoMIPS\t: 243.75
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid
CPU implementer\t: 0x41
"""
MEMINFO = "MemTotal:       16365356 kB\nMemFree:         1234567 kB\n"


def test_cpuinfo_gives_model_and_simd_families() -> None:
    assert parse_cpuinfo(X86_CPUINFO) == ("AMD EPYC 7763 64-Core Processor", ("avx2",))
    assert parse_cpuinfo(XEON_CPUINFO)[1] == ("avx512", "avx2")
    assert parse_cpuinfo(ARM_CPUINFO) == ("", ("neon",))


def test_meminfo_total_in_megabytes() -> None:
    assert parse_meminfo(MEMINFO) == pytest.approx(16758.12, abs=0.01)
    assert parse_meminfo("nothing") is None


def test_gpu_csv_line_with_na_fields() -> None:
    gpus = parse_gpu_csv(
        "NVIDIA H100 80GB HBM3, 535.104.05, 81559 MiB, 9.0, 1980 MHz\n"
        "Tesla T4, 470.82.01, 15109 MiB, [N/A], [N/A]\n"
    )
    assert gpus[0] == Gpu("NVIDIA H100 80GB HBM3", "535.104.05", 85520.8, "9.0", 1980.0)
    assert gpus[1].compute_cap == "" and gpus[1].max_sm_clock_mhz is None


def test_stand_in_nvidia_smi_h100(fake_smi: Callable[[str | None], Path]) -> None:
    fake_smi("h100")
    probe = probe_gpus()
    assert probe.usable and probe.problem is None
    assert probe.gpus[0].name == "NVIDIA H100 80GB HBM3"
    assert probe.gpus[0].mig_mode == "Disabled"
    assert probe.cuda_version == "12.2"


def test_stand_in_nvidia_smi_mig_mode(fake_smi: Callable[[str | None], Path]) -> None:
    fake_smi("a100-mig")
    probe = probe_gpus()
    assert [g.mig_mode for g in probe.gpus] == ["Enabled", "Enabled"]
    hw = Hardware(cpu_model="x", gpus=probe.gpus)
    assert hw.gpu_key() == "2x NVIDIA A100-SXM4-40GB, driver 525"


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("no-driver", "nvidia-smi: NVIDIA driver not loaded or not reachable"),
        ("no-devices", "nvidia-smi: no NVIDIA GPU found"),
        ("nvml-mismatch", "nvidia-smi: NVIDIA driver/library version mismatch"),
        (None, "nvidia-smi not found (no NVIDIA driver installed)"),
    ],
)
def test_nvidia_smi_errors_become_a_reason(
    fake_smi: Callable[[str | None], Path], scenario: str | None, reason: str
) -> None:
    fake_smi(scenario)
    probe = probe_gpus()
    assert not probe.usable
    assert probe.problem == reason


def test_old_driver_without_compute_cap_is_asked_again() -> None:
    calls: list[Sequence[str]] = []

    def run(argv: Sequence[str], timeout: float) -> CommandOutput:
        calls.append(argv)
        if len(argv) > 1 and "compute_cap" in argv[1]:
            return CommandOutput(2, 'Field "compute_cap" is not a valid field to query.\n')
        if argv[1:]:
            return CommandOutput(0, "Tesla V100-SXM2-16GB, 470.57.02, 16160 MiB, 1530 MHz\n")
        return CommandOutput(
            0, "| NVIDIA-SMI 470.57.02  Driver Version: 470.57.02  CUDA Version: 11.4 |"
        )

    probe = probe_gpus(run=run)
    assert probe.usable, probe.problem
    assert probe.gpus[0].name == "Tesla V100-SXM2-16GB"
    assert probe.gpus[0].compute_cap == "" and probe.gpus[0].max_sm_clock_mhz == 1530.0
    assert probe.cuda_version == "11.4"


def test_timeout_of_nvidia_smi_is_a_reason() -> None:
    import subprocess

    def run(argv: Sequence[str], timeout: float) -> CommandOutput:
        raise subprocess.TimeoutExpired(argv, timeout)

    assert probe_gpus(run=run, timeout=0.5).problem == "nvidia-smi did not answer within 0.5 s"


def test_detect_reads_the_machine_and_round_trips(
    tmp_path: Path, fake_smi: Callable[[str | None], Path]
) -> None:
    fake_smi("l4")
    (tmp_path / "cpuinfo").write_text(XEON_CPUINFO)
    (tmp_path / "meminfo").write_text(MEMINFO)
    hw = detect(
        Probes(
            cpuinfo=tmp_path / "cpuinfo",
            meminfo=tmp_path / "meminfo",
            environ={"RUNNER_NAME": "gpu-1"},
        )
    )
    assert hw.cpu_model.startswith("Intel(R) Xeon(R) Platinum 8370C")
    assert hw.simd == ("avx512", "avx2") and hw.cores >= 1 and hw.runner == "gpu-1"
    assert hw.gpu_usable and hw.gpus[0].mig_mode == ""
    assert "NVIDIA L4, driver 550" in hw.key
    assert hardware_from_dict(hw.to_dict()) == hw
    assert "CUDA 12.2" in hw.describe()


def test_no_gpu_machine_describes_why(
    tmp_path: Path, fake_smi: Callable[[str | None], Path]
) -> None:
    fake_smi("no-driver")
    hw = detect(Probes(cpuinfo=tmp_path / "missing", meminfo=tmp_path / "missing"))
    assert not hw.gpu_usable
    assert "no usable GPU (nvidia-smi: NVIDIA driver not loaded or not reachable)" in hw.describe()
    assert "gpu:" not in hw.key


EPYC = Hardware(cpu_model="AMD EPYC 7763 64-Core Processor", cores=4, simd=("avx2",))
XEON = Hardware(cpu_model="Intel Xeon 8370C", cores=4, simd=("avx512", "avx2"))
H100 = Gpu("NVIDIA H100 80GB HBM3", "535.104.05")
A10 = Gpu("NVIDIA A10G", "535.104.05")


def test_mismatch_names_what_differs() -> None:
    assert mismatch([EPYC], [EPYC]) is None
    assert mismatch([], [XEON]) is None  # unknown baseline hardware: nothing to say
    text = mismatch([EPYC], [XEON])
    assert text == (
        "baseline and current ran on different hardware (CPU: baseline AMD EPYC 7763 64-Core "
        "Processor (4 cores, avx2), current Intel Xeon 8370C (4 cores, avx512+avx2))"
    )


def test_gpu_mismatch_only_counts_for_gpu_metrics() -> None:
    old = Hardware(cpu_model="c", gpus=(H100,))
    new = Hardware(cpu_model="c", gpus=(A10,))
    assert mismatch([old], [new], {"cpu"}) is None
    assert "GPU: baseline NVIDIA H100 80GB HBM3, driver 535, current NVIDIA A10G" in str(
        mismatch([old], [new], {"cpu", "gpu"})
    )


def test_matrix_shards_compare_as_sets() -> None:
    cpu_runner = EPYC
    gpu_runner = Hardware(
        cpu_model="Intel Xeon 8370C", cores=4, simd=("avx512", "avx2"), gpus=(H100,)
    )
    assert mismatch([cpu_runner, gpu_runner], [gpu_runner, cpu_runner]) is None
