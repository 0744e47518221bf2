"""The ``perf-gate`` argument parser: every subcommand and option, and their checks.

A wrong option is a :class:`~perf_gate.core.errors.UsageError` (exit 2, one line), not
argparse's own exit. ``cli.py`` reads the ``Namespace`` this returns; nothing else does.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from perf_gate import __version__
from perf_gate.core.errors import PerfGateError, UsageError
from perf_gate.inputs.parsers import format_names, tree_parser


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
