"""``perf-gate``: the command line. Errors become one line on stderr and an exit code here.

Exit codes: 0 the gate passes (warnings included), 1 it fails, 2 bad usage or bad
input, 3 an output could not be written, 4 publishing failed, 5 a benchmark command
could not be run, 70 an internal error (a bug: run with PERF_GATE_DEBUG=1 for details).

One small function per subcommand, the only code that reads argparse's ``Namespace``
(the parser is ``cli_parser.py``). ``run`` and ``finalize`` turn it into the typed requests
of ``command_requests.py`` and call :func:`run_command` and :func:`finalize_command`, which
the Action calls too (``entrypoint.py`` hands them over); :func:`main` reads the
environment once and :func:`guarded` turns errors into exit codes for both.

Over 400 lines because the typed commands the Action shares live here: moved into a
module of their own below ``cli``, every import chain from ``python -m perf_gate`` would
grow by one module, past the limit of 10 that ``tests/unit/test_layers.py`` keeps.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from perf_gate.cli_parser import build_parser
from perf_gate.command_requests import FinalizeRequest, RunRequest
from perf_gate.core import limits, secrets
from perf_gate.core.config import Config, load_config
from perf_gate.core.errors import ConfigError, InputError, PerfGateError, RunError
from perf_gate.core.heap import batch_collection, reading_inputs
from perf_gate.core.model import RunSet
from perf_gate.core.outputs import write_all
from perf_gate.core.workflow_commands import neutral, say
from perf_gate.environment import (
    api_context,
    artifacts_url,
    context_from_environment,
    for_children,
    github_available,
    in_actions,
    secrets_in,
    workflow_run_trigger,
)
from perf_gate.inputs import hardware as machine
from perf_gate.inputs.baseline.sources import ArtifactSource, BaselineRequest
from perf_gate.inputs.baseline.store import (
    StoredRun,
    load_file,
    previous_store,
    store_text,
    update,
)
from perf_gate.inputs.interrupt import Interrupted, interruptible
from perf_gate.inputs.parsers import detect, file_parsers, scan_directory
from perf_gate.inputs.parsers.base import read_sniff
from perf_gate.inputs.run_manifest import load_current, workspace_relative
from perf_gate.inputs.run_record import MANIFEST_NAME
from perf_gate.inputs.runs import load_run
from perf_gate.report.finalize import Report, evaluate, exit_code, write_report
from perf_gate.report.gate_inputs import gate_inputs
from perf_gate.report.render import text_table
from perf_gate.schemas import schema_problems

if TYPE_CHECKING:  # imported when used: finalize never runs benchmarks nor publishes by itself
    import requests

    from perf_gate.github.publish import PublishOutcome
    from perf_gate.inputs.ab_rounds import Confirmation

Environ: TypeAlias = Mapping[str, str]
R = TypeVar("R")


def _metric_json(metric: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": metric.name,
        "unit": metric.unit,
        "value": metric.value,
        "direction": metric.direction,
        "kind": metric.kind.value,
        "device": metric.device,
        "format": metric.format,
        "source": metric.source,
    }
    if metric.samples:
        out["samples"] = list(metric.samples)
    for field in ("lower", "upper", "passed", "tolerance"):
        if getattr(metric, field) is not None:
            out[field] = getattr(metric, field)
    return out


def cmd_ingest(args: argparse.Namespace, environ: Environ) -> int:
    run = load_run(args.paths, args.format)
    for finding in run.findings:
        error(f"perf-gate: {finding.severity}: {finding.source}: {finding.message}")
    json.dump([_metric_json(m) for m in run.metrics], sys.stdout, indent=2)
    print()
    return 0


def _validate_file(path: Path, fmt: str | None) -> list[str]:
    sniff = read_sniff(path)
    parser = next((p for p in file_parsers() if p.name == fmt), None) if fmt else detect(sniff)
    if parser is None:
        return [f"{path}: unknown results format"]
    problems = []
    if parser.schema and sniff.json is not None:
        problems = [
            f"{path}: {where}: {msg}" for where, msg in schema_problems(sniff.json, parser.schema)
        ]
    if not problems:
        try:
            parser.parse(sniff)
        except PerfGateError as exc:
            problems.append(str(exc))
    return problems


def cmd_validate(args: argparse.Namespace, environ: Environ) -> int:
    problems: list[str] = []
    checked = 0
    for path in args.paths:
        if path.is_dir():
            scan = scan_directory(path, args.format)
            for tree, unit in scan.units:
                checked += 1
                try:
                    tree.parse_unit(unit)
                except PerfGateError as exc:
                    problems.append(str(exc))
            for _, sniff in scan.files:
                checked += 1
                problems += _validate_file(sniff.path, args.format)
        elif not path.exists():
            problems.append(f"{path}: no such file or directory")
        else:
            checked += 1
            problems += _validate_file(path, args.format)
    if not problems:
        try:  # what `ingest` checks across inputs (one name per run) is checked here too
            load_run(args.paths, args.format)
        except PerfGateError as exc:
            problems.append(str(exc))
    for problem in problems:
        error(f"perf-gate: invalid: {problem}")
    print(f"{checked} input(s) checked, {len(problems)} problem(s)")
    return 2 if problems else 0


def cmd_finalize(args: argparse.Namespace, environ: Environ) -> int:
    request = FinalizeRequest(
        current=tuple(args.current),
        baseline=tuple(args.baseline),
        config=args.config,
        threshold=args.threshold,
        fmt=args.format,
        output_dir=args.output_dir,
        publish=not args.no_publish,
        gate_name=args.gate_name,
        pr_number=args.pr_number,
        head_sha=args.head_sha,
        ledger=not args.no_ledger,
        progress_comment=not args.no_progress_comment,
        baseline_artifact=args.baseline_artifact,
        baseline_ref=args.baseline_ref,
        base_branch=args.base_branch,
        hardware=args.hardware,
        criterion_baseline=args.criterion_baseline,
    )
    return finalize_command(request, environ)


def cmd_publish(args: argparse.Namespace, environ: Environ) -> int:
    return publish_command(args.receipt, args.event, environ)


def cmd_baseline(args: argparse.Namespace, environ: Environ) -> int:
    if args.baseline_command == "show":
        return _show_baseline(args.path)
    from functools import partial

    from perf_gate.inputs.runner import default_config, git_commit
    from perf_gate.judge.history_runs import summarise_history

    config = load_config(default_config(args.config))
    limits.configure(config.limits)
    current, records = load_current(args.current, args.format)
    hardware = [r.hardware for r in records if r.hardware is not None] or [
        machine.detect(machine.Probes(smi=machine.nvidia_smi(config), environ=environ))
    ]
    output: Path = args.output or Path(config.baseline.path or "perf/baseline.json")
    keep = args.history or config.baseline.history
    root = Path.cwd()
    branch = args.branch or environ.get("GITHUB_REF_NAME", "")
    if args.previous_artifact:
        previous = _previous_artifact(args.previous_artifact, branch, keep, environ)
    else:
        previous = previous_store(args.previous or output)
    doc = update(
        current,
        records,
        previous=previous,
        keep=keep,
        commit=args.commit or git_commit(root, environ),
        branch=branch,
        hardware=hardware,
        summarise=partial(summarise_history, config=config),
        force=args.force,
    )
    written = write_all(output.parent, {output.name: store_text(doc)})
    print(
        f"wrote {written[output.name]}: {len(doc['metrics'])} metric(s), commit "
        f"{doc['commit'][:12] or 'unknown'}, {len(doc['history']) + 1} run(s) kept"
    )
    return 0


def _previous_artifact(
    name: str, branch: str, keep: int, environ: Mapping[str, str]
) -> list[StoredRun]:
    """The baseline now stored as artifact ``name``; none (with a warning) is a fresh start."""
    import requests  # the network's errors; not imported on paths that never use it

    from perf_gate.github.artifacts import from_artifact

    try:
        github = api_context(environ)
        if github is None:
            raise InputError("no GitHub context (GITHUB_REPOSITORY and GITHUB_TOKEN unset)")
        runs, what = from_artifact(github, name, branch or None, None, history=keep)
    except (PerfGateError, requests.RequestException) as exc:
        say(f"perf-gate: warning: previous baseline artifact {name}: {exc}; starting afresh")
        return []
    if not runs:
        print(f"perf-gate: no previous baseline ({what}); starting afresh")
    return runs


def _show_baseline(path: Path) -> int:
    runs = load_file(path, None)
    for run in runs:
        when = run.created_at or "undated"
        sha = run.commit[:12] or "unknown commit"
        hw = " / ".join(h.describe() for h in run.hardware) or "unknown hardware"
        say(f"{when}  {sha}  {len(run.run.metrics)} metric(s)  {hw}")
    return 0


def confirmation(config: Config) -> Confirmation | None:
    """Run -> judge -> pick the suspects -> run them again: the judging half, handed to
    the A/B runner (measuring never imports judging; this entry point joins them)."""
    if config.mode != "ab" or config.confirm.rounds <= 0:
        return None
    from perf_gate.inputs.ab_rounds import Confirmation
    from perf_gate.judge.compare import compare
    from perf_gate.judge.confirm import suspects

    def pick(head: RunSet, base: RunSet) -> list[tuple[str, str]]:
        return [row.metric.key for row in suspects(compare(head, [base], config))]

    return Confirmation(config.confirm.rounds, config.confirm.budget, pick)


def cmd_run(args: argparse.Namespace, environ: Environ) -> int:
    request = RunRequest(
        config=args.config,
        output_dir=args.output_dir,
        only=tuple(args.only or ()),
        device=args.device,
        fallback=args.fallback,
    )
    return run_command(request, environ)


def cmd_history(args: argparse.Namespace, environ: Environ) -> int:
    from perf_gate.report.history_site import load_series, render_site

    series = load_series(args.sources, load_config(args.config))
    written = write_all(args.output_dir, render_site(series, args.title))
    flagged = sum(p.regression for s in series for p in s.points)
    print(
        f"wrote {written['index.html']}: {len(series)} benchmark(s), {flagged} regression(s) marked"
    )
    return 0


COMMANDS = {
    "finalize": cmd_finalize,
    "ingest": cmd_ingest,
    "validate": cmd_validate,
    "run": cmd_run,
    "baseline": cmd_baseline,
    "publish": cmd_publish,
    "history": cmd_history,
}


# -- the typed commands (the Action calls these too) -------------------------------------


def finalize_command(request: FinalizeRequest, environ: Environ) -> int:
    with batch_collection():  # young collections every 50,000 objects, not 700
        return _finalize(request, environ)


def _finalize(request: FinalizeRequest, environ: Environ) -> int:
    config = load_config(request.config)
    limits.configure(config.limits)
    with reading_inputs():  # and the baselines below: no garbage collection while reading
        current, runs = load_current(list(request.current), request.fmt)
    baseline = BaselineRequest(
        files=request.baseline,
        current_paths=request.current,
        fmt=request.fmt,
        artifact=request.baseline_artifact,
        ref=request.baseline_ref,
        branch=request.base_branch,
        hardware_file=request.hardware,
        base_ref=environ.get("GITHUB_BASE_REF", ""),
        artifacts=_artifact_source(environ),
        criterion_baseline=request.criterion_baseline,
    )
    if any(r.ab for r in runs):
        for flag, value in request.ignored_in_ab():
            print(
                f"perf-gate: note: {flag} {value} is ignored: the A/B run carries its own "
                "baseline (the base commit, measured in the same job)",
                file=sys.stderr,
            )
    with reading_inputs():
        inputs = gate_inputs(
            config, current, runs, baseline, request.output_dir, artifacts_url(environ)
        )
    report = evaluate(
        inputs.current,
        inputs.baselines,
        config,
        threshold=request.threshold,
        gate_name=request.gate_name,
        context=inputs.context,
    )
    paths = write_report(report, request.output_dir)
    say(text_table(report.rows, table=report.table or None))
    say("")
    for line in report.evidence.lines:
        say(line)
    say(report.evidence.chain)
    say(f"route: {report.decision.route} ({report.decision.route_reason})")
    say(report.evidence.gate_line)
    say(f"wrote {', '.join(str(p) for p in paths.values())}")
    if request.publish:
        _publish(request, report, environ)
    return exit_code(report.decision)


def _artifact_source(environ: Environ) -> ArtifactSource | None:
    """Baselines from the repository's artifacts, when there is a GitHub context."""
    context = api_context(environ)
    if context is None:
        return None
    from perf_gate.github.artifacts import artifact_source

    return artifact_source(context)


