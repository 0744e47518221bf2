"""Write each template of ``perf_gate/templates/`` as its compiled Python module.

The modules live in ``perf_gate/report/template_code/`` and are what a run renders with
(tests/unit/report/test_template_code.py fails when one is out of date). Usage:

    python scripts/compile_templates.py          # write the modules again
    python scripts/compile_templates.py --check  # exit 1 when one is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from perf_gate.report.templates import code_module, source_environment, template_code

ROOT = Path(__file__).resolve().parent.parent
CODE = ROOT / "perf_gate" / "report" / "template_code"


def expected() -> dict[Path, str]:
    """Every generated module's path and text, from the templates as they are now."""
    names = source_environment().list_templates(extensions=["j2"])
    return {CODE / f"{code_module(name)}.py": template_code(name) for name in names}


def stale(modules: dict[Path, str], folder: Path = CODE) -> list[Path]:
    """The modules missing, out of date or left over from a template since removed."""
    present = {p for p in folder.glob("*.py") if p.name != "__init__.py"}
    wrong = [p for p, text in modules.items() if not p.is_file() or p.read_text() != text]
    return sorted([*wrong, *(present - modules.keys())])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when one is out of date")
    args = parser.parse_args(argv)
    modules = expected()
    out_of_date = stale(modules)
    if args.check:
        for path in out_of_date:
            print(f"out of date: {path.relative_to(ROOT)} (run make templates)", file=sys.stderr)
        return 1 if out_of_date else 0
    for path in out_of_date:
        if path in modules:
            path.write_text(modules[path], encoding="utf-8")
        else:
            path.unlink()
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
