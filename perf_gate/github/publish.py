"""Publishing one gate decision: check run (or commit status), Ledger row, progress comment.

Data flows one way: the receipt and report, already written to disk by the caller,
become a check run, a Ledger edit and a comment. When the token is read-only (a
pull request from a fork) nothing fails: the result goes to the job summary with
a ``::warning::`` on how to publish it from a ``workflow_run`` workflow, which runs
``perf-gate publish`` (``publish_receipt.py``). The caller (an entry point) passes the
:class:`~perf_gate.github.context.GitHubContext`; nothing here reads the environment.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, TextIO

import requests

from perf_gate.core import secrets
from perf_gate.core.errors import PublishError, TargetMismatch
from perf_gate.core.workflow_commands import command
from perf_gate.github.check_run import build_payload, publish_check_run
from perf_gate.github.client import Forbidden, GitHubClient, NotFound, RetryPolicy
from perf_gate.github.context import GitHubContext
from perf_gate.github.identity import token_login
from perf_gate.github.ledger import edit_from_receipt, update_ledger
from perf_gate.github.progress_comment import publish_progress_comment, render_comment
from perf_gate.github.statuses import publish_status
from perf_gate.report import markdown
from perf_gate.report.templates import render

DOCS = "docs/github.md"
PERMISSIONS_YAML = (
    "permissions:\n"
    "  contents: read\n"
    "  checks: write\n"
    "  pull-requests: write\n"
    "  statuses: write\n"
    "  actions: read"
)
WORKFLOW_RUN_HINT = (
    "publish it from a second workflow triggered by `workflow_run` that downloads the "
    "artifact and runs `perf-gate publish --receipt perf-receipt.json --event event.json` "
    f"(see {DOCS} in perf-finalizer)"
)


@dataclass(frozen=True)
class PublishOutcome:
    """What publishing did; ``skipped`` says what it did not do and why."""

    head_sha: str = ""
    pr_number: int | None = None
    check_run_id: int | None = None
    check_run_url: str | None = None
    status_context: str | None = None
    status_state: str | None = None
    ledger_comment_id: int | None = None
    ledger_created: bool = False
    progress_comment_id: int | None = None
    progress_comment_url: str | None = None
    ledger_conflict: str | None = None
    read_only: bool = False
    job_summary_written: bool = False
    skipped: tuple[str, ...] = field(default=())

    @property
    def published(self) -> bool:
        """Something reached GitHub."""
        return any(
            x is not None for x in (self.check_run_id, self.status_context, self.ledger_comment_id)
        ) or (self.progress_comment_id is not None)

    def to_dict(self) -> dict[str, Any]:
        """For the receipt's ``context``."""
        data = asdict(self)
        data["skipped"] = list(self.skipped)
        return data

    def describe(self) -> list[str]:
        """One line per thing done or skipped, for the console."""
        lines = []
        if self.check_run_id is not None:
            lines.append(f"check run {self.check_run_id}: {self.check_run_url or ''}".rstrip())
        if self.status_context:
            lines.append(f"commit status {self.status_context} = {self.status_state}")
        if self.ledger_comment_id is not None:
            verb = "created" if self.ledger_created else "updated"
            lines.append(f"Ledger comment {self.ledger_comment_id} {verb}")
        if self.ledger_conflict:
            lines.append(f"Ledger conflict: {self.ledger_conflict}")
        if self.progress_comment_id is not None:
            lines.append(f"progress comment {self.progress_comment_id}")
        if self.job_summary_written:
            lines.append("result written to the job summary")
        lines.extend(f"skipped: {reason}" for reason in self.skipped)
        return [f"publish: {line}" for line in lines]


def _short(exc: Exception) -> str:
    return str(getattr(exc, "message", exc))


def _command(out: TextIO, kind: str, message: str) -> None:
    """A workflow command (``::warning::``), escaped as the runner wants."""
    print(command(kind, message), file=out, flush=True)


