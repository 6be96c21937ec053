"""Shape check of a desired file (types, required and unknown keys) against its pydantic model, with every
problem reported at its position in the node tree."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tak_gitops.core import codes
from tak_gitops.core.nodes import Node
from tak_gitops.core.rules import did_you_mean
from tak_gitops.core.validate.diagnostics import MAX_LISTED, Diagnostics

M = TypeVar("M", bound=BaseModel)

_TAG_PARTS = frozenset({"hsa_id", "address", "set"})
_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
    "tuple_type": "a list",
    "list_type": "a list",
}
_DATE_TYPES = frozenset({"date_type", "date_parsing", "date_from_datetime_inexact", "date_from_datetime_parsing"})


@functools.cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def _expand_schema(schema: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack = [schema]
    while stack:
        s = stack.pop()
        if "$ref" in s:
            stack.append(defs[s["$ref"].rsplit("/", 1)[-1]])
            continue
        alternatives = [*s.get("anyOf", ()), *s.get("oneOf", ()), *s.get("allOf", ())]
        if alternatives:
            stack.extend(alternatives)
        out.append(s)
    return out


@functools.lru_cache(maxsize=256)
def _allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys the schema allows in the mapping at ``loc`` (from the generated JSON Schema)."""
    root = _schema(model)
    defs = root.get("$defs", {})
    nodes = [root]
    previous: int | str | None = None
    for part in loc:
        if isinstance(previous, int) and part in _TAG_PARTS:
            previous = part
            continue
        found: list[dict[str, Any]] = []
        for s in (x for n in nodes for x in _expand_schema(n, defs)):
            if isinstance(part, int):
                if isinstance(s.get("items"), dict):
                    found.append(s["items"])
            elif part in s.get("properties", {}):
                found.append(s["properties"][part])
            elif isinstance(s.get("additionalProperties"), dict):
                found.append(s["additionalProperties"])
        if found:
            nodes = found
        previous = part
    keys: set[str] = set()
    for s in (x for n in nodes for x in _expand_schema(n, defs)):
        keys.update(s.get("properties", {}))
    return sorted(keys)


def _locate(root: Node, loc: Sequence[int | str]) -> tuple[Node, Node | None, list[int | str]]:
    """Follow a pydantic error location through the node tree.

    Returns the deepest node reached, the key node of the last mapping step (or None), and the location
    with union tags removed.
    """
    node = root
    key_node: Node | None = None
    clean: list[int | str] = []
    previous: int | str | None = None
    for part in loc:
        if isinstance(previous, int) and part in _TAG_PARTS:
            previous = part
            continue
        previous = part
        clean.append(part)
        if node.kind == "map" and isinstance(part, str) and part in node.value:
            key_node, node = node.value[part]
        elif node.kind == "seq" and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            key_node = None
        else:
            break
    return node, key_node, clean


def _dotted(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def top_level_keys(model: type[BaseModel]) -> tuple[str, ...]:
    """The keys the top-level mapping of a ``model`` document may hold."""
    return tuple(_allowed_keys(model, ()))


def unknown_key_message(key: str, allowed: Sequence[str] | None) -> str:
    """The message of TG106 at ``key``, with a suggestion from ``allowed`` when one is close (none is looked for
    when ``allowed`` is None: the keys past those listed are only counted)."""
    return f"unknown key {key!r}{did_you_mean(key, allowed) if allowed is not None else ''}"


def check_shape(root: Node, model: type[M], diags: Diagnostics) -> M | None:
    """Validate ``root`` against ``model``; report every shape problem at its position. None when invalid.

    A flood of unknown top-level keys (more than are listed) is reported from the node tree and left out of
    what the model validates: the cost stays one look-up per key."""
    data = root.to_python()
    flood = _top_level_flood(root, model, data)
    try:
        value = model.model_validate(data)
        if not flood:
            return value
        errors = []
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
    shorts = any(e["type"] == "too_short" for e in errors)
    parents = {loc[:i] for loc in (tuple(e["loc"]) for e in errors) for i in range(len(loc))} if shorts else set()
    unknown: list[tuple[Node, str, tuple[int | str, ...]]] = []
    for err in errors:
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "too_short" and loc in parents:
            continue  # pydantic repeats "too short" for a list whose items failed
        node, key_node, clean = _locate(root, loc)
        name = _dotted(clean) or "the document"
        if kind == "extra_forbidden":
            unknown.append((key_node or node, str(clean[-1]), loc[:-1]))
        elif kind == "missing":
            diags.error(node, codes.MISSING_KEY, f"missing required key {str(clean[-1])!r}")
        elif kind in _DATE_TYPES or (kind == "value_error" and clean and clean[-1] == "change_date"):
            diags.error(node, codes.BAD_DATE, f"{name} must be a date written YYYY-MM-DD")
        elif kind in _EXPECTED:
            diags.error(node, codes.WRONG_TYPE, f"{name}: expected {_EXPECTED[kind]}, got {node.describe()}")
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            diags.error(node, codes.BAD_VALUE, f"{name} must be one of {expected}")
        elif kind in ("too_short", "string_too_short"):
            diags.error(node, codes.BAD_VALUE, f"{name} must not be empty")
        elif kind in ("greater_than_equal", "greater_than"):
            diags.error(node, codes.BAD_VALUE, f"{name} must be at least {err.get('ctx', {}).get('ge', 0)}")
        else:
            message = str(err["msg"]).removeprefix("Value error, ")
            diags.error(node, codes.BAD_VALUE, f"{name}: {message}")
    _report_unknown(flood + unknown, model, diags)
    return None


def _top_level_flood(root: Node, model: type[BaseModel], data: object) -> list[tuple[Node, str, tuple[int | str, ...]]]:
    """The unknown keys of the top-level mapping when there are more than are listed (taken out of ``data``);
    none otherwise (the model reports them as usual)."""
    if root.kind != "map" or not isinstance(data, dict):
        return []
    allowed = set(_allowed_keys(model, ()))
    extra = [key for key in root.value if key not in allowed]
    if len(extra) <= MAX_LISTED:
        return []
    for key in extra:
        del data[key]
    return [(root.value[key][0], key, ()) for key in extra]


def _report_unknown(
    unknown: list[tuple[Node, str, tuple[int | str, ...]]], model: type[BaseModel], diags: Diagnostics
) -> None:
    """TG106 at every unknown key; the first :data:`~tak_gitops.core.validate.diagnostics.MAX_LISTED` in document
    order (those the collector lists) with a suggestion each, found in the schema (the rest are only counted)."""
    unknown.sort(key=lambda u: (u[0].line, u[0].col))
    for i, (node, key, parent) in enumerate(unknown):
        allowed = _allowed_keys(model, parent) if i < MAX_LISTED else None
        diags.error(node, codes.UNKNOWN_KEY, unknown_key_message(key, allowed))
