"""Template html/history.html.j2, compiled by scripts/compile_templates.py: do not edit.

The template as Jinja compiles it, so that a run imports it instead of lexing, parsing and
compiling it (`make templates` writes it again; tests/unit/report/test_template_code.py
fails when it is out of date).
"""

# fmt: off
# ruff: noqa
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'html/history.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('html/page.html.j2', 'html/history.html.j2')
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
    l_0_title = resolve('title')
    pass
    yield escape(environment.finalize(context, (undefined(name='title') if l_0_title is missing else l_0_title)))

def block_body(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_title = resolve('title')
    l_0_charts = resolve('charts')
    l_0_runs = resolve('runs')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield '<h1>'
    yield escape(environment.finalize(context, (undefined(name='title') if l_0_title is missing else l_0_title)))
    yield '</h1>\n<p>'
    yield escape(environment.finalize(context, t_1((undefined(name='charts') if l_0_charts is missing else l_0_charts))))
    yield ' benchmarks over '
    yield escape(environment.finalize(context, (undefined(name='runs') if l_0_runs is missing else l_0_runs)))
    yield ' runs, oldest on the left. The green band is the\ntolerance around the first run; a red dot is a run the gate failed (a regression). Data: <code>history.json</code>.</p>\n<label>Filter: <input type="search" data-filter="benchmarks" placeholder="benchmark name"></label>\n<span><span id="benchmarks-count">'
    yield escape(environment.finalize(context, t_1((undefined(name='charts') if l_0_charts is missing else l_0_charts))))
    yield '</span> of '
    yield escape(environment.finalize(context, t_1((undefined(name='charts') if l_0_charts is missing else l_0_charts))))
    yield ' benchmarks</span>\n<table id="benchmarks" class="sortable">\n<thead><tr><th>Benchmark</th><th>Regressions</th><th>Trend</th></tr></thead>\n<tbody>\n'
    for (l_1_s, l_1_svg, l_1_flagged) in (undefined(name='charts') if l_0_charts is missing else l_0_charts):
        _loop_vars = {}
        pass
        yield '<tr><td>'
        yield escape(environment.finalize(context, environment.getattr(l_1_s, 'name')))
        yield '</td><td data-sort="'
        yield escape(environment.finalize(context, l_1_flagged))
        yield '">'
        yield escape(environment.finalize(context, l_1_flagged))
        yield '</td><td>'
        yield escape(environment.finalize(context, l_1_svg))
        yield '</td></tr>\n'
    l_1_s = l_1_svg = l_1_flagged = missing
    yield '</tbody>\n</table>\n'

blocks = {'title': block_title, 'body': block_body}
debug_info = '1=12&2=17&3=28&4=46&5=48&8=52&12=56&13=60'
