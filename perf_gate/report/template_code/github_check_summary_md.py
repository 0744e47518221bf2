"""Template github/check_summary.md.j2, compiled by scripts/compile_templates.py: do not edit.

The template as Jinja compiles it, so that a run imports it instead of lexing, parsing and
compiling it (`make templates` writes it again; tests/unit/report/test_template_code.py
fails when it is out of date).
"""

# fmt: off
# ruff: noqa
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'github/check_summary.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_gate_line = resolve('gate_line')
    l_0_rows = resolve('rows')
    l_0_omitted = resolve('omitted')
    l_0_pointer = resolve('pointer')
    l_0_route = resolve('route')
    l_0_route_reason = resolve('route_reason')
    try:
        t_1 = environment.filters['cell']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'cell' found.")
    try:
        t_2 = environment.filters['inline']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'inline' found.")
    pass
    yield '**'
    yield str(environment.finalize(context, t_2((undefined(name='gate_line') if l_0_gate_line is missing else l_0_gate_line))))
    yield '**\n\n'
    if (undefined(name='rows') if l_0_rows is missing else l_0_rows):
        pass
        yield '| Metric | Baseline | Current | Delta | Threshold | Status |\n|--------|----------|---------|-------|-----------|--------|\n'
        for l_1_r in (undefined(name='rows') if l_0_rows is missing else l_0_rows):
            _loop_vars = {}
            pass
            yield '| '
            yield str(environment.finalize(context, t_1(environment.getattr(l_1_r, 'metric'))))
            yield ' | '
            yield str(environment.finalize(context, t_1(environment.getattr(l_1_r, 'baseline'))))
            yield ' | '
            yield str(environment.finalize(context, t_1(environment.getattr(l_1_r, 'current'))))
            yield ' | '
            yield str(environment.finalize(context, t_1(environment.getattr(l_1_r, 'delta'))))
            yield ' | '
            yield str(environment.finalize(context, t_1(environment.getattr(l_1_r, 'threshold'))))
            yield ' | '
            yield str(environment.finalize(context, t_1(environment.getattr(l_1_r, 'status'))))
            yield ' |\n'
        l_1_r = missing
        if (undefined(name='omitted') if l_0_omitted is missing else l_0_omitted):
            pass
            yield '\n… '
            yield str(environment.finalize(context, (undefined(name='omitted') if l_0_omitted is missing else l_0_omitted)))
            yield ' more metric'
            yield str(environment.finalize(context, ('s' if ((undefined(name='omitted') if l_0_omitted is missing else l_0_omitted) != 1) else cond_expr_undefined("the inline if-expression on line 11 in 'github/check_summary.md.j2' evaluated to false and no else section was defined."))))
            yield " not shown (GitHub's size limit): "
            yield str(environment.finalize(context, t_2((undefined(name='pointer') if l_0_pointer is missing else l_0_pointer))))
            yield '\n'
    else:
        pass
        yield 'No metrics were compared.\n'
    yield '\n**Next:** '
    yield str(environment.finalize(context, t_2((undefined(name='route') if l_0_route is missing else l_0_route))))
    if (undefined(name='route_reason') if l_0_route_reason is missing else l_0_route_reason):
        pass
        yield ' — '
        yield str(environment.finalize(context, t_2((undefined(name='route_reason') if l_0_route_reason is missing else l_0_route_reason))))
    yield '\n'

blocks = {}
debug_info = '1=30&3=32&6=35&7=39&9=52&11=55&17=65'
