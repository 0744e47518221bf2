"""The inputs and outputs tables in README.md and docs/action.md match action.yml."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.action.conftest import ROOT
from tests.conftest import script_module

DOCS = script_module("action_docs")


def test_the_reference_lists_every_input_with_its_default_and_every_output() -> None:
    action = {
        "inputs": {
            "results": {"description": "Results.", "required": True},
            "fail-on": {"description": "When to fail |\n  the step.", "default": "fail"},
            "baseline": {"description": "Baseline.", "default": ""},
        },
        "outputs": {"status": {"description": "The status."}},
    }
    assert DOCS.render_reference(action).splitlines() == [
        "#### Inputs",
        "",
        "| Input | Default | Description |",
        "|---|---|---|",
        "| `results` | **required** | Results. |",
        "| `fail-on` | `fail` | When to fail \\| the step. |",
        "| `baseline` | — | Baseline. |",
        "",
        "#### Outputs",
        "",
        "| Output | Description |",
        "|---|---|",
        "| `status` | The status. |",
    ]


def test_a_document_without_the_block_gets_a_section_appended() -> None:
    text = DOCS.updated("# Title\n", {"inputs": {}, "outputs": {}})
    assert text.startswith("# Title\n\n## Inputs and outputs\n\n" + DOCS.START)
    assert DOCS.updated(text, {"inputs": {}, "outputs": {}}) == text


@pytest.mark.parametrize("document", ["README.md", "docs/action.md"])
def test_the_documented_tables_match_action_yml(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    block = DOCS.current_block(text)
    assert block is not None, (
        f"{document} has no generated inputs/outputs table: run python scripts/action_docs.py"
    )
    assert block == DOCS.block(DOCS.load_action()), (
        f"{document}: the inputs/outputs table is out of date: run python scripts/action_docs.py"
    )


def test_every_example_workflow_is_linked_from_the_action_docs() -> None:
    text = (ROOT / "docs" / "action.md").read_text(encoding="utf-8")
    for workflow in sorted((ROOT / "examples" / "workflows").glob("*.yml")):
        assert f"`{workflow.name}`" in text, workflow.name


def test_the_check_mode_reports_a_stale_document(tmp_path: Path, monkeypatch) -> None:
    stale = tmp_path / "doc.md"
    stale.write_text(f"x\n{DOCS.START}\nold\n{DOCS.END}\n")
    monkeypatch.setattr(DOCS, "DOCUMENTS", (stale,))
    monkeypatch.setattr(DOCS, "ROOT", tmp_path)
    assert DOCS.main(["--check"]) == 1
    assert DOCS.main([]) == 0
    assert DOCS.main(["--check"]) == 0
