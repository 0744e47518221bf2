"""The Jinja2 templates under ``perf_gate/templates/github/``, and the filters they may use.

Templates print nothing unfiltered that came from a benchmark: ``cell`` for table
cells, ``inline`` for prose lines, ``block`` for whole Markdown documents.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from perf_gate.github import sanitize


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("perf_gate", "templates/github"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = sanitize.table_cell
    env.filters["inline"] = sanitize.inline_text
    env.filters["block"] = sanitize.markdown_block
    return env


def render(name: str, **values: Any) -> str:
    """Render ``templates/github/<name>``."""
    return environment().get_template(name).render(**values)
