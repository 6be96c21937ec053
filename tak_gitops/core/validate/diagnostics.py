"""The collector of validation diagnostics and the location helpers it is fed from."""

from __future__ import annotations

from collections.abc import Iterable

from tak_gitops.core.desired import Location
from tak_gitops.core.nodes import Node
from tak_gitops.errors import Diagnostic, Severity


class Diagnostics:
    """A collector of diagnostics (deduplicated, sorted on output)."""

    def __init__(self) -> None:
        self._items: set[Diagnostic] = set()

    def error(self, where: Node | Location | tuple[str, int, int], code: str, message: str) -> None:
        self.add(where, code, message, Severity.ERROR)

    def warning(self, where: Node | Location | tuple[str, int, int], code: str, message: str) -> None:
        self.add(where, code, message, Severity.WARNING)

    def add(self, where: Node | Location | tuple[str, int, int], code: str, message: str, severity: Severity) -> None:
        if isinstance(where, tuple):
            path, line, col = where
        else:
            path, line, col = where.path, where.line, where.col
        self._items.add(Diagnostic(path, line, col, code, message, severity))

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self._items.update(items)

    @property
    def items(self) -> tuple[Diagnostic, ...]:
        return tuple(sorted(self._items))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when any diagnostic is an error (warnings do not count)."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


def loc_of(node: Node) -> Location:
    """The :class:`Location` of a node."""
    return Location(node.path, node.line, node.col)
