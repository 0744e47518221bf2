"""Inputs arrive as the runner passes them: ``INPUT_<NAME>``, upper-cased, hyphens kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perf_gate.action_inputs import (
    Settings,
    expand_patterns,
    finalize_plan,
    get_input,
    parse_bool,
    parse_lines,
    settings_from_environment,
)
from perf_gate.command_requests import FinalizeRequest
from perf_gate.core.errors import InputError, UsageError
from tests.action.conftest import Runner


def test_input_names_keep_hyphens_and_are_upper_cased() -> None:
    env = {"INPUT_GITHUB-TOKEN": " t0k3n ", "INPUT_FAIL-ON": "never"}
    assert get_input(env, "github-token") == "t0k3n"
    assert get_input(env, "fail-on") == "never"
    assert get_input(env, "pr-number") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("FALSE", False)],
)
def test_booleans_follow_the_yaml_core_schema(text: str, expected: bool) -> None:
    assert parse_bool("run", text, not expected) is expected


def test_an_empty_boolean_takes_the_default() -> None:
    assert parse_bool("ledger", "", True) is True


@pytest.mark.parametrize("text", ["yes", "1", "on", "tru"])
def test_other_boolean_spellings_are_rejected_with_the_input_name(text: str) -> None:
    with pytest.raises(UsageError, match="input ledger must be true or false"):
        parse_bool("ledger", text, True)


def test_lists_are_one_per_line_without_blanks_or_comments() -> None:
    text = "target/criterion\n\n  perf/*.json  \n# not this\nmore/a.json, more/b.json\n"
    assert parse_lines(text) == ("target/criterion", "perf/*.json", "more/a.json", "more/b.json")


def test_settings_convert_every_input(tmp_path: Path) -> None:
    env = {
        "GITHUB_WORKSPACE": str(tmp_path),
        "INPUT_RESULTS": "a.json\nb.json",
        "INPUT_BASELINE": "base/*.json",
        "INPUT_BASELINE-ARTIFACT": "perf-baseline",
        "INPUT_CONFIG": "ci/perf.yml",
        "INPUT_RUN": "true",
        "INPUT_THRESHOLD": "7.5%",
        "INPUT_FAIL-ON": "never",
        "INPUT_GATE-NAME": "perf:cuda",
        "INPUT_GITHUB-TOKEN": "ghs_secret",
        "INPUT_PUBLISH": "false",
        "INPUT_PR-NUMBER": "#42",
        "INPUT_HEAD-SHA": "a" * 40,
        "INPUT_LEDGER": "false",
        "INPUT_PROGRESS-COMMENT": "false",
        "INPUT_OUTPUT-DIR": "out/perf",
    }
    assert settings_from_environment(env) == Settings(
        workspace=tmp_path,
        results=("a.json", "b.json"),
        baseline=("base/*.json",),
        baseline_artifact="perf-baseline",
        config="ci/perf.yml",
        run=True,
        threshold="7.5",
        fail_on="never",
        gate_name="perf:cuda",
        github_token="ghs_secret",
        publish=False,
        pr_number="42",
        head_sha="a" * 40,
        ledger=False,
        progress_comment=False,
        output_dir="out/perf",
    )


def test_the_token_never_appears_in_the_settings_repr(tmp_path: Path) -> None:
    env = {"GITHUB_WORKSPACE": str(tmp_path), "INPUT_GITHUB-TOKEN": "ghs_secret"}
    assert "ghs_secret" not in repr(settings_from_environment(env))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FAIL-ON", "always", "fail-on must be 'fail' or 'never'"),
        ("THRESHOLD", "-3", "threshold must be a percentage above 0"),
        ("THRESHOLD", "five", "threshold must be a percentage above 0"),
        ("PR-NUMBER", "abc", "pr-number must be a pull request number"),
        ("OUTPUT-DIR", "../elsewhere", "output-dir must be a folder inside the workspace"),
        ("OUTPUT-DIR", "/tmp/out", "output-dir must be a folder inside the workspace"),
    ],
)
def test_a_wrong_input_is_a_usage_error_naming_it(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    env = {"GITHUB_WORKSPACE": str(tmp_path), f"INPUT_{name}": value}
    with pytest.raises(UsageError, match=message):
        settings_from_environment(env)


def touch(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("{}")


def test_globs_expand_relative_to_the_workspace_in_order_without_repeats(tmp_path: Path) -> None:
    touch(tmp_path, "perf/xtask-cpu.json", "perf/xtask-cuda.json", "perf/memory.json")
    found = expand_patterns(["perf/xtask-*.json", "perf/*.json", "nothing/*.json"], tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found.paths] == [
        "perf/xtask-cpu.json",
        "perf/xtask-cuda.json",
        "perf/memory.json",
    ]
    assert found.unmatched == ("nothing/*.json",)


def test_plain_paths_and_absolute_paths_need_no_glob(tmp_path: Path) -> None:
    touch(tmp_path, "a b/[x].json")
    found = expand_patterns(["a b", str(tmp_path / "a b" / "[x].json")], tmp_path)
    assert found.paths == (tmp_path / "a b", tmp_path / "a b" / "[x].json")


def test_recursive_globs_reach_nested_folders(tmp_path: Path) -> None:
    touch(
        tmp_path, "target/criterion/g/a/new/estimates.json", "target/criterion/b/new/estimates.json"
    )
    found = expand_patterns(["target/**/estimates.json"], tmp_path)
    assert len(found.paths) == 2


def test_the_plan_passes_workspace_relative_paths_and_every_option(runner: Runner) -> None:
    settings = settings_from_environment(
        runner.with_inputs(
            results="target/criterion\nperf/*.json",
            baseline="baseline\nmissing",
            threshold="5",
            gate_name="perf:cpu",
            pr_number="7",
            head_sha="abc123",
            publish="false",
            ledger="false",
            progress_comment="false",
        )
    )
    request = finalize_plan(settings).request
    jsons = sorted(p.name for p in (runner.workspace / "perf").glob("*.json"))
    assert request == FinalizeRequest(
        current=(Path("target/criterion"), *(Path("perf") / name for name in jsons)),
        baseline=(Path("baseline"),),
        config=Path(".perf-gate.yml"),
        threshold=5.0,
        output_dir=Path("perf-gate-out"),
        publish=False,
        gate_name="perf:cpu",
        pr_number=7,
        head_sha="abc123",
        ledger=False,
        progress_comment=False,
    )


def test_the_default_gate_name_leaves_the_choice_to_the_policy_file(runner: Runner) -> None:
    settings = settings_from_environment(
        runner.with_inputs(results="perf", gate_name="review:gate:perf")
    )
    assert finalize_plan(settings).request.gate_name is None


def test_results_that_match_nothing_are_bad_input(runner: Runner) -> None:
    settings = settings_from_environment(runner.with_inputs(results="perf\nbench-out/*.json"))
    with pytest.raises(
        InputError, match=re.escape("input results: nothing matches 'bench-out/*.json'")
    ):
        finalize_plan(settings)


def test_no_results_at_all_is_bad_input(runner: Runner) -> None:
    with pytest.raises(UsageError, match="input results is empty"):
        finalize_plan(settings_from_environment(runner.with_inputs()))


def test_a_missing_baseline_is_only_a_warning(runner: Runner) -> None:
    settings = settings_from_environment(
        runner.with_inputs(results="perf", baseline="previous/*.json")
    )
    plan = finalize_plan(settings)
    assert plan.request.baseline == ()
    assert plan.warnings == (
        "input baseline: nothing matches 'previous/*.json'; metrics without a baseline are new",
    )


def test_a_named_config_must_exist(runner: Runner) -> None:
    settings = settings_from_environment(runner.with_inputs(results="perf", config="ci/perf.yml"))
    with pytest.raises(InputError, match=re.escape("input config: no such file 'ci/perf.yml'")):
        finalize_plan(settings)


def test_without_a_config_input_the_workspace_policy_file_is_used_when_present(
    runner: Runner,
) -> None:
    (runner.workspace / ".perf-gate.yml").unlink()
    settings = settings_from_environment(runner.with_inputs(results="perf"))
    assert finalize_plan(settings).request.config is None


def test_the_workspace_is_the_runners_github_workspace(tmp_path: Path) -> None:
    assert settings_from_environment({"GITHUB_WORKSPACE": str(tmp_path)}).workspace == tmp_path
