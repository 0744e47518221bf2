"""The ``review:gate:perf`` check run: its payload (pure) and publishing it idempotently.

A rerun for the same head sha finds the run it made before by name and PATCHes it,
so the PR never shows two. Summary and text stay within GitHub's 65,535 limit
(regressions first, with a pointer to the full report), and annotations go out
at most 50 per request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from perf_gate.core.units import format_pct, format_value
from perf_gate.github import sanitize
from perf_gate.github.client import Forbidden, GitHubClient, Response
from perf_gate.github.context import GitHubContext
from perf_gate.github.sanitize import fit, utf8_len
from perf_gate.judge.decide import CONCLUSION
from perf_gate.judge.verdict import SEVERITY, STATUS_CELL
from perf_gate.report import markdown
from perf_gate.report.templates import render

OUTPUT_LIMIT = 65_535
"""GitHub's maximum for ``output.summary`` and ``output.text``; counted in UTF-8 bytes
here, which is never more lenient than GitHub's characters."""
ANNOTATIONS_PER_REQUEST = 50
TITLE_LIMIT = 255

_CELL = {status.value: cell for status, cell in STATUS_CELL.items()}
_ORDER = {status.value: rank for status, rank in SEVERITY.items()}
ANNOTATION_LEVELS = {"fail": "failure", "warn": "warning"}


@dataclass(frozen=True)
class CheckRunPayload:
    name: str
    head_sha: str
    conclusion: str
    title: str
    summary: str
    text: str
    annotations: tuple[dict[str, Any], ...]
    details_url: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class CheckRunResult:
    id: int
    url: str | None
    created: bool
    annotations_sent: int
    app_slug: str | None = None
    """The app the token belongs to (``github-actions`` for ``GITHUB_TOKEN``)."""


# -- pure: building the payload ----------------------------------------------------


def conclusion_for(status: str) -> str:
    """pass → success, fail → failure, skipped (or anything else) → neutral."""
    return CONCLUSION.get(status, "neutral")


def _number(value: Any, unit: str) -> str:
    """The receipt's canonical value in the report's human form (``1.63 ms``, ``99.84%``)."""
    return format_value(float(value), unit) if isinstance(value, (int, float)) else "—"


def _delta(value: Any) -> str:
    return format_pct(float(value)) if isinstance(value, (int, float)) else "—"