def _publish(request: FinalizeRequest, report: Report, environ: Environ) -> None:
    if not github_available(environ):
        print(
            "not publishing: no GitHub context (GITHUB_REPOSITORY and GITHUB_TOKEN unset); "
            "use --no-publish to silence this"
        )
        return
    outcome = publish_from_environment(
        report.receipt,
        report.markdown,
        environ,
        pr_number=request.pr_number,
        head_sha=request.head_sha,
        gate_name=request.gate_name,
        ledger=request.ledger,
        progress_comment=request.progress_comment,
    )
    for line in outcome.describe():
        say(line)


def publish_from_environment(
    receipt: Mapping[str, Any],
    summary_markdown: str,
    environ: Environ,
    *,
    pr_number: int | None = None,
    head_sha: str | None = None,
    gate_name: str | None = None,
    session: requests.Session | None = None,
    **options: Any,
) -> PublishOutcome:
    """Publish a finalized report: the GitHub context read from ``environ`` here, once."""
    from perf_gate.github.publish import publish_session

    name = gate_name or str((receipt.get("gate") or {}).get("name") or "") or None
    context = context_from_environment(
        environ, pr_number=pr_number, head_sha=head_sha, gate_name=name
    )
    return publish_session(receipt, summary_markdown, context, session, **options)


