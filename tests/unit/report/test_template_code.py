"""The templates are rendered from their generated modules, and those are current.

``perf_gate/report/template_code/`` holds each ``.j2`` as the Python module Jinja compiles
it to; a run imports them instead of compiling. Here: every module is exactly what the
template compiles to now (edit a template and forget ``make templates``: this fails), the
check sees a changed, missing or left-over module, and rendering never calls Jinja's
compiler.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

from perf_gate.report import templates
from tests.conftest import script_module

SCRIPT = script_module("compile_templates")
NAMES = templates.source_environment().list_templates(extensions=["j2"])


def test_every_template_module_is_what_its_template_compiles_to() -> None:
    modules = SCRIPT.expected()
    assert len(modules) == len(NAMES) >= 8  # one module per template, names apart
    assert SCRIPT.stale(modules) == []
    assert SCRIPT.main(["--check"]) == 0


def test_the_check_sees_an_edited_missing_or_left_over_module(tmp_path: Path) -> None:
    for path in SCRIPT.CODE.glob("*.py"):
        shutil.copy(path, tmp_path / path.name)
    modules = {tmp_path / p.name: text for p, text in SCRIPT.expected().items()}
    assert SCRIPT.stale(modules, tmp_path) == []
    edited, missing = sorted(modules)[:2]
    env = templates.source_environment()
    name = next(n for n in NAMES if templates.code_module(n) == edited.stem)
    source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    changed = env.compile(source + "{{ 1 }}", name, raw=True, defer_init=True)
    edited.write_text(changed, encoding="utf-8")
    missing.unlink()
    (tmp_path / "old_template_md.py").write_text("", encoding="utf-8")
    assert [p.name for p in SCRIPT.stale(modules, tmp_path)] == sorted(
        [edited.name, missing.name, "old_template_md.py"]
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_run_renders_without_compiling(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Jinja compiled a template at run time")

    monkeypatch.setattr(jinja2.Environment, "compile", refuse)
    env = templates.environment()
    env.cache.clear()  # type: ignore[union-attr]  # loaded afresh, from its module
    template = env.get_template(name)
    assert template.name == name
    assert template.filename and Path(template.filename).stem == templates.code_module(name)


def test_an_unknown_template_is_not_found() -> None:
    with pytest.raises(jinja2.TemplateNotFound):
        templates.environment().get_template("github/nothing.md.j2")