def ordered_metrics(receipt: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Metrics with regressions first (fail, warn, missing, new, pass, skipped)."""
    metrics = list(receipt.get("metrics") or [])
    return sorted(metrics, key=lambda m: _ORDER.get(str(m.get("status")), 9))


def table_rows(metrics: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for metric in metrics:
        unit = str(metric.get("unit") or "")
        status = str(metric.get("status") or "")
        cell = _CELL.get(status, status)
        if status == "skipped" and metric.get("explanation"):
            cell = f"skipped ({metric['explanation']})"
        rows.append(
            {
                "metric": str(
                    metric.get("display") or metric.get("label") or metric.get("name") or "?"
                ),
                "baseline": _number(metric.get("baseline"), unit),
                "current": _number(metric.get("current"), unit),
                "delta": _delta(metric.get("delta_pct")),
                "threshold": str(metric.get("threshold") or ""),
                "status": cell,
            }
        )
    return rows


def render_summary(receipt: Mapping[str, Any], pointer: str, limit: int = OUTPUT_LIMIT) -> str:
    """The gate line and the delta table; rows dropped from the end (passing ones)
    until it fits."""
    rows = table_rows(ordered_metrics(receipt))
    gate = receipt.get("gate") or {}
    route = receipt.get("route") or {}

    def attempt(shown: int) -> str:
        return render(
            "github/check_summary.md.j2",
            gate_line=gate.get("summary") or gate.get("status") or "",
            rows=rows[:shown],
            omitted=len(rows) - shown,
            pointer=pointer,
            route=route.get("next") or "",
            route_reason=route.get("reason") or "",
        )

    text = attempt(len(rows))
    if utf8_len(text) <= limit:
        return text
    low, high = 0, len(rows)
    while low < high:
        middle = (low + high + 1) // 2
        if utf8_len(attempt(middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    return fit(attempt(low), limit, pointer)


def render_text(
    receipt: Mapping[str, Any], report: str, pointer: str, limit: int = OUTPUT_LIMIT
) -> str:
    """The full report without its Mermaid charts (the check run is not documented to
    render them); when too long, the regressions first, then as much as fits."""
    text = markdown.report_markdown(report, charts="drop")
    if utf8_len(text) <= limit:
        return text
    failing = [m for m in ordered_metrics(receipt) if m.get("status") in ANNOTATION_LEVELS]
    lines = ["### Regressions", ""] if failing else []
    for metric in failing[:100]:
        lines.append(
            f"- **{markdown.table_cell(metric.get('label') or metric.get('name'))}** "
            f"({metric.get('status')}, {_delta(metric.get('delta_pct'))}): "
            f"{markdown.inline_text(metric.get('explanation') or '', limit=300)}"
        )
    head = "\n".join(lines) + ("\n\n---\n\n" if lines else "")
    return fit(head + text, limit, pointer)


def _relative_source(source: Any, workspace: str | None, fallback: str) -> str:
    if not isinstance(source, str) or not source:
        return fallback
    path = PurePosixPath(source)
    if path.is_absolute():
        if workspace and path.is_relative_to(workspace):
            path = path.relative_to(workspace)
        else:
            return fallback
    if ".." in path.parts:
        return fallback
    return str(path)


def annotations_for(
    receipt: Mapping[str, Any], *, workspace: str | None = None, fallback: str = ".perf-gate.yml"
) -> list[dict[str, Any]]:
    """One annotation per failing or warning metric and finding, failures first."""
    out: list[dict[str, Any]] = []
    for metric in ordered_metrics(receipt):
        level = ANNOTATION_LEVELS.get(str(metric.get("status")))
        if level is None:
            continue
        label = markdown.single_line(str(metric.get("label") or metric.get("name") or "metric"))
        out.append(
            {
                "path": _relative_source(metric.get("source"), workspace, fallback),
                "start_line": 1,
                "end_line": 1,
                "annotation_level": level,
                "title": markdown.truncate(f"{label}: {metric.get('status')}", TITLE_LIMIT),
                "message": markdown.truncate(
                    markdown.single_line(
                        f"{label} {_delta(metric.get('delta_pct'))} "
                        f"(threshold {metric.get('threshold')}): {metric.get('explanation')}"
                    ),
                    4000,
                ),
            }
        )
    for finding in receipt.get("findings") or []:
        level = ANNOTATION_LEVELS.get(str(finding.get("severity")))
        if level is None:
            continue
        out.append(
            {
                "path": _relative_source(finding.get("source"), workspace, fallback),
                "start_line": 1,
                "end_line": 1,
                "annotation_level": level,
                "title": markdown.truncate(
                    markdown.single_line(str(finding.get("code") or "finding")), TITLE_LIMIT
                ),
                "message": markdown.truncate(
                    markdown.single_line(str(finding.get("message"))), 4000
                ),
            }
        )
    out.sort(key=lambda a: a["annotation_level"] != "failure")
    return out


def build_payload(
    receipt: Mapping[str, Any],
    report: str,
    context: GitHubContext,
    *,
    workspace: str | None = None,
) -> CheckRunPayload:
    gate = receipt.get("gate") or {}
    status = str(gate.get("status") or "")
    where = f"the run's artifacts: {context.run_url}" if context.run_url else "the job's artifacts"
    pointer = f"the full report is perf-summary.md in {where}"
    title = f"{status}: {gate.get('summary') or ''}" if status else str(gate.get("summary"))
    return CheckRunPayload(
        name=context.gate_name,
        head_sha=context.head_sha,
        conclusion=conclusion_for(status),
        title=sanitize.one_line(
            markdown.neutralize_references(markdown.neutralize_mentions(title)), limit=TITLE_LIMIT
        ),
        summary=render_summary(receipt, pointer),
        text=render_text(receipt, report, pointer),
        annotations=tuple(annotations_for(receipt, workspace=workspace)),
        details_url=context.run_url,
        external_id=str(receipt.get("created_at") or "") or None,
    )


# -- I/O: create or update ---------------------------------------------------------


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def find_existing(client: GitHubClient, context: GitHubContext) -> dict[str, Any] | None:
    """The newest check run of this name on the head sha, if any."""
    runs = client.paginate(
        f"{context.repo_path}/commits/{context.head_sha}/check-runs",
        {"check_name": context.gate_name, "filter": "latest"},
    )
    for run in runs:
        if isinstance(run, dict) and run.get("name") == context.gate_name:
            return run
    return None


def publish_check_run(
    client: GitHubClient, context: GitHubContext, payload: CheckRunPayload
) -> CheckRunResult:
    """Create the check run, or PATCH the one a previous run left on this sha.

    Raises :class:`Forbidden` when the token may not use the Checks API (a personal
    access token, or no ``checks: write``).
    """
    existing = find_existing(client, context)
    annotations = list(payload.annotations)
    if existing is not None and (existing.get("output") or {}).get("annotations_count"):
        # GitHub appends annotations; a rerun would repeat them.
        annotations = []
    first, rest = annotations[:ANNOTATIONS_PER_REQUEST], annotations[ANNOTATIONS_PER_REQUEST:]
    output: dict[str, Any] = {
        "title": payload.title,
        "summary": payload.summary,
        "text": payload.text,
    }
    if first:
        output["annotations"] = first
    body: dict[str, Any] = {
        "name": payload.name,
        "status": "completed",
        "conclusion": payload.conclusion,
        "completed_at": _now(),
        "output": output,
    }
    if payload.details_url:
        body["details_url"] = payload.details_url
    if payload.external_id:
        body["external_id"] = payload.external_id

    created = existing is None
    if existing is not None:
        try:
            run = client.patch(f"{context.repo_path}/check-runs/{existing['id']}", body).data
        except Forbidden:
            # Another app's run of the same name: ours must be separate.
            created = True
    if created:
        known = existing["id"] if existing is not None else None

        def landed() -> Response | None:
            again = find_existing(client, context)
            if again is None or again["id"] == known:
                return None
            return Response(201, again, {})

        run = client.post(
            f"{context.repo_path}/check-runs",
            {**body, "head_sha": payload.head_sha},
            recheck=landed,
        ).data
    run_id = int(run["id"])
    for start in range(0, len(rest), ANNOTATIONS_PER_REQUEST):
        batch = rest[start : start + ANNOTATIONS_PER_REQUEST]
        client.patch(
            f"{context.repo_path}/check-runs/{run_id}",
            {
                "output": {
                    "title": payload.title,
                    "summary": payload.summary,
                    "text": payload.text,
                    "annotations": batch,
                }
            },
        )
    return CheckRunResult(
        id=run_id,
        url=run.get("html_url") if isinstance(run.get("html_url"), str) else None,
        created=created,
        annotations_sent=len(annotations),
        app_slug=_app_slug(run),
    )


def _app_slug(run: Mapping[str, Any]) -> str | None:
    app = run.get("app")
    slug = app.get("slug") if isinstance(app, dict) else None
    return slug if isinstance(slug, str) and slug else None