def write_job_summary(
    context: GitHubContext, report: str, headline: str, explanation: list[str]
) -> bool:
    """Append the result and the way to publish it to ``GITHUB_STEP_SUMMARY``."""
    if context.step_summary is None:
        return False
    text = render(
        "github/job_summary.md.j2",
        headline=headline,
        explanation=explanation,
        report=markdown.report_markdown(report).strip(),
        fork=context.read_only_token,
        workflow=context.workflow or "perf",
        permissions=PERMISSIONS_YAML,
        docs=DOCS,
    )
    try:
        with context.step_summary.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        return False
    return True


def _resolve_pull(client: GitHubClient, context: GitHubContext) -> tuple[GitHubContext, str | None]:
    """The context with its pull request and head sha settled, or why there is no PR."""
    lookup = context.head_lookup
    if lookup is not None:
        pulls = client.paginate(
            f"{context.repo_path}/pulls", {"head": lookup.label, "state": "open"}
        )
        moved = None
        for pull in pulls:
            sha = (pull.get("head") or {}).get("sha")
            if sha == lookup.head_sha:
                return context.with_pull(int(pull["number"]), lookup.head_sha), None
            moved = pull
        context = replace(context, head_sha=context.head_sha or lookup.head_sha, head_lookup=None)
        if moved is not None:
            return context, (
                f"pull request #{moved['number']} has moved on to another head than "
                f"{lookup.head_sha[:7]}: only the check run is set"
            )
        return context, f"no open pull request has head {lookup.label}"
    if context.pr_number is None:
        return context, "no pull request for this event: only the check run is set"
    try:
        pull = client.get(f"{context.repo_path}/pulls/{context.pr_number}").data
    except NotFound:
        raise NotFound(
            f"pull request #{context.pr_number} not found in {context.repository} "
            "(or the token cannot see it)",
            status=404,
        ) from None
    head_sha = (pull.get("head") or {}).get("sha") or ""
    if not context.head_sha:
        return replace(context, head_sha=head_sha), None
    if head_sha != context.head_sha and (
        context.pr_claimed or context.event_name == "workflow_run"
    ):
        # The number came from data a pull request controls (or the run is not this PR's
        # any more): writing there would put this result on another pull request.
        raise TargetMismatch(
            f"pull request #{context.pr_number} has head {head_sha[:12] or '(none)'}, not the "
            f"benchmarked commit {context.head_sha[:12]}: refusing to publish to it"
        )
    return context, None