def publish_command(
    receipt_path: Path, event_path: Path | None, environ: Environ, **options: Any
) -> int:
    """``perf-gate publish``: the triggering ``workflow_run``'s context read from ``environ``."""
    from perf_gate.github import publish_receipt

    return publish_receipt.publish_command(
        receipt_path, event_path, workflow_run_trigger(environ), **options
    )


def run_command(request: RunRequest, environ: Environ) -> int:
    # `perf-gate run` only: its modules (A/B, processes, GPU monitoring) stay out of finalize
    from perf_gate.inputs.console import Console, elapsed_text
    from perf_gate.inputs.runner import default_config, execute, write_interrupted

    config = load_config(default_config(request.config))
    limits.configure(config.limits)
    root = Path.cwd()
    output_dir = request.output_dir
    children = for_children(environ)
    try:
        doc, outcome = execute(
            config,
            root=root,
            output_dir=output_dir,
            only=request.only,
            device=request.device,
            fallback=request.fallback,
            console=Console(fold=in_actions(environ)),
            environ=children,
            confirm=confirmation(config),
        )
    except Interrupted as exc:
        write_interrupted(exc, config, root, output_dir, children)
        raise
    if not doc["commands"] and not doc["metrics"]:
        raise ConfigError(
            "nothing to run: the config has no benchmarks: (and no fallback:)",
            path=str(request.config or ".perf-gate.yml"),
        )
    run_file = {"path": str(output_dir / MANIFEST_NAME), "kind": "run"}
    doc["artifacts"].append(workspace_relative(run_file, root))
    paths = write_all(output_dir, {MANIFEST_NAME: json.dumps(doc, indent=2) + "\n"})
    for cmd in outcome.commands:
        peak = f", peak {cmd.peak_rss_mb:,.1f} MB" if cmd.peak_rss_mb is not None else ""
        say(f"{cmd.name}: {cmd.status} {cmd.reason} ({elapsed_text(cmd.elapsed_s)}{peak})")
    say(f"{len(doc['metrics'])} metric(s); wrote {paths[MANIFEST_NAME]}")
    if "ab" in doc:  # the base was measured in this job: it is the baseline
        say(f"next: perf-gate finalize --current {paths[MANIFEST_NAME]}")
    else:
        say(f"next: perf-gate finalize --current {paths[MANIFEST_NAME]} --baseline ...")
    not_started = [c for c in outcome.commands if c.status == "error"]
    if not_started:
        raise RunError("could not run " + ", ".join(f"{c.name} ({c.reason})" for c in not_started))
    return 0


