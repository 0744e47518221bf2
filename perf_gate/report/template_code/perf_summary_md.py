"""Template perf-summary.md.j2, compiled by scripts/compile_templates.py: do not edit.

The template as Jinja compiles it, so that a run imports it instead of lexing, parsing and
compiling it (`make templates` writes it again; tests/unit/report/test_template_code.py
fails when it is out of date).
"""

# fmt: off
# ruff: noqa
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'perf-summary.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_evidence = resolve('evidence')
    l_0_main = resolve('main')
    l_0_rest = resolve('rest')
    l_0_rest_count = resolve('rest_count')
    l_0_findings = resolve('findings')
    l_0_charts = resolve('charts')
    l_0_explained = resolve('explained')
    l_0_statistics_note = resolve('statistics_note')
    l_0_notes = resolve('notes')
    l_0_raw = resolve('raw')
    l_0_hardware = resolve('hardware')
    l_0_receipts = resolve('receipts')
    l_0_gate_name = resolve('gate_name')
    l_0_decision = resolve('decision')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    pass
    yield '## Performance Validation Summary\n\n**'
    yield str(environment.finalize(context, environment.getattr((undefined(name='evidence') if l_0_evidence is missing else l_0_evidence), 'gate_line')))
    yield '**\n\n| Metric | Baseline | Current | Delta | Threshold | Status |\n|--------|----------|---------|-------|-----------|--------|\n'
    if (undefined(name='main') if l_0_main is missing else l_0_main):
        pass
        yield str(environment.finalize(context, (undefined(name='main') if l_0_main is missing else l_0_main)))
        yield '\n'
    if (undefined(name='rest') if l_0_rest is missing else l_0_rest):
        pass
        yield '\n<details><summary>'
        yield str(environment.finalize(context, (undefined(name='rest_count') if l_0_rest_count is missing else l_0_rest_count)))
        yield ' more metrics within threshold</summary>\n\n| Metric | Baseline | Current | Delta | Threshold | Status |\n|--------|----------|---------|-------|-----------|--------|\n'
        yield str(environment.finalize(context, (undefined(name='rest') if l_0_rest is missing else l_0_rest)))
        yield '\n\n</details>\n'
    if (undefined(name='findings') if l_0_findings is missing else l_0_findings):
        pass
        yield '\n### Findings\n\n'
        for l_1_f in (undefined(name='findings') if l_0_findings is missing else l_0_findings):
            _loop_vars = {}
            pass
            yield '- '
            yield str(environment.finalize(context, context.call((undefined(name='raw') if l_0_raw is missing else l_0_raw), ('❌' if (environment.getattr(l_1_f, 'severity') == 'fail') else '⚠️'), _loop_vars=_loop_vars)))
            yield ' '
            yield str(environment.finalize(context, environment.getattr(l_1_f, 'message')))
            yield ' ('
            yield str(environment.finalize(context, environment.getattr(l_1_f, 'source')))
            yield ')\n'
        l_1_f = missing
    if (undefined(name='charts') if l_0_charts is missing else l_0_charts):
        pass
        yield '\n'
        yield str(environment.finalize(context, (undefined(name='charts') if l_0_charts is missing else l_0_charts)))
    if (undefined(name='explained') if l_0_explained is missing else l_0_explained):
        pass
        yield '\n### Why\n\n'
        yield str(environment.finalize(context, (undefined(name='explained') if l_0_explained is missing else l_0_explained)))
        yield '\n'
    yield '\n### Evidence\n\n'
    for l_1_line in environment.getattr((undefined(name='evidence') if l_0_evidence is missing else l_0_evidence), 'lines'):
        _loop_vars = {}
        pass
        yield '- '
        yield str(environment.finalize(context, l_1_line))
        yield '\n'
    l_1_line = missing
    if (undefined(name='statistics_note') if l_0_statistics_note is missing else l_0_statistics_note):
        pass
        yield '\n'
        yield str(environment.finalize(context, (undefined(name='statistics_note') if l_0_statistics_note is missing else l_0_statistics_note)))
        yield '\n'
    for l_1_note in (undefined(name='notes') if l_0_notes is missing else l_0_notes):
        _loop_vars = {}
        pass
        yield '\n> '
        yield str(environment.finalize(context, l_1_note))
        yield '\n'
    l_1_note = missing
    yield '\n```text\n'
    yield str(environment.finalize(context, context.call((undefined(name='raw') if l_0_raw is missing else l_0_raw), environment.getattr((undefined(name='evidence') if l_0_evidence is missing else l_0_evidence), 'chain'))))
    yield '\n```\n'
    if (undefined(name='hardware') if l_0_hardware is missing else l_0_hardware):
        pass
        yield '\n### Hardware\n\nHardware '
        yield str(environment.finalize(context, environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'source')))
        yield '.\n\n'
        for (l_1_label, l_1_text) in context.call(environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'items')):
            _loop_vars = {}
            pass
            yield '- **'
            yield str(environment.finalize(context, context.call((undefined(name='raw') if l_0_raw is missing else l_0_raw), l_1_label, _loop_vars=_loop_vars)))
            yield ':** '
            yield str(environment.finalize(context, l_1_text))
            yield '\n'
        l_1_label = l_1_text = missing
        if environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'not_recorded'):
            pass
            yield '- **Not recorded:** '
            yield str(environment.finalize(context, environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'not_recorded')))
            yield '\n'
        if environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'fallbacks'):
            pass
            yield '- **Fallbacks activated:**\n'
            for l_1_line in environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'fallbacks'):
                _loop_vars = {}
                pass
                yield '  - '
                yield str(environment.finalize(context, l_1_line))
                yield '\n'
            l_1_line = missing
        else:
            pass
            yield '- **Fallbacks activated:** none\n'
    if (undefined(name='receipts') if l_0_receipts is missing else l_0_receipts):
        pass
        yield '\n### Receipts\n\n'
        if environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'files'):
            pass
            yield '| File | Kind | Size | SHA-256 |\n|------|------|------|---------|\n'
            for l_1_f in environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'lines'):
                _loop_vars = {}
                pass
                yield '| '
                yield str(environment.finalize(context, environment.getattr(l_1_f, 'path')))
                yield ' | '
                yield str(environment.finalize(context, environment.getattr(l_1_f, 'kind')))
                yield ' | '
                yield str(environment.finalize(context, environment.getattr(l_1_f, 'size')))
                yield ' | `'
                yield str(environment.finalize(context, context.call((undefined(name='raw') if l_0_raw is missing else l_0_raw), environment.getattr(l_1_f, 'sha256'), _loop_vars=_loop_vars)))
                yield '` |\n'
            l_1_f = missing
        else:
            pass
            yield 'No evidence file was found in the inputs.\n'
        if environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'missing'):
            pass
            yield '\nNot found (the gate does not fail for them): '
            yield str(environment.finalize(context, t_1(context.eval_ctx, environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'missing'), ', ')))
            yield '.\n'
        if environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'artifacts_url'):
            pass
            yield "\nAll files: [the workflow run's artifacts]("
            yield str(environment.finalize(context, context.call((undefined(name='raw') if l_0_raw is missing else l_0_raw), environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'artifacts_url'))))
            yield ').\n'
    yield '\n### Decision\n\n- Gate: `'
    yield str(environment.finalize(context, context.call((undefined(name='raw') if l_0_raw is missing else l_0_raw), (undefined(name='gate_name') if l_0_gate_name is missing else l_0_gate_name))))
    yield '` = **'
    yield str(environment.finalize(context, environment.getattr((undefined(name='decision') if l_0_decision is missing else l_0_decision), 'status')))
    yield '** (conclusion: '
    yield str(environment.finalize(context, environment.getattr((undefined(name='decision') if l_0_decision is missing else l_0_decision), 'conclusion')))
    yield ')\n- Next: **'
    yield str(environment.finalize(context, environment.getattr((undefined(name='decision') if l_0_decision is missing else l_0_decision), 'route')))
    yield '** — '
    yield str(environment.finalize(context, environment.getattr((undefined(name='decision') if l_0_decision is missing else l_0_decision), 'route_reason')))
    yield '\n'

blocks = {}
debug_info = '3=32&8=34&9=36&11=38&13=41&17=43&21=45&25=48&26=52&29=59&31=62&33=63&37=66&42=69&43=73&45=76&47=79&49=81&51=85&55=89&57=91&61=94&63=96&64=100&66=105&67=108&69=110&71=113&72=117&78=123&82=126&85=129&86=133&91=145&93=148&95=150&97=153&103=156&104=162'