def publish(
    receipt: Mapping[str, Any],
    summary_markdown: str,
    context: GitHubContext,
    session: requests.Session,
    *,
    ledger: bool = True,
    progress_comment: bool = True,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    settle: float = 1.0,
    out: TextIO | None = None,
    workspace: str | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> PublishOutcome:
    """Publish ``receipt`` (and the full ``summary_markdown`` report) for ``context``."""
    out = out or sys.stdout
    if context.token and context.in_actions:
        secrets.mask([context.token], out)
    if not context.token:
        reason = "no GitHub token (set the github-token input or GITHUB_TOKEN)"
        _command(out, "warning", f"perf-gate: not published: {reason}")
        return PublishOutcome(head_sha=context.head_sha, skipped=(reason,))

    client = GitHubClient(session, context.api_url, context.token, policy=policy, sleep=sleep)
    skipped: list[str] = []
    context, why = _resolve_pull(client, context)
    if why:
        skipped.append(why)
    if not context.head_sha:
        raise PublishError("no commit to report on: the event names no head sha")
    outcome = PublishOutcome(head_sha=context.head_sha, pr_number=context.pr_number)
    refused: list[str] = []

    payload = build_payload(
        receipt, summary_markdown, context, workspace=workspace or context.workspace
    )
    app_slug = creator = None
    try:
        run = publish_check_run(client, context, payload)
        outcome = replace(outcome, check_run_id=run.id, check_run_url=run.url)
        app_slug = run.app_slug
    except Forbidden as exc:
        try:
            status = publish_status(client, context, receipt)
            outcome = replace(outcome, status_context=status.context, status_state=status.state)
            creator = status.creator
            skipped.append(f"check run refused ({_short(exc)}): commit status set instead")
        except Forbidden as status_exc:
            refused.append(f"check run and commit status: {_short(status_exc)}")

    stamp = (now or (lambda: dt.datetime.now(dt.UTC)))()
    timestamp = stamp.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    author = ""
    if context.pr_number is not None and not refused and (ledger or progress_comment):
        author = token_login(client, app_slug=app_slug, status_creator=creator)
    if context.pr_number is not None and not refused:
        if ledger:
            try:
                edit = edit_from_receipt(dict(receipt), context, timestamp=timestamp)
                result = update_ledger(
                    client,
                    context,
                    edit,
                    author=author,
                    settle=settle,
                    confirm=3 * settle,
                    sleep=sleep,
                )
                outcome = replace(
                    outcome,
                    ledger_comment_id=result.comment_id,
                    ledger_created=result.created,
                    ledger_conflict=result.conflict,
                )
                if result.conflict:
                    _command(out, "warning", f"perf-gate: Ledger conflict: {result.conflict}")
            except Forbidden as exc:
                refused.append(f"Ledger comment: {_short(exc)}")
        else:
            skipped.append("Ledger: turned off")
        if progress_comment and not refused:
            try:
                body = render_comment(
                    receipt, summary_markdown, context, check_run_url=outcome.check_run_url
                )
                comment = publish_progress_comment(client, context, body, author=author)
                outcome = replace(
                    outcome,
                    progress_comment_id=comment.comment_id,
                    progress_comment_url=comment.url,
                )
            except Forbidden as exc:
                refused.append(f"progress comment: {_short(exc)}")
        elif not progress_comment:
            skipped.append("progress comment: turned off")

    if refused:
        outcome = _read_only(outcome, context, summary_markdown, refused, out)
    return replace(outcome, skipped=tuple(skipped) + outcome.skipped)


def _read_only(
    outcome: PublishOutcome,
    context: GitHubContext,
    report: str,
    refused: list[str],
    out: TextIO,
) -> PublishOutcome:
    """The token may not write: keep the result in the job summary and say what to do."""
    if context.read_only_token:
        headline = (
            "perf-gate could not publish to the pull request: its token is read-only "
            "(a pull request from a fork)."
        )
        explanation = [
            "The result below is also in perf-receipt.json and perf-summary.md.",
            f"To see it on the PR, {WORKFLOW_RUN_HINT}.",
        ]
    else:
        headline = "perf-gate could not publish to the pull request: the token lacks permissions."
        explanation = [
            "Add to the job (or the workflow): " + PERMISSIONS_YAML.replace("\n", " "),
            *refused,
        ]
    written = write_job_summary(context, report, headline, explanation)
    if context.read_only_token:
        _command(
            out,
            "warning",
            f"perf-gate: the token of a pull request from a fork is read-only, so the result "
            f"is in the job summary and perf-receipt.json; to put it on the PR, "
            f"{WORKFLOW_RUN_HINT}.",
        )
        return replace(
            outcome,
            read_only=True,
            job_summary_written=written,
            skipped=(*outcome.skipped, *(f"read-only token: {r}" for r in refused)),
        )
    message = (
        "GitHub refused to publish the gate result (" + "; ".join(refused) + "). "
        "Give the job these permissions:\n" + PERMISSIONS_YAML
    )
    _command(out, "error", message)
    raise PublishError(
        "GitHub refused to publish the gate result: give the job `permissions: checks: write, "
        "pull-requests: write, statuses: write` (" + "; ".join(refused) + ")"
    )


def publish_session(
    receipt: Mapping[str, Any],
    summary_markdown: str,
    context: GitHubContext,
    session: requests.Session | None = None,
    **options: Any,
) -> PublishOutcome:
    """:func:`publish` with a session of its own unless one is given."""
    if session is not None:
        return publish(receipt, summary_markdown, context, session, **options)
    with requests.Session() as http:
        return publish(receipt, summary_markdown, context, http, **options)
