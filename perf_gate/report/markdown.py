"""Markdown escaping of untrusted text (benchmark names, messages, PR data): the one escaper.

Two rules, for two destinations, kept apart on purpose:

- :func:`escape` is for the local summary (``perf-summary.md``, rendered by
  ``templates/*.j2``): every value is escaped, so Markdown specials are backslash-escaped
  and the text reads the same in any Markdown viewer.
- :func:`table_cell`, :func:`inline_text` and :func:`markdown_block` are for text bound for
  GitHub (check run, comments, Ledger; ``templates/github/*.j2``): values stay as typed
  where GitHub renders them harmlessly, and only what would break the page is made inert:
  a ``|`` or newline that breaks a table, an HTML comment that opens or closes an anchored
  section (``<!-- gates:end -->``), an ``@`` that would notify someone, a reference to
  another issue or pull request (``#123``, ``owner/repo#9``, ``GH-5``) that would notify
  its subscribers and put a back-reference on its timeline.

Both rules share :data:`ZWSP` for mentions. The outputs of both are pinned by golden files,
so they are not merged into one rule. Every function here is pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from perf_gate.report import chart_block

ZWSP = "\u200b"
"""A zero-width space after ``@`` keeps GitHub from turning a name into a mention."""

_SPECIAL = "`*_[]<>|~"  # backslash-escaped in the local summary, after the backslash itself
_NEWLINES = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_MENTION = re.compile(r"(?<![\w`])@(?=[A-Za-z0-9])")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_REFERENCE = re.compile(r"(?<!&)(#|\bGH-)(?=\d)", re.IGNORECASE)
# What str.splitlines() breaks a line at: escape() joins those lines with spaces.
_LINE_BOUNDARY = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


class Raw(str):
    """Text the summary templates emit as is (already Markdown)."""

    __slots__ = ()


# -- the local summary ----------------------------------------------------------------


def escape(text: object) -> str:
    """Make ``text`` inert in the local summary: no table breaks, no HTML, no @mentions."""
    if isinstance(text, Raw):
        return str(text)
    if text is None:
        return ""
    return _inert(" ".join(str(text).splitlines()))


def escape_many(texts: Sequence[str]) -> list[str]:
    """``[escape(t) for t in texts]`` for plain strings, in one pass over their joined text:
    a report of 10,000 rows escapes 60,000 cells. Exact because, once each text is one line,
    every rule of :func:`escape` replaces single characters and leaves the joining newline
    alone."""
    if not texts:
        return []
    if _LINE_BOUNDARY.search("".join(texts)):
        texts = [" ".join(t.splitlines()) for t in texts]
    return _inert("\n".join(texts)).split("\n")


def _inert(line: str) -> str:
    """One line of text with Markdown specials backslash-escaped and no live @mention
    (``str.replace`` per character: three times faster than one ``re.sub`` whose
    replacement is expanded per match)."""
    out = line.replace("\\", "\\\\")
    for char in _SPECIAL:
        out = out.replace(char, "\\" + char)
    return out.replace("@", "@" + ZWSP)


# -- text bound for GitHub ------------------------------------------------------------


def neutralize_mentions(text: str) -> str:
    """``@team`` → ``@\u200bteam`` (renders the same, notifies nobody); e-mails stay."""
    return _MENTION.sub("@" + ZWSP, text)


def neutralize_references(text: str) -> str:
    """``#123`` → ``#\u200b123``, and so for ``owner/repo#9`` and ``GH-5``: shown the
    same, linked to nothing. HTML character references (``&#124;``) stay."""
    return _REFERENCE.sub(lambda match: match.group(1) + ZWSP, text)


def neutralize_anchors(text: str) -> str:
    """Make HTML comments inert, so no text can open or close an anchored section.

    ``<!-- gates:end -->`` becomes ``&lt;!-- gates:end --&gt;``: shown as typed,
    invisible to anything that looks for the marker.
    """
    return text.replace("<!--", "&lt;!--").replace("-->", "--&gt;")


def single_line(text: str) -> str:
    """Join lines with spaces and squeeze runs of whitespace."""
    return " ".join(_NEWLINES.sub(" ", text).split())


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """At most ``limit`` characters, ending in ``ellipsis`` when something was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(ellipsis))] + ellipsis


def table_cell(text: object, *, limit: int = 300) -> str:
    """Text that fits one Markdown table cell on GitHub and cannot break out of it."""
    value = single_line("" if text is None else str(text))
    value = value.replace("<", "&lt;").replace(">", "&gt;")
    value = _UNESCAPED_PIPE.sub(r"\\|", value)
    value = neutralize_references(neutralize_mentions(value))
    value = truncate(value, limit)
    # A cut can leave a dangling backslash that would escape the closing pipe.
    if value.endswith("\\") and not value.endswith("\\\\"):
        value = value[:-1]
    return value


def inline_text(text: object, *, limit: int = 1000) -> str:
    """One line of prose (a hop-log bullet, a route): no newlines, anchors or mentions."""
    value = single_line("" if text is None else str(text))
    return truncate(neutralize_references(neutralize_mentions(neutralize_anchors(value))), limit)


def markdown_block(text: str) -> str:
    """A whole Markdown document from elsewhere, made safe to embed in a GitHub comment.

    The report is already escaped by :func:`escape`; this is the belt to those braces:
    it cannot carry an anchor marker, a live mention or a live issue reference into the
    comment.
    """
    return neutralize_references(neutralize_mentions(neutralize_anchors(text)))


def report_markdown(text: str, charts: Literal["keep", "sentence", "drop"] = "keep") -> str:
    """:func:`markdown_block` of a report, whose Mermaid chart block is kept verbatim when it
    is :func:`~perf_gate.report.chart_block.inert` (``sentence``: replaced by a sentence saying
    the charts did not fit; ``drop``: left out, for the check run)."""
    before, block, after = chart_block.split(text)
    if charts == "sentence" and block:
        block = chart_block.sentence()
    elif charts == "drop" or not chart_block.inert(block):
        block = ""
    middle = f"{block}\n" if block else ""
    return markdown_block(before) + middle + markdown_block(after)
