"""The one Jinja2 environment, for every template under ``perf_gate/templates/``.

Two template families, one escaping rule each (see :mod:`perf_gate.report.markdown`):

- ``*.j2`` at the top (the local summary): every printed value goes through
  :func:`~perf_gate.report.markdown.escape` unless it is :class:`~perf_gate.report.markdown.Raw`.
- ``github/*.j2`` (check run, comments, Ledger): values print as given, and nothing that came
  from a benchmark prints unfiltered: ``cell`` for table cells, ``inline`` for prose lines,
  ``block`` for whole Markdown documents.
- ``html/*.j2`` (``perf-report.html``, the history site): Jinja's HTML autoescaping, so every
  value is HTML-escaped unless it is ``Markup`` (the hand-built SVG).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from perf_gate.report import markdown

GITHUB = "github/"
"""Templates under this folder are bound for GitHub and escape through explicit filters."""
HTML = "html/"
"""Templates under this folder are HTML pages, autoescaped."""


def _is_html(name: str | None) -> bool:
    return bool(name) and str(name).startswith(HTML)


@jinja2.pass_context
def _finalize(context: jinja2.runtime.Context, value: Any) -> Any:
    name = context.name or ""
    return value if name.startswith((GITHUB, HTML)) else markdown.escape(value)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("perf_gate", "templates"),
        autoescape=_is_html,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = markdown.table_cell
    env.filters["inline"] = markdown.inline_text
    env.filters["block"] = markdown.markdown_block
    return env


def render(name: str, **values: Any) -> str:
    """Render ``templates/<name>`` (``github/<file>`` for the GitHub family)."""
    return environment().get_template(name).render(**values)
