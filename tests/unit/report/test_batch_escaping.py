"""The report's table rows are escaped in batches and joined in Python, not cell by cell in
Jinja (10,000 rows took longer to render than to judge). These tests pin the batch rules to
the per-value rules and the joined rows to the template loops they replaced, on names an
attacker chose: every character, line breaks of every kind, Markdown and HTML specials.
"""

from __future__ import annotations

import dataclasses
import random
import re
import sys

import jinja2
import markupsafe
import pytest

from perf_gate.judge.verdict import Row, Status
from perf_gate.report import html_report, render
from perf_gate.report.markdown import ZWSP, escape, escape_many
from perf_gate.report.templates import environment
from tests.report_rows import HOSTILE, row

# The characters that matter to one rule or another, and some that do not.
ALPHABET = [
    *"ab1 @#|\\`*_[]<>~&'\"%:!-",
    *"\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00\x1b",
    "\r\n",
    "µ",
    "✅",
    "<!--",
    "-->",
    "::error::",
]


def hostile_texts(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 8))) for _ in range(count)]


def escape_as_it_was(text: str) -> str:
    """The local summary's escaper before this change (a regex substitution)."""
    out = " ".join(text.splitlines())
    out = re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", out)
    return out.replace("@", "@" + ZWSP)


def test_escape_is_the_rule_it_was_for_every_character() -> None:
    """Every character up to U+3000 (all the line breaks and specials live there) and the
    last one."""
    for code in [*range(0x3000), sys.maxunicode]:
        text = f"a{chr(code)}b{chr(code)}"
        assert escape(text) == escape_as_it_was(text), hex(code)


def test_escape_is_the_rule_it_was_for_hostile_names() -> None:
    rng = random.Random(14)
    for text in [*HOSTILE, *hostile_texts(rng, 5000)]:
        assert escape(text) == escape_as_it_was(text), repr(text)


@pytest.mark.parametrize("seed", range(5))
def test_escaping_many_is_escaping_each(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        texts = hostile_texts(rng, rng.randrange(0, 12))
        assert escape_many(texts) == [escape(t) for t in texts], texts
        assert html_report.escape_many(texts) == [str(markupsafe.escape(t)) for t in texts]


def test_the_batch_rules_take_the_one_pass_and_the_careful_path() -> None:
    """Texts without line breaks go through in one pass; one text with a break of its own
    (a newline, or U+2028 for the summary) still gets the per-text rule."""
    plain = ["a|b", "@x", "<i>"]
    assert escape_many(plain) == ["a\\|b", "@" + ZWSP + "x", "\\<i\\>"]
    assert escape_many([*plain, "c\u2028d\n"]) == [*escape_many(plain), "c d"]
    assert html_report.escape_many(["<b>", "x\ny", "'"]) == ["&lt;b&gt;", "x\ny", "&#39;"]
    assert escape_many([]) == [] and html_report.escape_many([]) == []


# The loops of perf-summary.md.j2 and perf-report.html.j2 that table_lines, why_lines and
# table_rows replaced, as they were.
OLD_MARKDOWN_ROWS = (
    "{% for r in rows %}\n"
    "| {{ r.metric }} | {{ r.baseline }} | {{ r.current }} | {{ r.delta }} "
    "| {{ r.threshold }} | {{ r.status }} |\n"
    "{% endfor %}\n"
    "{% for r in explained %}\n"
    "- **{{ r.metric }}** ({{ r.status }}): {{ r.explanation }}\n"
    "{% endfor %}"
)
OLD_HTML_ROWS = (
    "{% for r, delta, status in table %}\n"
    '<tr class="status-{{ status }}"><td>{{ r.metric }}</td><td>{{ r.baseline }}</td>'
    "<td>{{ r.current }}</td><td data-sort=\"{{ '' if delta is none else delta }}\">"
    '{{ r.delta }}</td><td>{{ r.threshold }}</td><td data-sort="{{ r.severity }}">'
    "{{ r.status }}</td></tr>\n"
    "{% endfor %}"
)


def judged_rows() -> list[Row]:
    statuses = [Status.FAIL, Status.PASS, Status.WARN, Status.NEW]
    rng = random.Random(7)
    names = [*HOSTILE, *hostile_texts(rng, 40), "plain"]
    return [
        row(name or "x", 100.0, 100.0 + i, statuses[i % len(statuses)], tolerance=i % 7)
        for i, name in enumerate(names)
    ]


def test_the_summary_rows_are_what_the_template_loop_printed() -> None:
    rows = judged_rows()
    table = [render.table_row(r) for r in rows]
    table = [
        dataclasses.replace(t, explanation=f"{t.metric} | b\r\n@c") if i % 3 else t
        for i, t in enumerate(table)
    ]
    explained = [t for t in table if t.severity < 4]
    loop = environment().from_string(OLD_MARKDOWN_ROWS)  # the summary's escaping rule
    expected = loop.render(rows=table, explained=explained)
    joined = f"{render.table_lines(table)}\n{render.why_lines(explained)}\n"
    assert joined == expected


def test_the_page_rows_are_what_autoescaping_printed() -> None:
    rows = judged_rows()
    table = [render.table_row(r) for r in rows]
    order = sorted(range(len(rows)), key=lambda i: html_report.SEVERITY[rows[i].status])
    cells = [(table[i], rows[i].delta_pct, rows[i].status.value) for i in order]
    loop = jinja2.Environment(autoescape=True, trim_blocks=True).from_string(OLD_HTML_ROWS)
    assert f"{html_report.table_rows(rows, table)}\n" == loop.render(table=cells)
