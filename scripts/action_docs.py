"""The inputs and outputs tables of the action, generated from action.yml.

The tables live between marker comments in README.md and docs/action.md, so that the
documentation cannot drift from the action (tests/action/test_docs.py fails when it
does). Usage:

    python scripts/action_docs.py          # rewrite the tables in place
    python scripts/action_docs.py --check  # exit 1 when a table is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
DOCUMENTS = (ROOT / "README.md", ROOT / "docs" / "action.md")
START = "<!-- action-reference:start (generated from action.yml by scripts/action_docs.py) -->"
END = "<!-- action-reference:end -->"


def load_action(path: Path = ACTION) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _default(spec: dict[str, Any]) -> str:
    if spec.get("required"):
        return "**required**"
    value = str(spec.get("default", ""))
    return f"`{value}`" if value else "—"


def render_reference(action: dict[str, Any]) -> str:
    """Markdown tables of every input (name, default, description) and output."""
    lines = ["#### Inputs", "", "| Input | Default | Description |", "|---|---|---|"]
    for name, spec in action.get("inputs", {}).items():
        lines.append(f"| `{name}` | {_default(spec)} | {_cell(spec.get('description', ''))} |")
    lines += ["", "#### Outputs", "", "| Output | Description |", "|---|---|"]
    for name, spec in action.get("outputs", {}).items():
        lines.append(f"| `{name}` | {_cell(spec.get('description', ''))} |")
    return "\n".join(lines)


def block(action: dict[str, Any]) -> str:
    return f"{START}\n{render_reference(action)}\n{END}"


def current_block(text: str) -> str | None:
    """The generated block of a document, ``None`` when it has no markers."""
    start = text.find(START)
    end = text.find(END, start)
    if start < 0 or end < 0:
        return None
    return text[start : end + len(END)]


def updated(text: str, action: dict[str, Any]) -> str:
    """``text`` with its block regenerated; a section is appended when there is none."""
    old = current_block(text)
    if old is None:
        return text.rstrip("\n") + "\n\n## Inputs and outputs\n\n" + block(action) + "\n"
    return text.replace(old, block(action))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale tables")
    args = parser.parse_args(argv)
    action = load_action()
    stale = []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        new = updated(text, action)
        if new != text:
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for path in stale:
        verb = "is out of date" if args.check else "updated"
        print(f"{path.relative_to(ROOT)}: action reference {verb}", file=sys.stderr)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
