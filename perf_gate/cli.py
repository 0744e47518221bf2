"""``perf-gate``: the command line. Errors become one line on stderr and an exit code here.

Exit codes: 0 the gate passes (warnings included), 1 it fails, 2 bad usage or bad
input, 3 an output could not be written, 4 publishing failed, 5 a benchmark command
could not be run, 70 an internal error (a bug: run with PERF_GATE_DEBUG=1 for details).

Over 400 lines because it is the whole command line: the parser and one small function
per subcommand, the only code that reads argparse's ``Namespace`` and prints results.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeAlias

import requests

from perf_gate import __version__
from perf_gate.core import limits, secrets
from perf_gate.core.config import Config, load_config
from perf_gate.core.errors import ConfigError, InputError, PerfGateError, RunError, UsageError
from perf_gate.core.model import RunSet
from perf_gate.core.outputs import write_all
from perf_gate.core.workflow_commands import neutral, say
from perf_gate.github.artifacts import artifact_source, from_artifact
from perf_gate.github.context import api_context, artifacts_url, github_available
from perf_gate.inputs import hardware as machine
from perf_gate.inputs.ab_rounds import Confirmation
from perf_gate.inputs.baseline.sources import BaselineRequest
from perf_gate.inputs.baseline.store import (
    StoredRun,
    load_file,
    previous_store,
    update,
)
from perf_gate.inputs.console import Console, elapsed_text, in_actions
from perf_gate.inputs.interrupt import Interrupted, interruptible
from perf_gate.inputs.parsers import detect, file_parsers, format_names, scan_directory, tree_parser
from perf_gate.inputs.parsers.base import read_sniff
from perf_gate.inputs.run_manifest import load_current, workspace_relative
from perf_gate.inputs.run_record import MANIFEST_NAME
from perf_gate.inputs.runner import default_config, execute, git_commit, write_interrupted
from perf_gate.inputs.runs import load_run
from perf_gate.judge.compare import compare
from perf_gate.judge.confirm import suspects
from perf_gate.report.finalize import (
    evaluate,
    exit_code,
    write_report,
)
from perf_gate.report.gate_inputs import gate_inputs
from perf_gate.report.history_site import load_series, render_site
from perf_gate.report.render import text_table
from perf_gate.schemas import schema_problems

Environ: TypeAlias = Mapping[str, str]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {text!r}")
    return value


def _format_name(text: str) -> str:
    """A known format, or one of a family (``criterion:NAME``)."""
    if text in format_names():
        return text
    try:
        if tree_parser(text) is not None:
            return text
    except PerfGateError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
    raise argparse.ArgumentTypeError(
        f"unknown format {text!r} (known: {', '.join(format_names())}, criterion:NAME)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="perf-gate", description="The performance gate for pull requests.")
    parser.add_argument("--version", action="version", version=f"perf-gate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    fin = commands.add_parser("finalize", help="compare results with the baseline and decide")
    fin.add_argument(
        "--current",
        action="append",
        type=Path,
        required=True,
        metavar="PATH",
        help="results file or folder of this run (repeatable)",
    )
    fin.add_argument(
        "--baseline",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="one earlier baseline run; repeat oldest first, newest last",
    )
    fin.add_argument("--config", type=Path, help="the .perf-gate.yml policy file")
    fin.add_argument(
        "--threshold",
        type=_positive,
        metavar="PCT",
        help="default tolerance for metrics no policy names (percent)",
    )
    fin.add_argument("--format", choices=format_names(), help="force the input format")
    fin.add_argument("--output-dir", type=Path, default=Path("perf-gate-out"))
    fin.add_argument("--no-publish", action="store_true", help="do not touch GitHub")
    fin.add_argument("--gate-name", help="check run name (default review:gate:perf)")
    fin.add_argument("--pr-number", type=int)
    fin.add_argument("--head-sha")
    fin.add_argument("--no-ledger", action="store_true")
    fin.add_argument("--no-progress-comment", action="store_true")
    fin.add_argument("--baseline-artifact", metavar="NAME", help="baseline: artifact NAME")
    fin.add_argument("--baseline-ref", metavar="REF", help="baseline: git REF:PATH to read")
    fin.add_argument("--base-branch", metavar="BRANCH", help="branch of --baseline-artifact")
    fin.add_argument("--hardware", type=Path, metavar="FILE", help="hardware of the current run")
    fin.add_argument(
        "--criterion-baseline",
        default="base",
        metavar="NAME",
        help="a --baseline that is the --current criterion tree reads <bench>/NAME/, "
        "saved by `cargo bench -- --save-baseline NAME` (default: base)",
    )

    run = commands.add_parser("run", help="run the configured benchmarks and record them")
    run.add_argument("--config", type=Path, help="the .perf-gate.yml (default: ./.perf-gate.yml)")
    run.add_argument("--output-dir", type=Path, default=Path("perf-gate-out"))
    run.add_argument("--only", action="append", metavar="NAME", help="run only NAME (repeatable)")
    run.add_argument("--device", choices=["cpu", "gpu"], help="run only this device's commands")
    run.add_argument("--fallback", choices=["missing", "always", "never"])

    base = commands.add_parser("baseline", help="write or show a baseline file")
    base_commands = base.add_subparsers(dest="baseline_command", required=True)
    upd = base_commands.add_parser("update", help="make the current results the next baseline")
    upd.add_argument("--current", action="append", type=Path, required=True, metavar="PATH")
    upd.add_argument("--output", type=Path, help="baseline file (default: baseline.path)")
    upd.add_argument("--previous", type=Path, help="the baseline to keep as history")
    upd.add_argument("--previous-artifact", metavar="NAME", help="... read from an artifact")
    upd.add_argument("--history", type=int, metavar="N", help="runs to keep (default 5)")
    upd.add_argument("--commit")
    upd.add_argument("--branch")
    upd.add_argument("--config", type=Path)
    upd.add_argument("--format", choices=format_names())
    upd.add_argument("--force", action="store_true", help="store a run the gate would fail")
    show = base_commands.add_parser("show", help="list the runs of a baseline file")
    show.add_argument("path", type=Path)

    ing = commands.add_parser("ingest", help="print the normalised metrics as JSON")
    ing.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ing.add_argument("--format", type=_format_name, metavar="NAME")

    val = commands.add_parser("validate", help="check inputs against their schemas")
    val.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    val.add_argument("--format", type=_format_name, metavar="NAME")

    hist = commands.add_parser(
        "history", help="build a static site of every benchmark's trend (for GitHub Pages)"
    )
    hist.add_argument(
        "sources", nargs="+", type=Path, metavar="PATH", help="a baseline store, or receipts"
    )
    hist.add_argument("--output-dir", type=Path, default=Path("perf-history"))
    hist.add_argument("--config", type=Path, help="the .perf-gate.yml (tolerances)")
    hist.add_argument("--title", default="Benchmark history")

    pub = commands.add_parser(
        "publish", help="post a receipt made by an unprivileged run (fork-safe workflow_run)"
    )
    pub.add_argument("--receipt", type=Path, required=True, help="perf-receipt.json")
    pub.add_argument("--event", type=Path, help="the pull_request event.json of that run")
    return parser


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
        _error(f"perf-gate: {finding.severity}: {finding.source}: {finding.message}")
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
        _error(f"perf-gate: invalid: {problem}")
    print(f"{checked} input(s) checked, {len(problems)} problem(s)")
    return 2 if problems else 0


def ignored_in_ab(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The baseline flags given to ``finalize`` that an A/B run makes moot."""
    given = [
        ("--baseline", ", ".join(map(str, args.baseline))),
        ("--baseline-artifact", args.baseline_artifact),
        ("--baseline-ref", args.baseline_ref),
        ("--base-branch", args.base_branch),
    ]
    return [(flag, str(value)) for flag, value in given if value]


