"""Template html/page.html.j2, compiled by scripts/compile_templates.py: do not edit.

The template as Jinja compiles it, so that a run imports it instead of lexing, parsing and
compiling it (`make templates` writes it again; tests/unit/report/test_template_code.py
fails when it is out of date).
"""

# fmt: off
# ruff: noqa
# mypy: ignore-errors
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'html/page.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    pass
    yield '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; script-src \'unsafe-inline\'; img-src data:">\n<title>'
    yield from context.blocks['title'][0](context)
    yield '</title>\n<style>\nbody { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }\ntable { border-collapse: collapse; width: 100%; }\nth, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; }\nth { cursor: pointer; background: #f6f8fa; user-select: none; }\nth[aria-sort="ascending"]::after { content: " ▲"; }\nth[aria-sort="descending"]::after { content: " ▼"; }\n.panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 1rem; }\n.panel { border: 1px solid #ddd; border-radius: 6px; padding: .5rem; }\n.panel h3 { font-size: 14px; margin: 0 0 .25rem; }\n.status-fail { color: #b00020; } .status-warn { color: #9a6700; }\ninput[type=search] { padding: 4px 8px; width: 20rem; margin: .5rem 0; }\n</style>\n</head>\n<body>\n'
    yield from context.blocks['body'][0](context)
    yield '<script>\n"use strict";\nfor (const table of document.querySelectorAll("table.sortable")) {\n  const body = table.tBodies[0];\n  table.querySelectorAll("th").forEach((th, column) => {\n    th.addEventListener("click", () => {\n      const ascending = th.getAttribute("aria-sort") !== "ascending";\n      table.querySelectorAll("th").forEach((other) => other.removeAttribute("aria-sort"));\n      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");\n      const key = (row) => {\n        const cell = row.cells[column];\n        const raw = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent;\n        const number = Number(raw);\n        return raw !== "" && !Number.isNaN(number) ? number : raw.toLowerCase();\n      };\n      const rows = Array.from(body.rows).sort((a, b) => {\n        const x = key(a), y = key(b);\n        const order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);\n        return ascending ? order : -order;\n      });\n      rows.forEach((row) => body.appendChild(row));\n    });\n  });\n}\nfor (const input of document.querySelectorAll("input[data-filter]")) {\n  const table = document.getElementById(input.dataset.filter);\n  input.addEventListener("input", () => {\n    const needle = input.value.trim().toLowerCase();\n    let shown = 0;\n    for (const row of table.tBodies[0].rows) {\n      const hit = row.textContent.toLowerCase().includes(needle);\n      row.hidden = !hit;\n      shown += hit ? 1 : 0;\n    }\n    document.getElementById(input.dataset.filter + "-count").textContent = String(shown);\n  });\n}\n</script>\n</body>\n</html>\n'

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_body(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

blocks = {'title': block_title, 'body': block_body}
debug_info = '7=12&23=14&7=17&23=26'
