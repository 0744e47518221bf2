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

import importlib
import re
from collections.abc import MutableMapping
from functools import cache
from typing import Any

import jinja2

from perf_gate.report import markdown

GITHUB = "github/"
"""Templates under this folder are bound for GitHub and escape through explicit filters."""
HTML = "html/"
"""Templates under this folder are HTML pages, autoescaped."""
CODE_PACKAGE = "perf_gate.report.template_code"
"""Each template as the Python module Jinja compiles it to (``scripts/compile_templates.py``)."""


def _is_html(name: str | None) -> bool:
    return bool(name) and str(name).startswith(HTML)


@jinja2.pass_context
def _finalize(context: jinja2.runtime.Context, value: Any) -> Any:
    name = context.name or ""
    return value if name.startswith((GITHUB, HTML)) else markdown.escape(value)


def code_module(name: str) -> str:
    """The module of template ``name`` in :data:`CODE_PACKAGE` (``github_ledger_md`` for
    ``github/ledger.md.j2``)."""
    return re.sub(r"\W", "_", name.removesuffix(".j2"))


class _CompiledLoader(jinja2.BaseLoader):
    """Templates from their generated modules: imported (and so cached as bytecode), never
    lexed, parsed or compiled by Jinja at run time. A module's code finds the environment
    as its global ``environment``, set when it is loaded: one environment uses them."""

    def load(
        self,
        environment: jinja2.Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        try:
            module = importlib.import_module(f"{CODE_PACKAGE}.{code_module(name)}")
        except ModuleNotFoundError:
            raise jinja2.TemplateNotFound(name) from None
        template_class = environment.template_class
        return template_class.from_module_dict(environment, vars(module), globals or {})


def _environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=loader,
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


@cache
def environment() -> jinja2.Environment:
    """The environment every page is rendered with: templates from :data:`CODE_PACKAGE`."""
    return _environment(_CompiledLoader())


def source_environment() -> jinja2.Environment:
    """The same environment reading ``perf_gate/templates/`` itself: what the generated
    modules are compiled from."""
    return _environment(jinja2.PackageLoader("perf_gate", "templates"))


CODE_HEADER = '''"""Template {name}, compiled by scripts/compile_templates.py: do not edit.

The template as Jinja compiles it, so that a run imports it instead of lexing, parsing and
compiling it (`make templates` writes it again; tests/unit/report/test_template_code.py
fails when it is out of date).{long}
"""

# fmt: off
# ruff: noqa
# mypy: ignore-errors
'''
LONG = "\nOver 400 lines because it is generated: one statement per piece of the template."


def template_code(name: str) -> str:
    """The module source of template ``name``, compiled from its ``.j2`` file."""
    env = source_environment()
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    code = env.compile(source, name, raw=True, defer_init=True)
    long = LONG if code.count("\n") + 12 > 400 else ""
    return CODE_HEADER.format(name=name, long=long) + code.rstrip("\n") + "\n"


def render(name: str, **values: Any) -> str:
    """Render ``templates/<name>`` (``github/<file>`` for the GitHub family)."""
    return environment().get_template(name).render(**values)