def cmd_finalize(args: argparse.Namespace, environ: Environ) -> int:
    config = load_config(args.config)
    limits.configure(config.limits)
    current, runs = load_current(args.current, args.format)
    request = BaselineRequest(
        files=tuple(args.baseline),
        current_paths=tuple(args.current),
        fmt=args.format,
        artifact=args.baseline_artifact,
        ref=args.baseline_ref,
        branch=args.base_branch,
        hardware_file=args.hardware,
        environ=environ,
        artifacts=artifact_source(api_context(environ)),
        criterion_baseline=args.criterion_baseline,
    )
    if any(r.ab for r in runs):
        for flag, value in ignored_in_ab(args):
            print(
                f"perf-gate: note: {flag} {value} is ignored: the A/B run carries its own "
                "baseline (the base commit, measured in the same job)",
                file=sys.stderr,
            )
    inputs = gate_inputs(config, current, runs, request, args.output_dir, artifacts_url(environ))
    report = evaluate(
        inputs.current,
        inputs.baselines,
        config,
        threshold=args.threshold,
        gate_name=args.gate_name,
        context=inputs.context,
    )
    paths = write_report(report, args.output_dir)
    say(text_table(report.rows))
    say("")
    for line in report.evidence.lines:
        say(line)
    say(report.evidence.chain)
    say(f"route: {report.decision.route} ({report.decision.route_reason})")
    say(report.evidence.gate_line)
    say(f"wrote {', '.join(str(p) for p in paths.values())}")
    if not args.no_publish:
        _publish(args, report, environ)
    return exit_code(report.decision)


