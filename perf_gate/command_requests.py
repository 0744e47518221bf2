"""What ``perf-gate run`` and ``perf-gate finalize`` are asked to do, as typed values.

``cli.py`` builds these from argv and the Action (``action.py``) from its inputs; both
call the same command functions of ``cli.py`` with them (the Action gets those handed in
by ``entrypoint.py``, since nothing imports an entry point), so no setting goes back into
argv strings to be parsed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_OUTPUT_DIR = Path("perf-gate-out")


@dataclass(frozen=True)
class RunRequest:
    """``perf-gate run``: run the configured benchmarks and record them."""

    config: Path | None = None
    output_dir: Path = DEFAULT_OUTPUT_DIR
    only: tuple[str, ...] = ()
    device: str | None = None
    fallback: str | None = None


@dataclass(frozen=True)
class FinalizeRequest:
    """``perf-gate finalize``: compare results with the baseline, decide, report, publish."""

    current: tuple[Path, ...]
    baseline: tuple[Path, ...] = ()
    config: Path | None = None
    threshold: float | None = None
    fmt: str | None = None
    output_dir: Path = DEFAULT_OUTPUT_DIR
    publish: bool = True
    gate_name: str | None = None
    pr_number: int | None = None
    head_sha: str | None = None
    ledger: bool = True
    progress_comment: bool = True
    baseline_artifact: str | None = None
    baseline_ref: str | None = None
    base_branch: str | None = None
    hardware: Path | None = None
    criterion_baseline: str = "base"

    def ignored_in_ab(self) -> list[tuple[str, str]]:
        """The baseline options that an A/B run makes moot, as the command line names them."""
        given = [
            ("--baseline", ", ".join(map(str, self.baseline))),
            ("--baseline-artifact", self.baseline_artifact),
            ("--baseline-ref", self.baseline_ref),
            ("--base-branch", self.base_branch),
        ]
        return [(flag, str(value)) for flag, value in given if value]
