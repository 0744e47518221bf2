"""The PR's Ledger comment: our ``perf`` row, a hop-log bullet and the decision's ``Next:``.

The text functions are pure and change nothing but what they are about: every other
byte of the comment (other gates' rows, emoji or bold statuses, extra columns,
other anchored sections, line endings) stays as it was. :func:`update_ledger`
finds the Ledger (a comment the token's own identity wrote) through every page of
comments, edits it, re-reads it twice and merges again when another gate's edit
crossed ours, so that neither edit is lost.

Over 400 lines because the Ledger's text format is one contract (parse, edit, render
of the row, the hop log and ``Next:``), kept beside the edit loop that relies on it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from perf_gate.core.errors import PublishError
from perf_gate.github.client import GitHubClient, NotFound, Response
from perf_gate.github.context import GitHubContext
from perf_gate.github.identity import written_by
from perf_gate.report import markdown
from perf_gate.report.templates import render

AGENT = "review-perf-finalizer"
EVIDENCE_LIMIT = 500
STATUS_EMOJI = {"pass": "✅", "fail": "❌", "skipped": "⏭️", "warn": "⚠️"}

_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_PIPE = re.compile(r"(?<!\\)\|")
_DECORATION = re.compile(r"[*_`~]")


def _marker(name: str, edge: str) -> re.Pattern[str]:
    return re.compile(rf"<!--\s*{re.escape(name)}:{edge}\s*-->")


def section(body: str, name: str) -> tuple[int, int] | None:
    """Where the content of ``<!-- name:start -->`` … ``<!-- name:end -->`` lies."""
    start = _marker(name, "start").search(body)
    if start is None:
        return None
    end = _marker(name, "end").search(body, start.end())
    if end is None:
        return None
    return start.end(), end.start()


def is_ledger(body: object) -> bool:
    return isinstance(body, str) and section(body, "gates") is not None


# -- the gates table ---------------------------------------------------------------


def split_cells(line: str) -> list[str]:
    """The cells of one table line, outer pipes dropped, escaped pipes kept."""
    text = line.strip()
    cells = _PIPE.split(text)
    if cells and cells[0].strip() == "" and text.startswith("|"):
        cells = cells[1:]
    if cells and cells[-1].strip() == "" and text.endswith("|") and not text.endswith("\\|"):
        cells = cells[:-1]
    return [cell.strip() for cell in cells]


def bare(cell: str) -> str:
    """A cell without Markdown decoration or a leading emoji: ``**✅ pass**`` → ``pass``."""
    text = _DECORATION.sub("", cell).strip()
    while text and not text[0].isalnum():
        text = text[1:]
    return text.strip().lower()


def _line_end(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return ""


def _styled_status(status: str, reference: str | None) -> str:
    """Our status in the style the table already uses (plain, emoji, bold)."""
    word = status
    if reference:
        text = reference.strip()
        bold = text.startswith("**") and text.endswith("**")
        inner = text.strip("*").strip()
        if inner and not inner[0].isalnum() and status.split(" ")[0] in STATUS_EMOJI:
            word = f"{STATUS_EMOJI[status.split(' ')[0]]} {status}"
        if bold:
            word = f"**{word}**"
    return word


@dataclass(frozen=True)
class GateRow:
    """What our row says. ``status`` is ``pass``/``fail``/``skipped (reason)``."""

    gate: str
    status: str
    evidence: str
    agent: str = AGENT
    timestamp: str = ""

    def cells(
        self, header: Sequence[str], old: Sequence[str] | None, style: str | None
    ) -> list[str]:
        out = []
        for index, name in enumerate(header):
            key = bare(name)
            previous = old[index] if old is not None and index < len(old) else ""
            if key == "gate":
                out.append(previous or markdown.table_cell(self.gate))
            elif key in ("status", "result", "state"):
                out.append(_styled_status(markdown.table_cell(self.status), style))
            elif key in ("evidence", "details", "summary"):
                out.append(markdown.table_cell(self.evidence, limit=EVIDENCE_LIMIT))
            elif key in ("agent", "by", "owner"):
                out.append(markdown.table_cell(self.agent))
            elif key in ("timestamp", "time", "updated", "date", "when"):
                out.append(markdown.table_cell(self.timestamp) or previous)
            else:
                out.append(previous)
        return out


STANDARD_HEADER = ("Gate", "Status", "Evidence")


def format_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def upsert_gate_row(body: str, row: GateRow) -> str:
    """``body`` with our gate's row replaced, or added at the end of the gates table.

    Raises :class:`ValueError` when ``body`` has no gates section.
    """
    bounds = section(body, "gates")
    if bounds is None:
        raise ValueError("no <!-- gates:start --> … <!-- gates:end --> section")
    begin, end = bounds
    lines = body[begin:end].splitlines(keepends=True)
    table = [i for i, line in enumerate(lines) if line.strip().startswith("|")]
    header_index = table[0] if table else None
    has_separator = (
        header_index is not None
        and header_index + 1 < len(lines)
        and _SEPARATOR.match(lines[header_index + 1]) is not None
    )
    if header_index is None or not has_separator:
        eol = "\r\n" if "\r\n" in body else "\n"
        block = (
            format_row(STANDARD_HEADER)
            + eol
            + format_row(["---"] * len(STANDARD_HEADER))
            + eol
            + format_row(row.cells(STANDARD_HEADER, None, None))
            + eol
        )
        lead = lines[0] if lines and lines[0].strip() == "" else eol
        rest = lines[1:] if lines and lines[0].strip() == "" else lines
        return body[:begin] + lead + block + "".join(rest) + body[end:]

    header = split_cells(lines[header_index])
    gate_column = next((i for i, cell in enumerate(header) if bare(cell) == "gate"), 0)
    status_column = next(
        (i for i, cell in enumerate(header) if bare(cell) in ("status", "result", "state")), None
    )
    data = []
    for index in range(header_index + 2, len(lines)):
        if not lines[index].strip().startswith("|"):
            break
        data.append(index)
    ours = []
    for index in data:
        cells = split_cells(lines[index])
        if gate_column < len(cells) and bare(cells[gate_column]) == row.gate.lower():
            ours.append(index)

    if ours:
        old = split_cells(lines[ours[0]])
        style = None
        if status_column is not None and status_column < len(old):
            style = old[status_column]
        lines[ours[0]] = format_row(row.cells(header, old, style)) + _line_end(lines[ours[0]])
        for extra in reversed(ours[1:]):
            del lines[extra]
    else:
        reference = None
        if data and status_column is not None:
            last = split_cells(lines[data[-1]])
            reference = last[status_column] if status_column < len(last) else None
        after = data[-1] if data else header_index + 1
        eol = _line_end(lines[after]) or ("\r\n" if "\r\n" in body else "\n")
        if not _line_end(lines[after]):
            lines[after] += eol
        lines.insert(after + 1, format_row(row.cells(header, None, reference)) + eol)
    return body[:begin] + "".join(lines) + body[end:]


def gate_row_of(body: str, gate: str) -> str | None:
    """The (first) row of ``gate`` in the gates table, as a line without its ending."""
    bounds = section(body, "gates")
    if bounds is None:
        return None
    lines = body[bounds[0] : bounds[1]].splitlines()
    table = [line for line in lines if line.strip().startswith("|")]
    if len(table) < 2:
        return None
    header = split_cells(table[0])
    column = next((i for i, cell in enumerate(header) if bare(cell) == "gate"), 0)
    for line in table[2:]:
        cells = split_cells(line)
        if column < len(cells) and bare(cells[column]) == gate.lower():
            return line
    return None


# -- the hop log and the decision ----------------------------------------------------


def append_hoplog(body: str, bullet: str) -> str:
    """One bullet added at the end of the ``hoplog`` section; no-op without one, or when
    the very same bullet is already there."""
    bounds = section(body, "hoplog")
    if bounds is None:
        return body
    begin, end = bounds
    content = body[begin:end]
    if any(line.strip() == bullet.strip() for line in content.splitlines()):
        return body
    eol = "\r\n" if "\r\n" in content or ("\r\n" in body and "\n" not in content) else "\n"
    stripped = content.rstrip(" \t\r\n")
    trailing = content[len(stripped) :]
    if not stripped:
        new = (content if content.endswith("\n") else content + eol) + bullet + eol
        return body[:begin] + new + body[end:]
    insertion = eol + bullet
    new = stripped + insertion + (trailing if trailing else eol)
    return body[:begin] + new + body[end:]


_NEXT = re.compile(
    r"^[ \t>]*(?:[-*][ \t]+)?(?:\*\*|__)?Next:(?:\*\*|__)?[ \t]*(?P<value>[^\r\n]*)",
    re.MULTILINE,
)


def set_next(body: str, route: str) -> str:
    """The decision section's ``Next:`` line pointing at ``route``; no-op without a
    decision section. A section without a ``Next:`` line gets one at its end."""
    bounds = section(body, "decision")
    if bounds is None or not route:
        return body
    begin, end = bounds
    content = body[begin:end]
    match = _NEXT.search(content)
    if match is not None:
        new = content[: match.start("value")] + route + content[match.end("value") :]
        return body[:begin] + new + body[end:]
    eol = "\r\n" if "\r\n" in content else "\n"
    stripped = content.rstrip(" \t\r\n")
    new = stripped + eol + f"**Next:** {route}" + eol
    return body[:begin] + new + body[end:]


# -- one edit, applied to whatever the comment holds now ----------------------------


@dataclass(frozen=True)
class LedgerEdit:
    """Our contribution to the Ledger; :meth:`apply` is idempotent."""

    row: GateRow
    bullet: str | None = None
    route: str | None = None
    state: str = "in-progress"
    why: str = ""

    def apply(self, body: str) -> str:
        body = upsert_gate_row(body, self.row)
        if self.bullet:
            body = append_hoplog(body, self.bullet)
        if self.route:
            body = set_next(body, self.route)
        return body

    def is_applied(self, body: str) -> bool:
        """Our row and bullet are in ``body`` (the ``Next:`` line is last-writer-wins)."""
        if not is_ledger(body):
            return False
        if upsert_gate_row(body, self.row) != body:
            return False
        return not self.bullet or append_hoplog(body, self.bullet) == body

    def new_ledger(self) -> str:
        return render(
            "github/ledger.md.j2",
            row=format_row(self.row.cells(STANDARD_HEADER, None, None)),
            bullet=self.bullet or f"- {AGENT}: {markdown.inline_text(self.row.status)}",
            state=self.state,
            why=self.why,
            route=self.route or "",
        )


def edit_from_receipt(
    receipt: dict[str, Any], context: GitHubContext, *, timestamp: str, gate: str = "perf"
) -> LedgerEdit:
    gate_info = receipt.get("gate") or {}
    route = receipt.get("route") or {}
    status = str(gate_info.get("status") or "")
    if status == "skipped" and gate_info.get("reason"):
        status = f"skipped ({gate_info['reason']})"
    evidence = (receipt.get("evidence") or {}).get("ledger") or gate_info.get("summary") or ""
    short = context.head_sha[:7]
    next_route = markdown.inline_text(route.get("next") or "", limit=200)
    summary = markdown.inline_text(gate_info.get("summary") or status, limit=400)
    bullet = f"- {AGENT}: {summary}" + (f" → {next_route}" if next_route else "")
    bullet += f" ({short})" if short else ""
    return LedgerEdit(
        row=GateRow(gate=gate, status=status, evidence=str(evidence), timestamp=timestamp),
        bullet=bullet,
        route=next_route or None,
        why=markdown.inline_text(route.get("reason") or "", limit=400),
    )


# -- the loop against GitHub ----------------------------------------------------------


@dataclass(frozen=True)
class LedgerResult:
    comment_id: int
    created: bool
    attempts: int
    url: str | None = None
    conflict: str | None = None
    """Set when another run rewrote our row after seeing our edit: its row stands."""


def _comments_path(context: GitHubContext) -> str:
    return f"{context.repo_path}/issues/{context.pr_number}/comments"


def find_ledgers(client: GitHubClient, context: GitHubContext, author: str) -> list[dict[str, Any]]:
    """Every Ledger comment ``author`` wrote on the PR, oldest first (all pages read).
    A comment by anyone else is never taken for the Ledger, whatever it carries."""
    found = [
        comment
        for comment in client.paginate(_comments_path(context))
        if isinstance(comment, dict)
        and is_ledger(comment.get("body"))
        and written_by(comment, author)
    ]
    return sorted(found, key=lambda comment: int(comment["id"]))


def _check(edit: LedgerEdit, body: str) -> str:
    """``applied`` (our row and bullet are there), ``superseded`` (our bullet is there but
    our row was rewritten since: a later run of this gate saw our edit and replaced it)
    or ``lost`` (a write from an older read undid ours)."""
    if edit.is_applied(body):
        return "applied"
    if is_ledger(body) and edit.bullet and append_hoplog(body, edit.bullet) == body:
        return "superseded"
    return "lost"


def update_ledger(
    client: GitHubClient,
    context: GitHubContext,
    edit: LedgerEdit,
    *,
    author: str,
    attempts: int = 6,
    settle: float = 1.0,
    confirm: float = 3.0,
    sleep: Callable[[float], None] = time.sleep,
) -> LedgerResult:
    """Apply ``edit`` to the PR's Ledger (creating it when there is none) and make sure
    it stuck.

    GitHub has no conditional write for comments, so a slow write of another run,
    made from an older read, can land after ours and undo it. After each write the
    comment is read again ``settle`` seconds later and once more ``confirm`` seconds
    after that; an edit found undone is merged into the comment as it is then and
    written again. A row another run rewrote after seeing ours is reported as a
    conflict, not fought over.
    """
    path = f"{context.repo_path}/issues/comments"
    for attempt in range(1, attempts + 1):
        ledgers = find_ledgers(client, context, author)
        if not ledgers:

            def landed() -> Response | None:
                mine = [
                    c for c in find_ledgers(client, context, author) if edit.is_applied(c["body"])
                ]
                return Response(201, mine[0], {}) if mine else None

            comment = client.post(
                _comments_path(context), {"body": edit.new_ledger()}, recheck=landed
            ).data
            created_id = int(comment["id"])
            # Another gate may have created one at the same moment: the oldest wins.
            ledgers = find_ledgers(client, context, author)
            if not ledgers or int(ledgers[0]["id"]) == created_id:
                return LedgerResult(created_id, True, attempt, comment.get("html_url"))
            client.delete(f"{path}/{created_id}")
        target = ledgers[0]
        comment_id = int(target["id"])
        body = str(target["body"])
        new_body = edit.apply(body)
        try:
            if new_body != body:
                client.patch(f"{path}/{comment_id}", {"body": new_body})
            state, fresh = "lost", {}
            for wait in (settle, confirm):
                if wait > 0:
                    sleep(wait)
                fresh = client.get(f"{path}/{comment_id}").data
                state = _check(edit, str(fresh.get("body") or ""))
                if state != "applied":
                    break
        except NotFound:
            continue  # deleted under us: start over
        if state == "applied":
            return LedgerResult(comment_id, False, attempt, fresh.get("html_url"))
        if state == "superseded":
            return LedgerResult(
                comment_id,
                False,
                attempt,
                fresh.get("html_url"),
                conflict=(
                    f"the {edit.row.gate} row of the Ledger was rewritten by another run "
                    "after ours; its row stands, both hop-log bullets are kept"
                ),
            )
        sleep(min(settle, 0.5) * attempt)
    raise PublishError(
        f"Ledger conflict: our {edit.row.gate} row and hop-log bullet kept being undone by "
        f"other writes; gave up after {attempts} tries"
    )
