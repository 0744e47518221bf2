"""Fit text into GitHub's size limits (descriptions, titles, check-run and comment bodies).

Escaping untrusted text is not done here: that is :mod:`perf_gate.report.markdown`, the one
escaper. Every function here is pure.
"""

from __future__ import annotations

from perf_gate.report.markdown import single_line, truncate


def one_line(text: str, *, limit: int = 140) -> str:
    """A short plain description (commit status, check title)."""
    return truncate(single_line(text), limit)


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
