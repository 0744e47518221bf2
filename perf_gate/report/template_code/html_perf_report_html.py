"""Template html/perf-report.html.j2, compiled by scripts/compile_templates.py: do not edit.

The template as Jinja compiles it, so that a run imports it instead of lexing, parsing and
compiling it (`make templates` writes it again; tests/unit/report/test_template_code.py
fails when it is out of date).
"""

# fmt: off
# ruff: noqa
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'html/perf-report.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('html/page.html.j2', 'html/perf-report.html.j2')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield 'Performance report'

def block_body(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_gate_line = resolve('gate_line')
    l_0_count = resolve('count')
    l_0_table = resolve('table')
    l_0_panels = resolve('panels')
    l_0_not_drawn = resolve('not_drawn')
    l_0_hardware = resolve('hardware')
    l_0_receipts = resolve('receipts')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield '<h1>Performance report</h1>\n<p><strong>'
    yield escape(environment.finalize(context, (undefined(name='gate_line') if l_0_gate_line is missing else l_0_gate_line)))
    yield '</strong></p>\n<h2>Summary</h2>\n<label>Filter: <input type="search" data-filter="metrics" placeholder="name or status"></label>\n<span><span id="metrics-count">'
    yield escape(environment.finalize(context, (undefined(name='count') if l_0_count is missing else l_0_count)))
    yield '</span> of '
    yield escape(environment.finalize(context, (undefined(name='count') if l_0_count is missing else l_0_count)))
    yield ' rows</span>\n<table id="metrics" class="sortable">\n<thead><tr><th>Metric</th><th>Baseline</th><th>Current</th><th>Delta</th><th>Threshold</th><th>Status</th></tr></thead>\n<tbody>\n'
    if (undefined(name='table') if l_0_table is missing else l_0_table):
        pass
        yield escape(environment.finalize(context, (undefined(name='table') if l_0_table is missing else l_0_table)))
        yield '\n'
    yield '</tbody>\n</table>\n<h2>Benchmarks</h2>\n'
    if (undefined(name='panels') if l_0_panels is missing else l_0_panels):
        pass
        yield '<p>Dots are samples (blue: baseline, red: current); the yellow band is the interval of the change.\nTrends: earlier runs, the baseline and this PR; the green band is the tolerance around the baseline;\na red dot is a regression.</p>\n<div class="panels">\n'
        for l_1_p in (undefined(name='panels') if l_0_panels is missing else l_0_panels):
            _loop_vars = {}
            pass
            yield '<section class="panel status-'
            yield escape(environment.finalize(context, environment.getattr(l_1_p, 'status')))
            yield '"><h3>'
            yield escape(environment.finalize(context, environment.getattr(l_1_p, 'name')))
            yield ' ('
            yield escape(environment.finalize(context, environment.getattr(l_1_p, 'status')))
            yield ', '
            yield escape(environment.finalize(context, environment.getattr(l_1_p, 'delta')))
            yield ')</h3>\n'
            if environment.getattr(l_1_p, 'samples'):
                pass
                yield escape(environment.finalize(context, environment.getattr(l_1_p, 'samples')))
            if environment.getattr(l_1_p, 'trend'):
                pass
                yield escape(environment.finalize(context, environment.getattr(l_1_p, 'trend')))
            yield '</section>\n'
        l_1_p = missing
        yield '</div>\n'
        if (undefined(name='not_drawn') if l_0_not_drawn is missing else l_0_not_drawn):
            pass
            yield '<p>The '
            yield escape(environment.finalize(context, t_2((undefined(name='panels') if l_0_panels is missing else l_0_panels))))
            yield ' worst verdicts are plotted; '
            yield escape(environment.finalize(context, (undefined(name='not_drawn') if l_0_not_drawn is missing else l_0_not_drawn)))
            yield ' more benchmarks are in the table only.</p>\n'
    else:
        pass
        yield '<p>No benchmark has samples or history to plot.</p>\n'
    if (undefined(name='hardware') if l_0_hardware is missing else l_0_hardware):
        pass
        yield '<h2>Hardware</h2>\n<p>Hardware '
        yield escape(environment.finalize(context, environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'source')))
        yield '.</p>\n<dl id="hardware">\n'
        for (l_1_label, l_1_text) in context.call(environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'items'), _block_vars=_block_vars):
            _loop_vars = {}
            pass
            yield '<dt>'
            yield escape(environment.finalize(context, l_1_label))
            yield '</dt><dd>'
            yield escape(environment.finalize(context, l_1_text))
            yield '</dd>\n'
        l_1_label = l_1_text = missing
        if environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'not_recorded'):
            pass
            yield '<dt>Not recorded</dt><dd>'
            yield escape(environment.finalize(context, environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'not_recorded')))
            yield '</dd>\n'
        yield '<dt>Fallbacks activated</dt><dd>'
        yield escape(environment.finalize(context, (t_1(context.eval_ctx, environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'fallbacks'), '; ') if environment.getattr((undefined(name='hardware') if l_0_hardware is missing else l_0_hardware), 'fallbacks') else 'none')))
        yield '</dd>\n</dl>\n'
    if (undefined(name='receipts') if l_0_receipts is missing else l_0_receipts):
        pass
        yield '<h2>Receipts</h2>\n'
        if environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'files'):
            pass
            yield '<table id="receipts">\n<thead><tr><th>File</th><th>Kind</th><th>Size</th><th>SHA-256</th></tr></thead>\n<tbody>\n'
            for l_1_f in environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'lines'):
                _loop_vars = {}
                pass
                yield '<tr><td>'
                yield escape(environment.finalize(context, environment.getattr(l_1_f, 'path')))
                yield '</td><td>'
                yield escape(environment.finalize(context, environment.getattr(l_1_f, 'kind')))
                yield '</td><td>'
                yield escape(environment.finalize(context, environment.getattr(l_1_f, 'size')))
                yield '</td><td><code>'
                yield escape(environment.finalize(context, environment.getattr(l_1_f, 'sha256')))
                yield '</code></td></tr>\n'
            l_1_f = missing
            yield '</tbody>\n</table>\n'
        else:
            pass
            yield '<p>No evidence file was found in the inputs.</p>\n'
        if environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'missing'):
            pass
            yield '<p>Not found (the gate does not fail for them): '
            yield escape(environment.finalize(context, t_1(context.eval_ctx, environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'missing'), ', ')))
            yield '.</p>\n'
        if environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'artifacts_url'):
            pass
            yield '<p>All files: <a href="'
            yield escape(environment.finalize(context, environment.getattr((undefined(name='receipts') if l_0_receipts is missing else l_0_receipts), 'artifacts_url')))
            yield '">the workflow run\'s artifacts</a>.</p>\n'

blocks = {'title': block_title, 'body': block_body}
debug_info = '1=12&2=17&3=27&5=55&8=57&13=61&14=63&19=66&24=69&25=73&26=81&27=84&31=90&32=93&37=100&39=103&41=105&42=109&44=114&45=117&47=120&50=122&52=125&56=128&57=132&64=145&65=148&67=150&68=153'
