"""The Ledger's text edits: only our row, one bullet and the Next: line ever change."""

from __future__ import annotations

import pytest

from perf_gate.github.ledger import (
    GateRow,
    LedgerEdit,
    append_hoplog,
    gate_row_of,
    is_ledger,
    set_next,
    split_cells,
    upsert_gate_row,
)

ROW = GateRow("perf", "pass", "Δ ≤ threshold", timestamp="2025-01-02T03:04:05Z")
PLAIN = (
    "<!-- gates:start -->\n"
    "| Gate | Status | Evidence |\n"
    "|------|--------|----------|\n"
    "| freshness | pass | ok |\n"
    "| perf | fail | old |\n"
    "<!-- gates:end -->\n"
)


def test_replaces_only_the_perf_row():
    assert upsert_gate_row(PLAIN, ROW) == PLAIN.replace(
        "| perf | fail | old |", "| perf | pass | Δ ≤ threshold |"
    )


def test_adds_the_row_after_the_last_one_when_missing():
    body = PLAIN.replace("| perf | fail | old |\n", "")
    assert upsert_gate_row(body, ROW) == PLAIN.replace(
        "| perf | fail | old |", "| perf | pass | Δ ≤ threshold |"
    )


def test_keeps_crlf_line_endings_and_bold_emoji_style():
    body = (
        "intro\r\n<!-- gates:start -->\r\n| Gate | Status | Evidence | Agent | Timestamp |\r\n"
        "|---|---|---|---|---|\r\n| **perf** | **✅ pass** | x | someone | then |\r\n"
        "<!-- gates:end -->\r\noutro"
    )
    new = upsert_gate_row(body, GateRow("perf", "fail", "Δ > threshold", timestamp="now"))
    assert new == body.replace(
        "| **perf** | **✅ pass** | x | someone | then |",
        "| **perf** | **❌ fail** | Δ &gt; threshold | review-perf-finalizer | now |",
    )


def test_unknown_extra_columns_keep_their_old_values():
    body = PLAIN.replace(
        "| Evidence |\n|------|--------|----------|",
        "| Evidence | Owner2 |\n|------|--------|----------|----|",
    ).replace("| old |", "| old | kept |")
    new = upsert_gate_row(body, ROW)
    assert "| perf | pass | Δ ≤ threshold | kept |" in new


def test_a_gates_section_without_a_table_gets_the_standard_one():
    body = "x\n<!-- gates:start -->\n<!-- gates:end -->\ny"
    new = upsert_gate_row(body, ROW)
    assert new == (
        "x\n<!-- gates:start -->\n| Gate | Status | Evidence |\n| --- | --- | --- |\n"
        "| perf | pass | Δ ≤ threshold |\n<!-- gates:end -->\ny"
    )


def test_duplicate_perf_rows_collapse_into_one():
    body = PLAIN.replace("| perf | fail | old |\n", "| perf | fail | old |\n| perf | x | y |\n")
    assert upsert_gate_row(body, ROW).count("| perf |") == 1


def test_no_gates_section_is_an_error_and_not_a_ledger():
    assert not is_ledger("hello <!-- gates:start --> no end")
    with pytest.raises(ValueError):
        upsert_gate_row("hello", ROW)


def test_escaped_pipes_stay_inside_their_cell():
    assert split_cells("| a \\| b | c |") == ["a \\| b", "c"]
    assert gate_row_of(PLAIN, "perf") == "| perf | fail | old |"


def test_hoplog_bullet_appended_once():
    body = "<!-- hoplog:start -->\n### Hop log\n- a: one\n<!-- hoplog:end -->\nrest"
    once = append_hoplog(body, "- me: two")
    assert once == body.replace("- a: one\n", "- a: one\n- me: two\n")
    assert append_hoplog(once, "- me: two") == once
    assert append_hoplog("no section", "- me") == "no section"


def test_hoplog_on_one_line_and_empty_sections():
    assert append_hoplog("<!-- hoplog:start -->- a<!-- hoplog:end -->", "- b") == (
        "<!-- hoplog:start -->- a\n- b\n<!-- hoplog:end -->"
    )
    assert append_hoplog("<!-- hoplog:start -->\n<!-- hoplog:end -->", "- b") == (
        "<!-- hoplog:start -->\n- b\n<!-- hoplog:end -->"
    )


def test_next_line_updated_in_its_own_format():
    body = "<!-- decision:start -->\n**State:** x\n**Next:** old-agent\n<!-- decision:end -->"
    assert set_next(body, "review-docs-reviewer") == body.replace(
        "old-agent", "review-docs-reviewer"
    )
    plain = "<!-- decision:start -->\r\n- Next: a\r\n<!-- decision:end -->"
    assert set_next(plain, "b") == plain.replace("Next: a", "Next: b")
    missing = "<!-- decision:start -->\n**State:** x\n<!-- decision:end -->"
    assert set_next(missing, "b") == (
        "<!-- decision:start -->\n**State:** x\n**Next:** b\n<!-- decision:end -->"
    )
    assert set_next("no decision", "b") == "no decision"


def test_edit_is_idempotent_and_knows_when_it_was_lost():
    edit = LedgerEdit(row=ROW, bullet="- me: done", route="next-agent")
    body = PLAIN + "<!-- hoplog:start -->\n<!-- hoplog:end -->\n"
    once = edit.apply(body)
    assert edit.apply(once) == once and edit.is_applied(once)
    assert not edit.is_applied(body)
    assert not edit.is_applied("not a ledger")


def test_new_ledger_has_the_standard_layout():
    edit = LedgerEdit(
        row=ROW,
        bullet="- review-perf-finalizer: pass",
        route="review-docs-reviewer",
        why="all within thresholds",
    )
    assert edit.new_ledger() == (
        "<!-- gates:start -->\n"
        "| Gate | Status | Evidence |\n"
        "|------|--------|----------|\n"
        "| perf | pass | Δ ≤ threshold |\n"
        "<!-- gates:end -->\n"
        "<!-- hoplog:start -->\n"
        "### Hop log\n"
        "- review-perf-finalizer: pass\n"
        "<!-- hoplog:end -->\n"
        "<!-- decision:start -->\n"
        "**State:** in-progress\n"
        "**Why:** all within thresholds\n"
        "**Next:** review-docs-reviewer\n"
        "<!-- decision:end -->\n"
    )
    assert edit.is_applied(edit.new_ledger())
