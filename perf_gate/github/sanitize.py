"""Make text from benchmark names and reports safe to render into GitHub.

Names end up in Markdown table cells, HTML-comment anchored sections and
comments that notify people. Four things must not happen: a name breaks the
table (``|``, newlines), closes an anchor (``<!-- gates:end -->``), pings
someone (``@someone``), or links another issue or pull request (``#123``,
``owner/repo#9``, ``GH-123``), which notifies its subscribers and puts a
back-reference on its timeline. Every function here is pure.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"
"""A zero-width space after ``@`` keeps GitHub from turning a name into a mention."""

_NEWLINES = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_MENTION = re.compile(r"(?<![\w`])@(?=[A-Za-z0-9])")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_REFERENCE = re.compile(r"(?<!&)(#|\bGH-)(?=\d)", re.IGNORECASE)


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
    """Text that fits one Markdown table cell and cannot break out of it."""
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
    """A whole Markdown document from elsewhere, made safe to embed in a comment.

    The report is already escaped by its renderer; this is the belt to those braces:
    it cannot carry an anchor marker, a live mention or a live issue reference into
    the comment.
    """
    return neutralize_references(neutralize_mentions(neutralize_anchors(text)))


def one_line(text: str, *, limit: int = 140) -> str:
    """A short plain description (commit status, check title)."""
    return truncate(neutralize_references(single_line(text)), limit)


def utf8_len(text: str) -> int:
    """GitHub's size limits count UTF-8 bytes."""
    return len(text.encode("utf-8"))


def fit(text: str, limit: int, pointer: str) -> str:
    """``text`` unchanged when it fits in ``limit`` bytes, else cut at a line boundary
    and closed with ``pointer`` (which says where the rest is)."""
    if utf8_len(text) <= limit:
        return text
    tail = f"\n\n… {pointer}\n"
    budget = limit - utf8_len(tail)
    cut = text.encode("utf-8")[: max(0, budget)].decode("utf-8", errors="ignore")
    newline = cut.rfind("\n")
    if newline > len(cut) // 2:
        cut = cut[:newline]
    return cut.rstrip() + tail
