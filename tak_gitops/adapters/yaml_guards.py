"""The checks a YAML text passes besides its syntax: no control characters (in the text, or written by a
double-quoted escape), no nesting deeper than :data:`MAX_DEPTH` (settled before the C composer recurses), and
where in the text an alias is (a problem of its expansion is reported at it)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import islice

from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]  # re-exported from _ruamel_yaml
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
    StreamEndEvent,
)

from tak_gitops.core import codes
from tak_gitops.core.nodes import Node
from tak_gitops.core.safe_text import CONTROL_IN_VALUE, describe, find_controls
from tak_gitops.core.validate.diagnostics import summary
from tak_gitops.core.validate.shape import unknown_key_message
from tak_gitops.errors import Diagnostic

MAX_DEPTH = 64
"""How deep lists and mappings may nest (aliases expanded). Desired files need about eight levels."""
_LEAD_RE = re.compile(r"^[ \t]*(?:[-?:][ \t]+)*", re.MULTILINE)
"""The indentation and block indicators a line starts with: a block node starts where they end."""


def nesting_problem(text: str, path: str) -> Diagnostic | None:
    """TG112 at the list or mapping that nests deeper than :data:`MAX_DEPTH` (see :func:`structure_problems`)."""
    found = structure_problems(text, path, (), 0)
    return found[0] if found else None


def too_deep() -> str:
    return f"lists and mappings nest more than {MAX_DEPTH} levels deep; desired files need about eight"


_TOP_LINE_RE = re.compile(r"^[^\s#-]", re.MULTILINE)
"""A line that starts at column 1 with neither a comment nor a block indicator: a top-level key, mostly."""


def structure_problems(text: str, path: str, allowed: Sequence[str], listed: int) -> list[Diagnostic] | None:
    """What the parser's events tell before anything is composed, in one pass over them: TG112 at the list or
    mapping that nests deeper than :data:`MAX_DEPTH`; else, with ``allowed`` (the keys the top-level mapping
    may hold), a flood of other top-level keys (:func:`_flood`). None when neither is found, and when the text
    does not parse before either is (composing reports it, at the same place).

    The C composer recurses once per level (a few ten thousand levels crash the process) and the C scanner
    slows down with the depth, so the depth is settled first. A block node starts after a line's indentation
    and indicators and each level of block nesting needs more indentation or one more indicator, so the
    depth is at most the number of ``[`` and ``{`` plus twice the longest such run and a leaf: when that is
    within the limit (most files), the depth needs no scan, and the scan stops at the first level over the
    limit (its cost is bounded by the limit, not by the depth). A flood of keys would cost a node tree of
    twice as many nodes, to report what the events already tell; only a text with more lines at column 1
    than the schema has keys and listed problems is scanned for one."""
    openers = text.count("[") + text.count("{")
    deep = openers + 2 * max(map(len, _LEAD_RE.findall(text)), default=0) + 3 > MAX_DEPTH
    flood = bool(allowed) and len(_TOP_LINE_RE.findall(text)) > len(allowed) + listed
    if not deep and not flood:
        return None
    keys: list[tuple[str, int, int]] | None = [] if flood else None
    depth, at_key, first_read = 0, True, False
    parser = CParser(text)
    try:
        while (event := parser.get_event()) is not None and not isinstance(event, StreamEndEvent):
            if first_read and isinstance(event, DocumentStartEvent):
                keys = None  # a second document: the composer refuses it; its depth is settled first
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return [Diagnostic(path, mark.line + 1, mark.column + 1, codes.NESTING_TOO_DEEP, too_deep())]
                if depth == 1 and not isinstance(event, MappingStartEvent):
                    keys = None  # not a mapping: the shape check says so
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
                if depth == 0:
                    if not deep:
                        break  # the document's node is read: a second document is the composer's error
                    first_read = True  # its keys are read; the scan goes on for the depth of any other
                at_key = not at_key if depth == 1 else at_key
            elif depth == 1 and keys is not None and not first_read:  # in the top-level mapping: key or value
                if at_key and isinstance(event, ScalarEvent):
                    keys.append((event.value, event.start_mark.line + 1, event.start_mark.column + 1))
                at_key = not at_key
    except (YAMLError, ValueError):
        return None
    finally:
        parser.dispose()
    return _flood(keys, path, allowed, listed) if keys is not None else None


def _flood(keys: list[tuple[str, int, int]], path: str, allowed: Sequence[str], listed: int) -> list[Diagnostic] | None:
    """TG106 at the first ``listed`` of ``keys`` (the top-level keys, in document order) that are not
    ``allowed`` and one diagnostic counting the rest, when there are more than ``listed``, with TG104 at the
    duplicate keys as the composed document would have them; None when there are no more than ``listed``."""
    known = frozenset(allowed)
    first: dict[str, tuple[int, int]] = {}
    unknown: list[tuple[str, int, int]] = []
    duplicates: list[Diagnostic] = []
    for entry in keys:
        key, line, col = entry
        seen = first.get(key)
        if seen is not None:
            where = f"first at line {seen[0]}, column {seen[1]}"
            duplicates.append(Diagnostic(path, line, col, codes.DUPLICATE_KEY, f"duplicate key {key!r} ({where})"))
            continue
        first[key] = (line, col)
        if key not in known:
            unknown.append(entry)
    if len(unknown) <= listed:
        return None
    out = [
        Diagnostic(path, ln, col, codes.UNKNOWN_KEY, unknown_key_message(k, allowed)) for k, ln, col in unknown[:listed]
    ]
    _key, line, col = unknown[listed]
    out.append(Diagnostic(path, line, col, codes.UNKNOWN_KEY, summary(len(unknown) - listed, codes.UNKNOWN_KEY)))
    if len(duplicates) > listed:
        rest = duplicates[listed]
        duplicates[listed:] = [replace(rest, message=summary(len(duplicates) - listed, codes.DUPLICATE_KEY))]
    return out + duplicates


MAX_LISTED = 10
"""Occurrences of one kind of problem listed per file; the rest are counted in one more diagnostic."""
ESCAPE_RE = re.compile(r"\\(?:[0abvfreN]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")


def control_problems(text: str, path: str, pattern: re.Pattern[str]) -> list[Diagnostic]:
    """TG113 at each character of ``text`` that ``pattern`` refuses (the first :data:`MAX_LISTED`, then one
    diagnostic counting the rest, at the next)."""
    if pattern.search(text) is None:
        return []
    out: list[Diagnostic] = []
    found = find_controls(text, pattern)
    for line, col, char in islice(found, MAX_LISTED):
        out.append(Diagnostic(path, line, col, codes.CONTROL_CHARACTER, f"{describe(char)} is not allowed in text"))
    rest = list(islice(found, 1))
    if rest:
        line, col, _char = rest[0]
        more = 1 + sum(1 for _ in found)
        out.append(Diagnostic(path, line, col, codes.CONTROL_CHARACTER, summary(more, codes.CONTROL_CHARACTER)))
    return out


def value_controls(root: Node, path: str) -> list[Diagnostic]:
    """TG113 at each string (key or value) of the tree holding a character refused in a value."""
    out: list[Diagnostic] = []
    stack = [root]
    while stack and len(out) <= MAX_LISTED:
        node = stack.pop()
        if node.kind == "seq":
            stack.extend(reversed(node.value))
        elif node.kind == "map":
            for key_node, value_node in reversed(node.value.values()):
                stack.extend((value_node, key_node))
        elif isinstance(node.value, str):
            match = CONTROL_IN_VALUE.search(node.value)
            if match is not None:
                message = f"{describe(match.group())} is not allowed in text (written as an escape)"
                out.append(Diagnostic(path, node.line, node.col, codes.CONTROL_CHARACTER, message))
    return out[:MAX_LISTED]


def at_alias(problem: Diagnostic, text: str, number: int) -> Diagnostic:
    """``problem`` moved to the ``number``-th alias of ``text`` (1-based, in document order): the alias whose
    expansion caused it."""
    parser = CParser(text)
    try:
        seen = 0
        while (event := parser.get_event()) is not None and not isinstance(event, StreamEndEvent):
            if isinstance(event, AliasEvent):
                seen += 1
                if seen == number:
                    mark = event.start_mark
                    return replace(problem, line=mark.line + 1, col=mark.column + 1)
    finally:
        parser.dispose()
    return problem  # pragma: no cover - the text was composed, so its aliases are there
