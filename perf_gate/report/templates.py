"""The one Jinja2 environment of the report layer, in its two escaping modes.

Templates live in ``perf_gate/templates/``: Markdown ones (``*.md.j2``) print every value
Markdown-escaped unless it is :class:`~perf_gate.report.markdown.Raw`; HTML ones
(``html/*.html.j2``) print every value HTML-escaped unless it is ``Markup``.
"""

from __future__ import annotations

from typing import Any

import jinja2

from perf_gate.report.markdown import escape


def environment() -> jinja2.Environment:
    """Markdown templates: every printed value is Markdown-escaped unless :class:`Raw`."""
    return _environment(autoescape=False, finalize=escape)


def html_environment() -> jinja2.Environment:
    """HTML templates (``*.html.j2``): every printed value is HTML-escaped unless Markup."""
    return _environment(autoescape=True)


def _environment(**options: Any) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("perf_gate", "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        **options,
    )
