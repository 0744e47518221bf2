"""One child command: started, streamed, timed out and measured.

The output streams live to the console and is tee'd to a log file; a command that
outlives its timeout gets SIGTERM, then SIGKILL, for its whole process group. The
peak resident memory comes from ``wait4``'s resource usage of the command and its
waited-for descendants. Failures of the command become a :class:`CommandResult`,
never an exception.
"""

from __future__ import annotations

import collections
import os
import select
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from secrets import token_hex as secrets_token
from typing import Any, Literal

from perf_gate.core import limits
from perf_gate.core.config import shown_command
from perf_gate.core.model import Device
from perf_gate.core.secrets import child_environment, redact_bytes
from perf_gate.inputs.console import Console, elapsed_text
from perf_gate.inputs.gpu_errors import cuda_trouble, first_trouble
from perf_gate.inputs.gpu_state import GpuEvidence, evidence_from_dict
from perf_gate.inputs.process_tree import MARKER_VARIABLE, Tree

TAIL_LINES = 20
TROUBLE_LINES = 10
LINE_BYTES = 64 * 1024  # a longer line is shown (and logged) in pieces

KILL_GRACE_S = 5.0


CommandStatus = Literal["ok", "failed", "timeout", "skipped", "error"]


@dataclass(frozen=True)
class CommandResult:
    """What happened to one command."""

    name: str
    command: str
    device: Device
    status: CommandStatus
    exit_code: int | None = None
    elapsed_s: float = 0.0
    peak_rss_mb: float | None = None
    log: str | None = None
    tail: tuple[str, ...] = ()
    reason: str = ""
    gpu_error: str = ""  # the first line of its output that is a CUDA/driver failure
    gpu: GpuEvidence | None = None  # the GPU watched while it ran (device: gpu)
    gpu_metrics: int | None = None  # how many of its results were GPU metrics

    @property
    def succeeded(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "command": self.command,
            "device": self.device,
            "status": self.status,
            "exit_code": self.exit_code,
            "elapsed_s": round(self.elapsed_s, 3),
            "peak_rss_mb": None if self.peak_rss_mb is None else round(self.peak_rss_mb, 3),
            "log": self.log,
            "tail": list(self.tail),
            "reason": self.reason,
            "gpu_error": self.gpu_error,
            "gpu": self.gpu.to_dict() if self.gpu is not None else None,
            "gpu_metrics": self.gpu_metrics,
        }


def command_result_from_dict(data: Mapping[str, Any]) -> CommandResult:
    return CommandResult(
        name=data["name"],
        command=data.get("command", ""),
        device=data.get("device", "cpu"),
        status=data["status"],
        exit_code=data.get("exit_code"),
        elapsed_s=float(data.get("elapsed_s", 0.0)),
        peak_rss_mb=data.get("peak_rss_mb"),
        log=data.get("log"),
        tail=tuple(data.get("tail", ())),
        reason=data.get("reason", ""),
        gpu_error=data.get("gpu_error") or "",
        gpu=evidence_from_dict(data["gpu"]) if isinstance(data.get("gpu"), dict) else None,
        gpu_metrics=data.get("gpu_metrics"),
    )


def _argv(command: str | tuple[str, ...]) -> list[str]:
    if not isinstance(command, str):
        return list(command)
    bash = shutil.which("bash")
    return [bash, "-o", "pipefail", "-c", command] if bash else ["/bin/sh", "-c", command]


# Peak RSS is inherited across fork and exec: a child of this (large) Python process
# starts with its high-water mark. A minimal launcher (``python -I -S``, a few MB)
# forks the command instead and reports the peak of its children alone on a pipe.
_LAUNCHER = """\
import os, signal, sys
fd = int(sys.argv[1])
pid = os.fork()
if pid == 0:
    os.close(fd)  # the report pipe is the launcher's alone
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except OSError as exc:
        os.write(2, ("perf-gate: cannot run %s: %s\\n" % (sys.argv[2], exc.strerror)).encode())
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
os.write(fd, b"%d\\n" % usage.ru_maxrss)
code = os.waitstatus_to_exitcode(status)
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
os._exit(code)
"""


