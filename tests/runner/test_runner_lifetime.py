"""``perf-gate run`` against hostile commands (issue 12): the token stays out of their
environment and of every file; their whole process tree ends with them; a signal to
perf-gate still leaves a ``perf-run.json``. Real processes throughout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from perf_gate.inputs.process import run_command
from tests.conftest import perf_gate_command

TOKEN = "ghs_leakme0123456789abcdef"


def config(tmp_path: Path, command: str, timeout: str = "60s") -> Path:
    path = tmp_path / ".perf-gate.yml"
    path.write_text(
        "benchmarks:\n"
        "  - name: bench\n"
        f"    command: {json.dumps(command)}\n"
        f"    timeout: {timeout}\n"
        "    results: [r.json]\n"
        "    format: custom\n"
    )
    return path


def run_cli(tmp_path: Path, env: dict[str, str], **kwargs: object) -> subprocess.Popen[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    environ.update(env)
    return subprocess.Popen(
        [*perf_gate_command(), "run", "--config", ".perf-gate.yml"],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[1].startswith("Z"))


def test_token_is_kept_from_benchmarks_masked_and_redacted(tmp_path: Path) -> None:
    script = (
        "env | sort; echo token-as-other-name:$MY_COPY; "
        """echo '[{"name": "'$MY_COPY'", "unit": "ms", "value": 1}]' > r.json"""
    )
    config(tmp_path, script)
    env = {
        "INPUT_GITHUB-TOKEN": TOKEN,
        "GITHUB_TOKEN": TOKEN,
        "MY_COPY": TOKEN,
        "GITHUB_ACTIONS": "true",
    }
    proc = run_cli(tmp_path, env)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert stdout.splitlines()[0] == f"::add-mask::{TOKEN}"
    assert TOKEN not in "\n".join(stdout.splitlines()[1:]) + stderr
    assert "INPUT_GITHUB-TOKEN" not in stdout and "GITHUB_TOKEN=" not in stdout
    for path in (tmp_path / "perf-gate-out").rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path
    assert TOKEN not in (tmp_path / "perf-gate-out" / "bench.log").read_text()


def test_timeout_ends_children_that_changed_session(tmp_path: Path) -> None:
    pidfile = tmp_path / "daemon.pid"
    command = f"setsid sleep 40 & echo $! > {pidfile}; sleep 40"
    started = time.monotonic()
    result = run_command("bench", command, timeout=1.0, kill_grace=0.5, environ=os.environ)
    elapsed = time.monotonic() - started
    assert result.status == "timeout"
    assert elapsed < 10, elapsed
    time.sleep(0.2)
    assert not alive(int(pidfile.read_text()))


def test_a_daemon_left_behind_does_not_hold_the_run(tmp_path: Path) -> None:
    pidfile = tmp_path / "daemon.pid"
    command = f"setsid sleep 40 & echo $! > {pidfile}; echo done"
    started = time.monotonic()
    result = run_command("bench", command, timeout=30.0, kill_grace=0.5, environ=os.environ)
    assert result.status == "ok"
    assert time.monotonic() - started < 10
    time.sleep(0.2)
    assert not alive(int(pidfile.read_text()))


def test_output_is_capped_with_a_note(tmp_path: Path) -> None:
    log = tmp_path / "bench.log"
    command = "head -c 3000000 /dev/zero | tr '\\0' x; echo; echo after"
    result = run_command("bench", command, log_path=log, output_limit=100_000, environ=os.environ)
    assert result.status == "ok"
    assert log.stat().st_size < 200_000
    assert "output past 100,000 bytes not kept" in log.read_text()


def test_sigterm_kills_the_tree_and_still_writes_the_manifest(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    config(tmp_path, f"setsid sleep 40 & echo $! > {pidfile}; sleep 40")
    proc = run_cli(tmp_path, {})
    deadline = time.monotonic() + 60
    while not (pidfile.exists() and pidfile.read_text().strip()):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "interrupted by SIGTERM" in stderr
    time.sleep(0.2)
    assert not alive(int(pidfile.read_text()))
    doc = json.loads((tmp_path / "perf-gate-out" / "perf-run.json").read_text())
    assert doc["interrupted"] == "SIGTERM"
    assert any(f["code"] == "interrupted" for f in doc["findings"])
