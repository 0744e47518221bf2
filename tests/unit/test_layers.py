"""The house rule, read from the source: imports run only downward, chains stay short.

Layers, bottom to top: ``core`` (with ``schemas`` and the package root) → ``inputs`` →
``judge`` → ``report`` → ``github`` (publish) → the entry points ``cli`` and ``action``.
A module may import its own layer or any layer below; nothing imports an entry point.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "perf_gate"

LAYERS = ("core", "inputs", "judge", "report", "github", "entry")
ENTRY_POINTS = ("perf_gate.cli", "perf_gate.action", "perf_gate.__main__")
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
    if module in ENTRY_POINTS:
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
