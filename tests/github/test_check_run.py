"""The check run's payload: conclusions, size limits and annotations."""

from __future__ import annotations

from perf_gate.github.check_run import (
    annotations_for,
    build_payload,
    conclusion_for,
    render_summary,
    render_text,
)
from perf_gate.github.context import GitHubContext
from perf_gate.github.sanitize import fit

from .builders import HEAD_SHA, REPORT, metric, receipt

CONTEXT = GitHubContext(repository="octo/bitnet", token="t", head_sha=HEAD_SHA, run_id="1")


def test_conclusions_follow_the_gate_status():
    assert [conclusion_for(s) for s in ("pass", "fail", "skipped", "?")] == [
        "success",
        "failure",
        "neutral",
        "neutral",
    ]


def test_skipped_payload_is_neutral_with_its_reason():
    data = receipt(
        "skipped",
        metrics=[metric("GPU Inference", "skipped", None, explanation="no-gpu-available")],
    )
    payload = build_payload(data, REPORT, CONTEXT)
    assert payload.conclusion == "neutral"
    assert "skipped (no-gpu-available)" in payload.summary
    assert payload.title.startswith("skipped: review:gate:perf = skipped")


def test_fit_cuts_on_a_line_and_points_to_the_rest():
    text = "\n".join(f"line {i}" for i in range(1000))
    cut = fit(text, 500, "see the report")
    assert len(cut.encode()) <= 500 and cut.endswith("… see the report\n")
    assert fit("short", 500, "x") == "short"


def test_multibyte_text_is_measured_in_bytes():
    text = "Δ" * 40_000  # 80,000 bytes, 40,000 characters
    assert len(render_text(receipt(), text, "p").encode()) <= 65_535


def test_summary_keeps_regressions_when_cut():
    metrics = [metric(f"ok-{i}-" + "z" * 250, "pass") for i in range(400)]
    metrics.append(metric("the-regression", "fail", -9.0))
    summary = render_summary(receipt("fail", metrics=metrics), "pointer", limit=5_000)
    assert len(summary.encode()) <= 5_000
    assert "the-regression" in summary and "more metrics not shown" in summary


def test_annotations_for_failures_first_with_relative_paths():
    data = receipt(
        "fail",
        metrics=[
            metric("warned", "warn", 6.0, source="/ws/bench/a.json"),
            metric("failed", "fail", -9.0, source="bench/b.json"),
            metric("fine", "pass", source="../outside.json"),
        ],
    )
    data["findings"] = [
        {
            "source": "/elsewhere/x.json",
            "message": "mock kernel",
            "severity": "fail",
            "code": "honest-compute",
        }
    ]
    notes = annotations_for(data, workspace="/ws")
    assert [(n["annotation_level"], n["path"]) for n in notes] == [
        ("failure", "bench/b.json"),
        ("failure", ".perf-gate.yml"),
        ("warning", "bench/a.json"),
    ]
    assert all(n["start_line"] == n["end_line"] == 1 for n in notes)


def test_table_shows_values_and_names_as_the_report_does() -> None:
    from perf_gate.github.check_run import table_rows

    rows = table_rows(
        [
            metric(
                "kernels/i2s_gemv/2048x2048",
                "pass",
                0.02,
                unit="ns",
                baseline=1_634_233.2,
                current=1_634_300.0,
            ),
            metric("inference (cpu)", "warn", 7.363, display="CPU Inference"),
        ]
    )
    assert (rows[0]["baseline"], rows[0]["current"], rows[0]["delta"]) == (
        "1.63 ms",
        "1.63 ms",
        "+0.02%",
    )
    assert (rows[1]["metric"], rows[1]["delta"]) == ("CPU Inference", "+7.4%")