def _publish(args: argparse.Namespace, report: Any, environ: Environ) -> None:
    if not github_available(environ):
        print(
            "not publishing: no GitHub context (GITHUB_REPOSITORY and GITHUB_TOKEN unset); "
            "use --no-publish to silence this"
        )
        return
    from perf_gate.github.publish import publish_from_environment

    outcome = publish_from_environment(
        report.receipt,
        report.markdown,
        environ=environ,
        pr_number=args.pr_number,
        head_sha=args.head_sha,
        gate_name=args.gate_name,
        ledger=not args.no_ledger,
        progress_comment=not args.no_progress_comment,
    )
    for line in outcome.describe():
        say(line)


def cmd_publish(args: argparse.Namespace, environ: Environ) -> int:
    from perf_gate.github.publish import publish_command

    return publish_command(args.receipt, args.event, environ)


def cmd_baseline(args: argparse.Namespace, environ: Environ) -> int:
    if args.baseline_command == "show":
        return _show_baseline(args.path)
    config = load_config(default_config(args.config))
    limits.configure(config.limits)
    current, records = load_current(args.current, args.format)
    hardware = [r.hardware for r in records if r.hardware is not None] or [
        machine.detect(machine.Probes(smi=machine.nvidia_smi(config)))
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
        force=args.force,
    )
    written = write_all(output.parent, {output.name: json.dumps(doc, indent=2) + "\n"})
    print(
        f"wrote {written[output.name]}: {len(doc['metrics'])} metric(s), commit "
        f"{doc['commit'][:12] or 'unknown'}, {len(doc['history']) + 1} run(s) kept"
    )
    return 0


def _previous_artifact(
    name: str, branch: str, keep: int, environ: Mapping[str, str]
) -> list[StoredRun]:
    """The baseline now stored as artifact ``name``; none (with a warning) is a fresh start."""
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

    def pick(head: RunSet, base: RunSet) -> list[tuple[str, str]]:
        return [row.metric.key for row in suspects(compare(head, [base], config))]

    return Confirmation(config.confirm.rounds, config.confirm.budget, pick)


def cmd_run(args: argparse.Namespace, environ: Environ) -> int:
    config = load_config(default_config(args.config))
    limits.configure(config.limits)
    root = Path.cwd()
    output_dir: Path = args.output_dir
    try:
        doc, outcome = execute(
            config,
            root=root,
            output_dir=output_dir,
            only=args.only or (),
            device=args.device,
            fallback=args.fallback,
            console=Console(fold=in_actions(environ)),
            environ=environ,
            confirm=confirmation(config),
        )
    except Interrupted as exc:
        write_interrupted(exc, config, root, output_dir, environ)
        raise
    if not doc["commands"] and not doc["metrics"]:
        raise ConfigError(
            "nothing to run: the config has no benchmarks: (and no fallback:)",
            path=str(args.config or ".perf-gate.yml"),
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


def cmd_history(args: argparse.Namespace, environ: Environ) -> int:
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


def _guard_secrets(environ: Environ) -> None:
    """The token: masked in the job log, redacted from files, kept from benchmarks."""
    tokens = secrets.secrets_in(environ)
    if in_actions(environ):
        secrets.mask(tokens, sys.stdout)
    secrets.register(tokens)


def _error(text: str) -> None:
    print(neutral(secrets.redact(text)), file=sys.stderr)


def main(argv: Sequence[str] | None = None, environ: Environ | None = None) -> int:
    """Run one command. The environment is read here, once, and passed down."""
    env: Environ = os.environ if environ is None else environ
    try:
        limits.configure(limits.LIMITS)  # the defaults, until a config says otherwise
        _guard_secrets(env)
        args = build_parser().parse_args(argv)
        with interruptible():
            return COMMANDS[args.command](args, env)
    except PerfGateError as exc:
        _error(f"perf-gate: error: {exc}")
        return exc.exit_code
    except Interrupted as exc:
        _error(f"perf-gate: interrupted by {exc.signal_name}")
        return 128 + exc.signum
    except KeyboardInterrupt:
        _error("perf-gate: interrupted")
        return 130
    except Exception as exc:  # a bug, not the user's fault: one line unless debugging
        if env.get("PERF_GATE_DEBUG"):
            raise
        _error(
            f"perf-gate: internal error: {type(exc).__name__}: {exc} "
            "(set PERF_GATE_DEBUG=1 for a traceback)"
        )
        return 70
