"""Template github/progress_comment.md.j2, compiled by scripts/compile_templates.py: do not edit.

The template as Jinja compiles it, so that a run imports it instead of lexing, parsing and
compiling it (`make templates` writes it again; tests/unit/report/test_template_code.py
fails when it is out of date).
"""

# fmt: off
# ruff: noqa
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'github/progress_comment.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_marker = resolve('marker')
    l_0_icon = resolve('icon')
    l_0_gate_name = resolve('gate_name')
    l_0_status = resolve('status')
    l_0_short_sha = resolve('short_sha')
    l_0_gate_line = resolve('gate_line')
    l_0_route = resolve('route')
    l_0_route_reason = resolve('route_reason')
    l_0_next_steps = resolve('next_steps')
    l_0_links = resolve('links')
    l_0_report = resolve('report')
    try:
        t_1 = environment.filters['inline']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'inline' found.")
    pass
    yield str(environment.finalize(context, (undefined(name='marker') if l_0_marker is missing else l_0_marker)))
    yield '\n### '
    yield str(environment.finalize(context, (undefined(name='icon') if l_0_icon is missing else l_0_icon)))
    yield ' '
    yield str(environment.finalize(context, t_1((undefined(name='gate_name') if l_0_gate_name is missing else l_0_gate_name))))
    yield ': '
    yield str(environment.finalize(context, t_1((undefined(name='status') if l_0_status is missing else l_0_status))))
    yield ' for '
    yield str(environment.finalize(context, (undefined(name='short_sha') if l_0_short_sha is missing else l_0_short_sha)))
    yield '\n\n**Decision:** '
    yield str(environment.finalize(context, t_1((undefined(name='gate_line') if l_0_gate_line is missing else l_0_gate_line))))
    yield '\n**Next:** `'
    yield str(environment.finalize(context, t_1((undefined(name='route') if l_0_route is missing else l_0_route))))
    yield '` — '
    yield str(environment.finalize(context, t_1((undefined(name='route_reason') if l_0_route_reason is missing else l_0_route_reason))))
    yield '\n\n'
    if (undefined(name='next_steps') if l_0_next_steps is missing else l_0_next_steps):
        pass
        yield '#### Next steps\n'
        for l_1_step in (undefined(name='next_steps') if l_0_next_steps is missing else l_0_next_steps):
            _loop_vars = {}
            pass
            yield '- '
            yield str(environment.finalize(context, t_1(l_1_step)))
            yield '\n'
        l_1_step = missing
        yield '\n'
    if (undefined(name='links') if l_0_links is missing else l_0_links):
        pass
        yield str(environment.finalize(context, t_1((undefined(name='links') if l_0_links is missing else l_0_links))))
        yield '\n\n'
    yield '---\n\n'
    yield str(environment.finalize(context, (undefined(name='report') if l_0_report is missing else l_0_report)))
    yield '\n'

blocks = {}
debug_info = '1=28&2=30&4=38&5=40&7=44&9=47&10=51&14=55&15=57&20=60'
