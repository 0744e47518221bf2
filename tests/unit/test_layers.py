"""The house rule, read from the source: imports run only downward, chains stay short.

Layers, bottom to top: ``core`` (with ``schemas`` and the package root) → ``inputs`` →
``judge`` → ``report`` → ``github`` (publish) → the entry points ``cli`` and ``action``
(with ``environment``, what they read from the process environment, ``command_requests``,
the typed requests of the commands both call, ``cli_parser``, and the Action's
``action_inputs`` and ``action_protocol``).
A module may import its own layer or any layer below; nothing imports an entry point.
Only the entry layer reads the environment (``os.environ``, ``os.getenv``, ``INPUT_*``).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "perf_gate"

LAYERS = ("core", "inputs", "judge", "report", "github", "entry")
ENTRY_POINTS = ("perf_gate.cli", "perf_gate.action", "perf_gate.__main__")
ENTRY_LAYER = (
    *ENTRY_POINTS,
    "perf_gate.environment",
    "perf_gate.command_requests",
    "perf_gate.cli_parser",
    "perf_gate.action_inputs",
    "perf_gate.action_protocol",
)
MAX_CHAIN = 10
MAX_LINES = 400
LONG_REASON = "Over 400 lines because"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def layer(module: str) -> str:
    if module in ENTRY_LAYER:
        return "entry"
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("core", "schemas"):
        return "core"
    return parts[1]


def imports(module: str) -> set[str]:
    """Every perf_gate module ``module`` imports, at the top or inside a function."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names]
            names = [n if n in MODULES else base for n in names]
        else:
            continue
        found.update(n for n in names if n in MODULES and n != module)
    return found


GRAPH = {module: imports(module) for module in MODULES}


def test_every_layer_is_known() -> None:
    assert {layer(m) for m in MODULES} <= set(LAYERS)


def wrong_way(module: str, targets: set[str]) -> list[str]:
    """The imports of ``module`` that break the rule: a higher layer, or an entry point."""
    mine = LAYERS.index(layer(module))
    bad = {t for t in targets if LAYERS.index(layer(t)) > mine}
    if module != "perf_gate.__main__":
        bad |= {t for t in targets if t in ENTRY_POINTS}
    return sorted(bad)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_only_downward(module: str) -> None:
    assert not wrong_way(module, GRAPH[module]), f"{module} ({layer(module)}) imports upward"


def test_longest_import_chain() -> None:
    @functools.cache
    def chain(module: str, seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
        longest: tuple[str, ...] = ()
        for target in GRAPH[module] - seen:
            sub = chain(target, seen | {module})
            longest = max(longest, sub, key=len)
        return (module, *longest)

    longest = max((chain(m) for m in MODULES), key=len)
    assert len(longest) <= MAX_CHAIN, " → ".join(longest)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_long_modules_say_why(module: str) -> None:
    source = MODULES[module].read_text(encoding="utf-8")
    lines = source.count("\n")
    doc = ast.get_docstring(ast.parse(source)) or ""
    assert doc, f"{module} has no docstring saying its one job"
    if lines > MAX_LINES:
        assert LONG_REASON in doc, f"{module}: {lines} lines and no '{LONG_REASON} ...'"


def test_the_rule_catches_what_it_is_for() -> None:
    """The reader sees imports inside functions and under TYPE_CHECKING, and the rule
    refuses measuring that imports judging, and anything that imports an entry point."""
    assert "perf_gate.judge.sample_verdict" in GRAPH["perf_gate.judge.compare"]
    assert wrong_way("perf_gate.inputs.runner", {"perf_gate.judge.compare"})
    assert wrong_way("perf_gate.judge.decide", {"perf_gate.report.render"})
    assert wrong_way("perf_gate.action", {"perf_gate.cli"})
    assert not wrong_way("perf_gate.report.render", {"perf_gate.judge.verdict"})


ENVIRONMENT_READERS = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def environment_reads(source: str) -> list[str]:
    """Where ``source`` reads the process environment: ``os.environ``/``os.getenv`` (or
    imported from ``os``) and ``INPUT_*`` names, the runner's spelling of action inputs."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ENVIRONMENT_READERS
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            found.append(f"line {node.lineno}: os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            names = {alias.name for alias in node.names} & ENVIRONMENT_READERS
            found += [f"line {node.lineno}: from os import {name}" for name in sorted(names)]
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "INPUT_" in node.value
        ):
            found.append(f"line {node.lineno}: {node.value[:40]!r}")
    return found


# Sets OpenBLAS's thread count for the length of NumPy's import and puts the user's values
# back (tests/unit/core/test_lazy_numpy.py): it configures nothing of the gate.
ENVIRONMENT_AROUND_AN_IMPORT = {"perf_gate.core.lazy_numpy"}


@pytest.mark.parametrize(
    "module",
    sorted(m for m in MODULES if layer(m) != "entry" and m not in ENVIRONMENT_AROUND_AN_IMPORT),
)
def test_only_the_entry_points_read_the_environment(module: str) -> None:
    """Below cli and action the environment arrives as values (a GitHubContext, a mapping
    of the variables benchmark commands inherit), never read again."""
    reads = environment_reads(MODULES[module].read_text(encoding="utf-8"))
    assert not reads, f"{module} reads the environment: {'; '.join(reads)}"


def test_the_environment_rule_sees_every_spelling() -> None:
    source = (
        "import os\n"
        "from os import getenv\n"
        "a = os.environ.get('X')\n"
        "b = os.getenv('Y')\n"
        "c = {'INPUT_GITHUB-TOKEN': 1}\n"
        "d = environ.get('X')\n"  # a mapping handed down: allowed
    )
    assert sorted(r.split(":")[0] for r in environment_reads(source)) == [
        "line 2",
        "line 3",
        "line 4",
        "line 5",
    ]
