"""Builders for the JSON Schema fragments the order and plan schemas are written in (arrays, objects, refs)."""

from __future__ import annotations

from typing import Any

Fragment = dict[str, Any]


def ref(name: str) -> Fragment:
    """A reference to ``$defs/<name>``."""
    return {"$ref": f"#/$defs/{name}"}


def array_of(items: Fragment, **constraints: Any) -> Fragment:
    """An array whose every item is ``items`` (``constraints`` such as ``minItems`` added as given)."""
    return {"type": "array", **constraints, "items": items}


def fields(properties: dict[str, Fragment], *, optional: tuple[str, ...] = (), closed: bool = False) -> Fragment:
    """These properties, every one required but the ``optional`` ones; ``closed`` forbids any other key."""
    fragment: Fragment = {"required": [name for name in properties if name not in optional], "properties": properties}
    if closed:
        fragment["additionalProperties"] = False
    return fragment


def record(properties: dict[str, Fragment], *, optional: tuple[str, ...] = (), closed: bool = False) -> Fragment:
    """An object with these :func:`fields`."""
    return {"type": "object", **fields(properties, optional=optional, closed=closed)}
