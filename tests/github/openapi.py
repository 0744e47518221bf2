"""GitHub's published REST description, and checking requests against it.

The description is ``generated/api.github.com.json`` of the npm package
``@octokit/openapi`` (GitHub's own ``github/rest-api-description``, republished by
Octokit). It is not committed: :func:`ensure_description` runs ``npm pack`` once and
keeps the one file under ``.cache/github-openapi/<version>/``. ``PERF_GATE_GITHUB_OPENAPI``
may point at a copy instead (for machines without npm).

:class:`OpenAPIValidator` finds the operation of a request (method and path
template), and checks its path and query parameters and its JSON body against the
operation's schemas. It is stricter than GitHub in one way, on purpose: query
parameters and body fields the description does not name are reported too, since
GitHub silently ignores them and a typo would go unnoticed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

PACKAGE = "@octokit/openapi"
VERSION = "23.0.2"
MEMBER = "package/generated/api.github.com.json"
REPO_ROOT = Path(__file__).resolve().parents[2]
_DROP = frozenset(
    {
        "example",
        "examples",
        "discriminator",
        "xml",
        "externalDocs",
        "deprecated",
        "readOnly",
        "writeOnly",
        "description",
        "title",
    }
)


class DescriptionUnavailable(RuntimeError):
    """The description is not cached and cannot be fetched."""


def cache_dir() -> Path:
    return Path(os.environ.get("PERF_GATE_CACHE", REPO_ROOT / ".cache")) / "github-openapi"


def ensure_description() -> Path:
    """The path of ``api.github.com.json``, fetched with ``npm pack`` when not cached."""
    override = os.environ.get("PERF_GATE_GITHUB_OPENAPI")
    if override:
        return Path(override)
    target = cache_dir() / VERSION / "api.github.com.json"
    if target.is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise DescriptionUnavailable(
            f"{target} is missing and npm is not installed: install Node.js/npm, or set "
            "PERF_GATE_GITHUB_OPENAPI to a copy of api.github.com.json"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        try:
            subprocess.run(
                [npm, "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", tmp, "--silent"],
                check=True,
                capture_output=True,
                text=True,
                timeout=300,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            detail = getattr(exc, "stderr", "") or ""
            raise DescriptionUnavailable(f"npm pack {PACKAGE}@{VERSION} failed: {detail}") from exc
        tarball = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tarball, "r:gz") as archive:
            member = archive.extractfile(MEMBER)
            if member is None:
                raise DescriptionUnavailable(f"{tarball.name} has no {MEMBER}")
            partial = Path(tmp) / "api.github.com.json"
            partial.write_bytes(member.read())
        partial.replace(target)
    return target


@cache
def load_description(path: Path | None = None) -> dict[str, Any]:
    with (path or ensure_description()).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


# -- OpenAPI 3.0 schema → JSON Schema (draft 4) ---------------------------------------


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def to_json_schema(
    node: Any, spec: dict[str, Any], *, strict: bool = True, stack: tuple[str, ...] = ()
) -> Any:
    """Inline ``$ref``, turn ``nullable`` into a ``null`` type, and (``strict``) close
    objects that list their properties."""
    if isinstance(node, list):
        return [to_json_schema(item, spec, strict=strict, stack=stack) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in stack:
            return {}
        return to_json_schema(_resolve(spec, ref), spec, strict=strict, stack=(*stack, ref))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP or key.startswith("x-"):
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {
                name: to_json_schema(sub, spec, strict=strict, stack=stack)
                for name, sub in value.items()
            }
        elif key == "nullable":
            continue
        else:
            out[key] = to_json_schema(value, spec, strict=strict, stack=stack)
    if strict and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if node.get("nullable"):
        if "type" in out:
            kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*kinds, "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
            raise ValueError(f"{value!r} is not an ISO 8601 date-time")
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


# -- operations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    literal_segments: int
    operation: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.operation.get("operationId", ""))


def _pattern(template: str, multi: set[str]) -> re.Pattern[str]:
    out = ""
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{"):
            name = piece[1:-1]
            group = ".+" if name in multi else "[^/]+"
            out += f"(?P<{re.sub(r'[^0-9A-Za-z_]', '_', name)}>{group})"
        else:
            out += re.escape(piece)
    return re.compile(f"^{out}$")


class OpenAPIValidator:
    """Checks one request at a time against the description's operations."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.operations: list[Operation] = []
        for template, item in spec["paths"].items():
            for method, operation in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                params = self._parameters(item, operation)
                multi = {p["name"] for p in params if p.get("x-multi-segment")}
                self.operations.append(
                    Operation(
                        method=method.upper(),
                        template=template,
                        pattern=_pattern(template, multi),
                        literal_segments=len(
                            [s for s in template.split("/") if s and not s.startswith("{")]
                        ),
                        operation=operation,
                    )
                )
        self.operations.sort(key=lambda op: -op.literal_segments)
        self._body_schemas: dict[tuple[str, str], Any] = {}

    def _parameters(self, item: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
            param = _resolve(self.spec, raw["$ref"]) if "$ref" in raw else raw
            merged[(param["name"], param["in"])] = param
        return list(merged.values())

    def find(self, method: str, path: str) -> tuple[Operation | None, bool]:
        """(operation, path known for some method)."""
        known = False
        for op in self.operations:
            if op.pattern.match(path):
                known = True
                if op.method == method:
                    return op, True
        return None, known

    def validate(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, has_body: bool
    ) -> tuple[Operation | None, list[str]]:
        """The operation and every problem found (empty: GitHub would accept it)."""
        op, known = self.find(method, path)
        if op is None:
            what = "method not allowed on" if known else "no such path in the description:"
            return None, [f"{what} {method} {path}"]
        errors: list[str] = []
        item = self.spec["paths"][op.template]
        params = self._parameters(item, op.operation)
        match = op.pattern.match(path)
        assert match is not None
        for param in params:
            name, where = param["name"], param["in"]
            schema = to_json_schema(param.get("schema", {}), self.spec)
            if where == "path":
                value = match.group(re.sub(r"[^0-9A-Za-z_]", "_", name))
                errors += _check_value(f"path parameter {name}", value, schema)
            elif where == "query":
                values = query.get(name)
                if values is None:
                    if param.get("required"):
                        errors.append(f"query parameter {name} is required")
                    continue
                for value in values:
                    errors += _check_value(f"query parameter {name}", value, schema)
        declared = {p["name"] for p in params if p["in"] == "query"}
        errors += [
            f"query parameter {name} is not in the description"
            for name in query
            if name not in declared
        ]
        request_body = op.operation.get("requestBody")
        if request_body is None:
            if has_body and body not in (None, {}):
                errors.append(f"{op.operation_id} takes no request body")
            return op, errors
        if not has_body:
            if request_body.get("required"):
                errors.append(f"{op.operation_id} requires a JSON body")
            return op, errors
        schema = self._body_schema(op)
        validator = jsonschema.Draft4Validator(schema, format_checker=FORMATS)
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
            where = "$" + "".join(f"[{p!r}]" for p in error.absolute_path)
            errors.append(f"body {where}: {_describe(error)}")
        return op, errors

    def _body_schema(self, op: Operation) -> Any:
        key = (op.method, op.template)
        if key not in self._body_schemas:
            content = op.operation["requestBody"]["content"]
            media = content.get("application/json") or next(iter(content.values()))
            self._body_schemas[key] = to_json_schema(media.get("schema", {}), self.spec)
        return self._body_schemas[key]


def _check_value(label: str, raw: str, schema: Any) -> list[str]:
    kind = schema.get("type") if isinstance(schema, dict) else None
    kinds = kind if isinstance(kind, list) else [kind]
    value: Any = raw
    if "integer" in kinds:
        if not re.fullmatch(r"-?\d+", raw):
            return [f"{label}: {raw!r} is not an integer"]
        value = int(raw)
    elif "boolean" in kinds:
        if raw not in ("true", "false"):
            return [f"{label}: {raw!r} is not a boolean"]
        value = raw == "true"
    validator = jsonschema.Draft4Validator(schema, format_checker=FORMATS)
    return [f"{label}: {_describe(e)}" for e in validator.iter_errors(value)]


def _describe(error: jsonschema.ValidationError) -> str:
    """The error with long instances shortened, so the rule broken stays visible."""
    if len(error.message) <= 300:
        return error.message
    shown = repr(error.instance)
    shown = shown if len(shown) <= 60 else f"{shown[:40]}… ({len(str(error.instance))} chars)"
    return f"{shown} violates {error.validator}={str(error.validator_value)[:100]}"


@cache
def default_validator() -> OpenAPIValidator:
    return OpenAPIValidator(load_description())


if __name__ == "__main__":  # python -m tests.github.openapi: fetch into the cache
    print(ensure_description())
