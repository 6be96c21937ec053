"""The collector of validation diagnostics (a flood of one kind listed up to a cap, the rest counted) and the
location helpers it is fed from."""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import attrgetter

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
        """Every diagnostic, sorted; of one code in one file, the first :data:`MAX_LISTED` and then one
        diagnostic (at the next) counting the rest."""
        return capped(sorted(self._items, key=_ORDER))


MAX_LISTED = 20
"""Diagnostics of one code listed per file; the rest are counted in one more (a flood stays readable and
cheap to print)."""
_ORDER = attrgetter("path", "line", "col", "code", "message")
"""The order of :class:`Diagnostic` (its field order), as a key: sorting a flood compares tuples in C."""
_SUMMARY = re.compile(r"[0-9]+ more .+ in this file")
_WHAT = {"TG106": "unknown keys", "TG113": "control characters"}


def summary(count: int, code: str) -> str:
    """The message of the diagnostic that counts ``count`` more of ``code`` in one file."""
    return f"{count} more {_WHAT.get(code, code + ' problems')} in this file"


def capped(ordered: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """``ordered`` (sorted) with each (file, code) group cut to :data:`MAX_LISTED` plus a count of the rest; a
    count made before is kept as it is (capping twice changes nothing)."""
    seen: dict[tuple[str, str], int] = {}
    out: list[Diagnostic] = []
    firsts: dict[tuple[str, str], Diagnostic] = {}
    for d in ordered:
        if _SUMMARY.fullmatch(d.message):
            out.append(d)
            continue
        group = (d.path, d.code)
        n = seen.get(group, 0) + 1
        seen[group] = n
        if n <= MAX_LISTED:
            out.append(d)
        elif n == MAX_LISTED + 1:
            firsts[group] = d
    if not firsts:
        return tuple(out)
    for group, first in firsts.items():
        rest = seen[group] - MAX_LISTED
        out.append(Diagnostic(first.path, first.line, first.col, first.code, summary(rest, first.code), first.severity))
    return tuple(sorted(out, key=_ORDER))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when any diagnostic is an error (warnings do not count)."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


def loc_of(node: Node) -> Location:
    """The :class:`Location` of a node."""
    return Location(node.path, node.line, node.col)
