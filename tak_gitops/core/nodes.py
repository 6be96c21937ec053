"""A neutral, position-carrying document tree: what the YAML loader produces and validation reads.

The core never sees a YAML library. The loader turns a YAML document into :class:`Node` trees whose every
value knows its file, line and column (1-based), and validation reports problems at those positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

NodeKind = Literal["scalar", "seq", "map"]


@dataclass(frozen=True, slots=True)
class Node:
    """One value of a parsed document.

    * ``scalar``: ``value`` is a ``str``, ``int``, ``float``, ``bool``, ``None`` or ``datetime.date``.
    * ``seq``: ``value`` is a tuple of :class:`Node`.
    * ``map``: ``value`` is a dict ``key -> (key node, value node)`` in document order; keys are strings.
    """

    kind: NodeKind
    value: Any
    path: str
    line: int
    col: int

    def items(self) -> list[tuple[str, Node, Node]]:
        """``(key, key node, value node)`` of a mapping, in document order; empty for other kinds."""
        if self.kind != "map":
            return []
        return [(k, kn, vn) for k, (kn, vn) in self.value.items()]

    def get(self, key: str) -> Node | None:
        """The value node under ``key`` of a mapping, or None."""
        if self.kind != "map":
            return None
        pair = self.value.get(key)
        return None if pair is None else pair[1]

    def key_node(self, key: str) -> Node | None:
        """The key node of ``key`` in a mapping, or None."""
        if self.kind != "map":
            return None
        pair = self.value.get(key)
        return None if pair is None else pair[0]

    def seq(self) -> tuple[Node, ...]:
        """The items of a sequence; empty for other kinds."""
        return self.value if self.kind == "seq" else ()

    def str_value(self) -> str | None:
        """The value if this is a string scalar, else None."""
        return self.value if self.kind == "scalar" and isinstance(self.value, str) else None

    def to_python(self) -> Any:
        """Plain Python: dicts, lists and scalars (for shape validation)."""
        if self.kind == "map":
            return {k: vn.to_python() for k, (_kn, vn) in self.value.items()}
        if self.kind == "seq":
            return [n.to_python() for n in self.value]
        return self.value

    def describe(self) -> str:
        """A short name of this value's type for messages: ``a mapping``, ``a list``, ``an integer``, ..."""
        if self.kind == "map":
            return "a mapping"
        if self.kind == "seq":
            return "a list"
        return describe_scalar(self.value)


def describe_scalar(value: object) -> str:
    """A short name of a scalar's type for messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a date"
