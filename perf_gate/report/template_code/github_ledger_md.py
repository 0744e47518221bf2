"""Template github/ledger.md.j2, compiled by scripts/compile_templates.py: do not edit.

The template as Jinja compiles it, so that a run imports it instead of lexing, parsing and
compiling it (`make templates` writes it again; tests/unit/report/test_template_code.py
fails when it is out of date).
"""

# fmt: off
# ruff: noqa
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'github/ledger.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_row = resolve('row')
    l_0_bullet = resolve('bullet')
    l_0_state = resolve('state')
    l_0_why = resolve('why')
    l_0_route = resolve('route')
    try:
        t_1 = environment.filters['inline']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'inline' found.")
    pass
    yield '<!-- gates:start -->\n| Gate | Status | Evidence |\n|------|--------|----------|\n'
    yield str(environment.finalize(context, (undefined(name='row') if l_0_row is missing else l_0_row)))
    yield '\n<!-- gates:end -->\n<!-- hoplog:start -->\n### Hop log\n'
    yield str(environment.finalize(context, (undefined(name='bullet') if l_0_bullet is missing else l_0_bullet)))
    yield '\n<!-- hoplog:end -->\n<!-- decision:start -->\n**State:** '
    yield str(environment.finalize(context, t_1((undefined(name='state') if l_0_state is missing else l_0_state))))
    yield '\n**Why:** '
    yield str(environment.finalize(context, t_1((undefined(name='why') if l_0_why is missing else l_0_why))))
    yield '\n**Next:** '
    yield str(environment.finalize(context, t_1((undefined(name='route') if l_0_route is missing else l_0_route))))
    yield '\n<!-- decision:end -->\n'

blocks = {}
debug_info = '4=23&8=25&11=27&12=29&13=31'