def guard_secrets(environ: Environ) -> None:
    """The token: masked in the job log, redacted from files, kept from benchmarks."""
    tokens = secrets_in(environ)
    if in_actions(environ):
        secrets.mask(tokens, sys.stdout)
    secrets.register(tokens)


def error(text: str) -> None:
    """One line on stderr, the secrets redacted and no workflow command started."""
    print(neutral(secrets.redact(text)), file=sys.stderr)


def guarded(command: Callable[[], int], environ: Environ) -> int:
    """Run one command; a :class:`PerfGateError` becomes its line and exit code, an
    interrupt 128 + the signal, and anything else (a bug) exit 70."""
    try:
        limits.configure(limits.LIMITS)  # the defaults, until a config says otherwise
        guard_secrets(environ)
        with interruptible():
            return command()
    except PerfGateError as exc:
        error(f"perf-gate: error: {exc}")
        return exc.exit_code
    except Interrupted as exc:
        error(f"perf-gate: interrupted by {exc.signal_name}")
        return 128 + exc.signum
    except KeyboardInterrupt:
        error("perf-gate: interrupted")
        return 130
    except Exception as exc:  # a bug, not the user's fault: one line unless debugging
        if environ.get("PERF_GATE_DEBUG"):
            raise
        error(
            f"perf-gate: internal error: {type(exc).__name__}: {exc} "
            "(set PERF_GATE_DEBUG=1 for a traceback)"
        )
        return 70


def guarded_command(command: Callable[[R, Environ], int]) -> Callable[[R, Environ], int]:
    """``command`` with its errors turned into exit codes, as the Action calls it."""
    return lambda request, environ: guarded(lambda: command(request, environ), environ)


def main(argv: Sequence[str] | None = None, environ: Environ | None = None) -> int:
    """Run one command. The environment is read here, once, and passed down."""
    env: Environ = os.environ if environ is None else environ

    def command() -> int:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args, env)

    return guarded(command, env)
