"""The progress comment: the full analysis, the routing decision and next steps.

One comment per head sha, found again on a rerun by a hidden marker and updated,
so a push gets a new comment and a rerun does not. Only a comment the token's own
identity wrote is taken for ours: anyone can type the marker.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from perf_gate.github.client import GitHubClient, Response
from perf_gate.github.context import GitHubContext
from perf_gate.github.identity import written_by
from perf_gate.github.sanitize import fit, utf8_len
from perf_gate.report import markdown
from perf_gate.report.templates import render

COMMENT_LIMIT = 65_536
ICONS = {"pass": "✅", "fail": "❌", "skipped": "⏭️"}
NEXT_STEPS = {
    "review-docs-reviewer": (
        "Performance is within thresholds: the PR moves on to the documentation review."
    ),
    "review-perf-fixer": (
        "Fix the regressions listed in the analysis and push: the gate runs again on the new head."
    ),
    "baseline-manager": (
        "Results moved beyond tolerance in the good direction: update the baseline so later "
        "PRs are compared with the new numbers."
    ),
    "gpu-troubleshooter": (
        "The GPU runner did not give a trustworthy run: check the driver, CUDA and device "
        "visibility, then rerun the job."
    ),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/-]")


def marker(gate_name: str, head_sha: str) -> str:
    """The hidden line that identifies our comment for this gate and commit."""
    gate = _UNSAFE.sub("_", gate_name)
    sha = _UNSAFE.sub("_", head_sha)
    return f"<!-- perf-gate:progress gate={gate} sha={sha} -->"


def render_comment(
    receipt: Mapping[str, Any],
    report: str,
    context: GitHubContext,
    *,
    check_run_url: str | None = None,
) -> str:
    gate = receipt.get("gate") or {}
    route = receipt.get("route") or {}
    status = str(gate.get("status") or "")
    next_route = str(route.get("next") or "")
    step = NEXT_STEPS.get(next_route, f"Hand over to {next_route}." if next_route else "")
    links = " · ".join(
        f"[{label}]({url})"
        for label, url in (("check run", check_run_url), ("workflow run", context.run_url))
        if url
    )
    where = f"the run's artifacts: {context.run_url}" if context.run_url else "the job's artifacts"
    pointer = f"the full report is perf-summary.md in {where}"

    def with_report(text: str) -> str:
        return render(
            "github/progress_comment.md.j2",
            marker=marker(context.gate_name, context.head_sha),
            icon=ICONS.get(status, "ℹ️"),
            gate_name=context.gate_name,
            status=status,
            short_sha=context.head_sha[:7],
            gate_line=gate.get("summary") or status,
            route=next_route,
            route_reason=route.get("reason") or "",
            next_steps=[step] if step else [],
            links=links,
            report=text,
        )

    safe = markdown.report_markdown(report).strip()
    body = with_report(safe)
    if utf8_len(body) <= COMMENT_LIMIT:
        return body
    safe = markdown.report_markdown(report, charts="sentence").strip()  # charts go first
    body = with_report(safe)
    if utf8_len(body) <= COMMENT_LIMIT:
        return body
    room = COMMENT_LIMIT - utf8_len(with_report("")) - 16
    return with_report(fit(safe, room, pointer))


@dataclass(frozen=True)
class CommentResult:
    comment_id: int
    created: bool
    url: str | None


def publish_progress_comment(
    client: GitHubClient, context: GitHubContext, body: str, *, author: str
) -> CommentResult:
    """Update our comment for this head sha (one ``author`` wrote), or create it."""
    tag = marker(context.gate_name, context.head_sha)
    path = f"{context.repo_path}/issues/{context.pr_number}/comments"

    def find() -> dict[str, Any] | None:
        for comment in client.paginate(path):
            if (
                isinstance(comment, dict)
                and tag in str(comment.get("body") or "")
                and written_by(comment, author)
            ):
                return comment
        return None

    existing = find()
    if existing is not None:
        comment_id = int(existing["id"])
        if existing.get("body") != body:
            existing = client.patch(
                f"{context.repo_path}/issues/comments/{comment_id}", {"body": body}
            ).data
        return CommentResult(comment_id, False, existing.get("html_url"))

    def landed() -> Response | None:
        again = find()
        return None if again is None else Response(201, again, {})

    created = client.post(path, {"body": body}, recheck=landed).data
    return CommentResult(int(created["id"]), True, created.get("html_url"))