def _startable(argv: list[str], cwd: Path | None, environ: Mapping[str, str]) -> str | None:
    """Why ``argv[0]`` cannot be executed, or ``None``."""
    program = argv[0]
    if os.sep in program:
        full = Path(program) if Path(program).is_absolute() else (cwd or Path.cwd()) / program
        return None if os.access(full, os.X_OK) and full.is_file() else "no such executable"
    found = shutil.which(program, path=environ.get("PATH"))
    return None if found else f"{program}: command not found"


def _maxrss_mb(rusage: Any) -> float | None:
    raw = rusage if isinstance(rusage, int) else getattr(rusage, "ru_maxrss", 0) or 0
    if raw <= 0:
        return None
    scale = 1.0 if sys.platform == "darwin" else 1024.0  # bytes on macOS, KiB on Linux
    return float(raw) * scale / 1e6


def run_command(
    name: str,
    command: str | tuple[str, ...],
    *,
    device: Device = "cpu",
    console: Console | None = None,
    cwd: Path | None = None,
    environ: Mapping[str, str],
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    log_path: Path | None = None,
    tail_lines: int = TAIL_LINES,
    kill_grace: float = KILL_GRACE_S,
    output_limit: int | None = None,
) -> CommandResult:
    """Run one command, streaming and tee-ing its output; never raises for its failures.

    It inherits ``environ`` (the entry point's variables) with ``env`` on top, never a
    token (:func:`~perf_gate.core.secrets.child_environment`)."""
    out = console or Console()
    shown = shown_command(command)
    log_name = str(log_path) if log_path else None
    out.begin(f"perf-gate: {name} [{device}]")
    out.line(f"$ {shown}")
    marker = secrets_token()
    output_limit = output_limit or limits.current().output_bytes
    child = {**child_environment({**environ, **(env or {})}), MARKER_VARIABLE: marker}
    started = time.monotonic()
    try:
        log = None
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log = log_path.open("wb")
    except OSError as exc:
        out.end()
        return CommandResult(
            name, shown, device, "error", log=log_name, reason=f"cannot write log: {exc}"
        )
    argv = _argv(command)
    problem = _startable(argv, cwd, child)
    if problem is None and cwd is not None and not cwd.is_dir():
        problem = f"no such folder {cwd}"
    if problem is not None:
        if log is not None:
            log.close()
        return _not_started(out, name, shown, device, log_name, f"could not start: {problem}")
    report_r, report_w = os.pipe()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report_w), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=str(cwd) if cwd else None,
            env=child,
            start_new_session=True,
            pass_fds=(report_w,),
        )
    except OSError as exc:
        for fd in (report_r, report_w):
            os.close(fd)
        if log is not None:
            log.close()
        problem = exc.strerror or str(exc)
        return _not_started(out, name, shown, device, log_name, f"could not start: {problem}")
    os.close(report_w)

    tail: collections.deque[str] = collections.deque(maxlen=tail_lines)
    trouble: list[str] = []  # CUDA/driver failures, wherever they scrolled to (a few)
    last_output = [time.monotonic()]
    assert proc.stdout is not None
    stdout = proc.stdout
    stop = threading.Event()
    captured = [0]

    def keep(raw: bytes) -> None:
        """One line of output: logged, kept for the tail and shown, up to the limit."""
        captured[0] += len(raw)
        if captured[0] > output_limit:
            if captured[0] - len(raw) <= output_limit:
                note = (
                    f"[perf-gate: output past {output_limit:,} bytes not kept "
                    "(limits.output_bytes)]"
                )
                if log is not None:
                    log.write(note.encode() + b"\n")
                tail.append(note)
                out.line(note)
            return
        raw = redact_bytes(raw)
        if log is not None:
            log.write(raw)
            log.flush()
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        tail.append(text)
        if device == "gpu" and len(trouble) < TROUBLE_LINES and cuda_trouble(text):
            trouble.append(text)
        out.line(text)

    def read() -> None:
        fd = stdout.fileno()
        pending = b""
        while not stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            last_output[0] = time.monotonic()
            pending += chunk
            while b"\n" in pending or len(pending) >= LINE_BYTES:
                cut = pending.find(b"\n") + 1 or LINE_BYTES
                keep(pending[:cut])
                pending = pending[cut:]
        if pending:
            keep(pending)

    waited: dict[str, Any] = {}

    def wait() -> None:
        _, status, rusage = os.wait4(proc.pid, 0)
        waited["code"] = os.waitstatus_to_exitcode(status)
        waited["rusage"] = rusage

    reader = threading.Thread(target=read, name=f"perf-gate-read-{name}", daemon=True)
    waiter = threading.Thread(target=wait, name=f"perf-gate-wait-{name}", daemon=True)
    reader.start()
    waiter.start()
    tree = Tree(proc.pid, marker)
    try:
        timed_out = _supervise(
            name, tree, waiter, out, started, last_output, timeout=timeout, kill_grace=kill_grace
        )
    except BaseException:  # a signal (Interrupted) or Ctrl-C: leave nothing running
        tree.end(kill_grace=min(kill_grace, 1.0))
        waiter.join(kill_grace)
        stop.set()
        reader.join(1.0)
        stdout.close()
        if log is not None:
            log.close()
        os.close(report_r)
        out.end()
        raise
    elapsed = time.monotonic() - started
    code = int(waited["code"])
    proc.returncode = code  # reaped by wait4 above; keep Popen from waiting again
    reader.join(0 if timed_out else kill_grace)
    tree.end(kill_grace=0)  # whatever it left behind, daemons that changed session included
    reader.join(1.0)
    stop.set()  # a pipe held by something beyond reach: stop reading, close it
    reader.join()
    stdout.close()
    if log is not None:
        log.close()
    with os.fdopen(report_r, "rb") as report:
        reported = report.read().strip()
    # The launcher's report covers the command alone; without it (killed), wait4's figure.
    peak = _maxrss_mb(int(reported)) if reported.isdigit() else _maxrss_mb(waited.get("rusage"))
    status: CommandStatus
    if timed_out:
        status = "timeout"
        reason = f"timed out after {elapsed_text(timeout or elapsed)}"
    elif code != 0:
        status = "failed"
        reason = f"exited with {code}" if code > 0 else f"killed by signal {-code}"
    else:
        status, reason = "ok", ""
    memory = f", peak memory {peak:,.1f} MB" if peak is not None else ""
    out.line(f"perf-gate: {name}: {reason or 'ok'} in {elapsed_text(elapsed)}{memory}")
    out.end()
    result = CommandResult(
        name,
        shown,
        device,
        status,
        code,
        elapsed,
        peak,
        log_name,
        tuple(tail),
        reason,
        gpu_error=first_trouble(trouble),
    )
    if status != "ok":
        report_failure(result, out)
    return result


