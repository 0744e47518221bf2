"""Names from benchmarks cannot break tables, close anchors or ping people."""

from __future__ import annotations

from perf_gate.github import sanitize
from perf_gate.report import markdown


def test_table_cell_escapes_pipes_newlines_html_and_mentions():
    cell = markdown.table_cell("a|b\nc\r\nd <!-- gates:end --> @team x@example.com")
    assert cell == "a\\|b c d &lt;!-- gates:end --&gt; @\u200bteam x@example.com"


def test_already_escaped_pipes_are_not_doubled():
    assert markdown.table_cell("a \\| b") == "a \\| b"


def test_truncation_never_leaves_a_dangling_backslash():
    cell = markdown.table_cell("x" * 9 + "|" + "y" * 10, limit=11)
    assert not cell.endswith("\\") and len(cell) <= 11


def test_mentions_are_neutralized_once():
    once = markdown.neutralize_mentions("@a and (@b/team) but not `@c` or me@x.org")
    assert once == "@\u200ba and (@\u200bb/team) but not `@c` or me@x.org"
    assert markdown.neutralize_mentions(once) == once


def test_markdown_block_disarms_anchor_markers():
    text = markdown.markdown_block("<!-- gates:start -->\n| x |\n<!-- gates:end -->")
    assert "<!--" not in text and "-->" not in text


def test_inline_text_is_one_line():
    assert markdown.inline_text("a\n\nb   c", limit=100) == "a b c"
    assert sanitize.one_line("x" * 200) == "x" * 139 + "…"
