"""Template github/job_summary.md.j2, compiled by scripts/compile_templates.py: do not edit.

The template as Jinja compiles it, so that a run imports it instead of lexing, parsing and
compiling it (`make templates` writes it again; tests/unit/report/test_template_code.py
fails when it is out of date).
"""

# fmt: off
# ruff: noqa
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'github/job_summary.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_headline = resolve('headline')
    l_0_explanation = resolve('explanation')
    l_0_report = resolve('report')
    l_0_fork = resolve('fork')
    l_0_workflow = resolve('workflow')
    l_0_docs = resolve('docs')
    l_0_permissions = resolve('permissions')
    try:
        t_1 = environment.filters['inline']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'inline' found.")
    pass
    yield '> [!WARNING]\n> '
    yield str(environment.finalize(context, t_1((undefined(name='headline') if l_0_headline is missing else l_0_headline))))
    yield '\n>\n'
    for l_1_line in (undefined(name='explanation') if l_0_explanation is missing else l_0_explanation):
        _loop_vars = {}
        pass
        yield '> '
        yield str(environment.finalize(context, t_1(l_1_line)))
        yield '\n'
    l_1_line = missing
    yield '\n'
    yield str(environment.finalize(context, (undefined(name='report') if l_0_report is missing else l_0_report)))
    yield '\n\n'
    if (undefined(name='fork') if l_0_fork is missing else l_0_fork):
        pass
        yield '<details><summary>How to publish this result on the pull request</summary>\n\nA pull request from a fork runs with a read-only token. Upload `perf-gate-out/` (with the\nevent: `cp "$GITHUB_EVENT_PATH" perf-gate-out/event.json`) as the artifact `perf-gate`, and\npublish it from a second workflow that GitHub runs with a write token after this one:\n\n```yaml\non:\n  workflow_run:\n    workflows: ["'
        yield str(environment.finalize(context, t_1((undefined(name='workflow') if l_0_workflow is missing else l_0_workflow))))
        yield '"]\n    types: [completed]\npermissions:\n  checks: write\n  pull-requests: write\n  statuses: write\n  actions: read\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/download-artifact@v4\n        with:\n          name: perf-gate\n          path: perf-gate-out\n          run-id: $'
        yield str(environment.finalize(context, '{{'))
        yield ' github.event.workflow_run.id '
        yield str(environment.finalize(context, '}}'))
        yield '\n          github-token: $'
        yield str(environment.finalize(context, '{{'))
        yield ' github.token '
        yield str(environment.finalize(context, '}}'))
        yield '\n      - run: pip install "perf-gate @ git+https://github.com/org/perf-finalizer@v1"\n      - run: perf-gate publish --receipt perf-gate-out/perf-receipt.json --event perf-gate-out/event.json\n        env:\n          GITHUB_TOKEN: $'
        yield str(environment.finalize(context, '{{'))
        yield ' github.token '
        yield str(environment.finalize(context, '}}'))
        yield '\n```\n\nThe whole setup is in '
        yield str(environment.finalize(context, (undefined(name='docs') if l_0_docs is missing else l_0_docs)))
        yield '.\n\n</details>\n'
    else:
        pass
        yield 'Give the job (or the workflow) these permissions:\n\n```yaml\n'
        yield str(environment.finalize(context, (undefined(name='permissions') if l_0_permissions is missing else l_0_permissions)))
        yield '\n```\n'

blocks = {}
debug_info = '2=25&4=27&5=31&8=35&10=37&20=40&35=42&36=46&40=50&43=54&50=59'