def _not_started(
    out: Console, name: str, shown: str, device: Device, log: str | None, reason: str
) -> CommandResult:
    """Say why a command never ran, and close its fold."""
    out.line(f"perf-gate: {name}: {reason}")
    out.end()
    return CommandResult(name, shown, device, "error", log=log, reason=reason)


def _supervise(
    name: str,
    tree: Tree,
    waiter: threading.Thread,
    out: Console,
    started: float,
    last_output: list[float],
    *,
    timeout: float | None,
    kill_grace: float,
) -> bool:
    """Wait for the command; print a heartbeat when it is quiet; at the deadline send its
    process group SIGTERM, then SIGKILL after ``kill_grace``. True when it timed out."""
    deadline = started + timeout if timeout else None
    while waiter.is_alive():
        now = time.monotonic()
        step = out.heartbeat_s if deadline is None else min(out.heartbeat_s, deadline - now)
        waiter.join(max(step, 0.0))
        now = time.monotonic()
        if not waiter.is_alive():
            return False
        if deadline is not None and now >= deadline:
            tree.end(kill_grace=kill_grace, waiter=waiter)
            waiter.join()
            return True
        if now - last_output[0] >= out.heartbeat_s:
            out.line(f"perf-gate: {name} still running ({elapsed_text(now - started)} elapsed)")
            last_output[0] = now
    return False


def report_failure(result: CommandResult, console: Console) -> None:
    """Outside the fold, so the job log shows it without expanding anything."""
    title = f"perf-gate: {result.name} {result.reason}"
    if console.fold:
        console.command("error", result.command, title=title)
    else:
        console.line(f"!! {title}")
    if result.tail:
        console.line(f"last {len(result.tail)} lines of {result.log or 'its output'}:")
        for text in result.tail:
            console.line(f"    {text}")
