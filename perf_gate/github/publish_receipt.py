"""``perf-gate publish``: post a receipt that an unprivileged run produced.

The privileged half of the fork-safe setup: a ``workflow_run`` workflow downloads the
pull request run's artifact (``perf-receipt.json``, ``perf-summary.md``, its
``event.json``) and publishes it with the base repository's token. The receipt and the
event come from the untrusted run, so the commit is the trigger's and the rest is checked.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

import jsonschema
import requests

from perf_gate.core.config import DEFAULT_GATE_NAME
from perf_gate.core.errors import InputError, PublishError, TargetMismatch
from perf_gate.github.client import RetryPolicy
from perf_gate.github.context import GitHubContext, load_event, target_from_event
from perf_gate.github.publish import publish_session
from perf_gate.schemas import validate


def load_receipt(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the receipt: {exc}", path=str(path)) from None
    try:
        validate(data, "perf-receipt.schema.json")
    except jsonschema.ValidationError as exc:
        where = "$" + "".join(f"[{p!r}]" for p in exc.absolute_path)
        raise InputError(
            f"not a perf-gate receipt: {exc.message}", path=str(path), where=where
        ) from None
    if not isinstance(data, dict):  # pragma: no cover - the schema says object
        raise InputError("not a perf-gate receipt", path=str(path))
    return data


def load_report(receipt_path: Path, receipt: Mapping[str, Any]) -> str:
    """``perf-summary.md`` beside the receipt, else a short report from the receipt."""
    candidates = [receipt_path.with_name("perf-summary.md")]
    for artifact in receipt.get("artifacts") or []:
        path = str(artifact.get("path") or "")
        if path.endswith(".md"):
            candidates.append(receipt_path.parent / Path(path).name)
    for candidate in candidates:
        try:
            return candidate.read_text(encoding="utf-8")
        except OSError:
            continue
    gate = receipt.get("gate") or {}
    lines = [f"**{gate.get('summary') or gate.get('status')}**", ""]
    lines += [f"- {line}" for line in (receipt.get("evidence") or {}).get("lines") or []]
    return "\n".join(lines) + "\n"


def trusted_gate_name(receipt: Mapping[str, Any]) -> str:
    """The check name the receipt asks for. The receipt comes from an untrusted run, so
    its name is taken only when it is a gate's (``review:gate:*``); a name the workflow
    sets wins over it (the entry point's ``trigger``)."""
    name = str((receipt.get("gate") or {}).get("name") or "")
    return name if name.startswith("review:gate:") else DEFAULT_GATE_NAME


def context_for_publish(event_path: Path | None, trigger: GitHubContext) -> GitHubContext:
    """The context of ``perf-gate publish``: ``trigger`` (the ``workflow_run`` that runs
    it), with the pull request ``--event`` names when GitHub lists none.

    ``--event`` comes from the untrusted run: its head must be the trigger's commit, and
    the pull request it names is only taken when GitHub lists no other; :func:`publish`
    then checks that its head is that commit.
    """
    context = trigger
    if event_path is not None:
        event = load_event(event_path)
        if "pull_request" not in event and "workflow_run" not in event:
            raise PublishError(f"{event_path}: neither a pull_request nor a workflow_run event")
        claimed = target_from_event(event, "", context.repository)
        if claimed.head_sha != context.head_sha:
            raise TargetMismatch(
                f"{event_path}: head sha {claimed.head_sha[:12]} is not the head "
                f"{context.head_sha[:12]} of the workflow run that produced it"
            )
        number = claimed.pr_number
        if number is not None and context.pr_number not in (None, number):
            raise TargetMismatch(
                f"{event_path}: names pull request #{number}, but GitHub lists "
                f"#{context.pr_number} for the workflow run"
            )
        if number is not None and context.pr_number is None:
            context = replace(context, pr_number=number, pr_claimed=True, head_lookup=None)
    return context


def publish_command(
    receipt_path: Path,
    event_path: Path | None,
    trigger: Callable[[str], GitHubContext],
    *,
    session: requests.Session | None = None,
    out: TextIO | None = None,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    settle: float = 1.0,
) -> int:
    """``perf-gate publish --receipt R --event E``: post a receipt that an unprivileged
    run produced. ``trigger(gate_name)`` is the entry point's context of the triggering
    ``workflow_run``, asked for once the receipt has been read and its gate name checked.
    Returns 0; failures raise :class:`~perf_gate.core.errors.PerfGateError`."""
    out = out or sys.stdout
    receipt = load_receipt(receipt_path)
    report = load_report(receipt_path, receipt)
    context = context_for_publish(event_path, trigger(trusted_gate_name(receipt)))
    outcome = publish_session(
        receipt,
        report,
        context,
        session,
        policy=policy,
        sleep=sleep,
        settle=settle,
        out=out,
    )
    for line in outcome.describe():
        print(line, file=out)
    return 0
