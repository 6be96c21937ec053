"""Read a YAML file into a :class:`~tak_gitops.core.nodes.Node` tree with positions, safely and fast.

Uses ruamel.yaml's C-backed composer (``ruamel.yaml.clib``) to get nodes with marks, then walks them: scalars
are converted by their resolved tag, duplicate keys are reported, aliases are expanded within a bound (no
"billion laughs"), and tags, merge keys and complex keys are refused. Every problem becomes a
:class:`~tak_gitops.errors.Diagnostic`; nothing raises for bad input.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]  # re-exported from _ruamel_yaml
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.nodes import Node as YamlNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from tak_gitops.adapters.file_access import MAX_FILE_BYTES, read_text
from tak_gitops.adapters.yaml_guards import (
    ESCAPE_RE,
    MAX_DEPTH,
    at_alias,
    control_problems,
    structure_problems,
    too_deep,
    value_controls,
)
from tak_gitops.core import codes
from tak_gitops.core.nodes import Node
from tak_gitops.core.safe_text import CONTROL_IN_YAML
from tak_gitops.core.validate.diagnostics import MAX_LISTED
from tak_gitops.errors import Diagnostic

MAX_ALIAS_NODES = 10_000
"""Nodes an alias may add by expansion, per file. Real desired files use few or no aliases."""

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_MERGE = _TAG + "merge"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic, in_alias: bool = False) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic
        self.in_alias = in_alias
        """Raised while an alias was expanded: the problem is the alias's, reported where it is written."""


class _Resolver(VersionedResolver):
    """ruamel's resolver, with the implicit-tag table of the document's YAML version looked up once per
    document instead of once per scalar (the lookup raises and catches AttributeErrors each time)."""

    @property
    def versioned_resolver(self) -> Any:
        table = self.__dict__.get("_table")
        if table is None:
            table = self.__dict__["_table"] = super().versioned_resolver
        return table


_RESOLVER = _Resolver()
"""Resolves what :data:`_RESOLVED` has not seen yet. Like the resolver ``YAML(typ="safe")`` gives the C parser, it
applies the YAML 1.2 rules (that parser never reports a ``%YAML`` directive to it), so a tag depends only on
the node kind, the scalar text and its style."""
_CANONICAL_TAGS: dict[str, Tag] = {}
"""One :class:`Tag` per resolved tag text: every node resolved to ``str`` shares one object, and so on."""
_TAG_TEXT: dict[int, str] = {}
"""``id(tag) -> tag text`` of the tags in :data:`_CANONICAL_TAGS` (which keeps them alive, so ids stay unique)."""
_RESOLVED: dict[tuple[Any, Any, Any], Tag] = {}
_RESOLVED_LIMIT = 100_000


@functools.cache
def _plain_starts() -> frozenset[str]:
    """The first characters for which the implicit resolvers may give a plain scalar another tag than ``str``
    (every character, when a resolver applies to any first character)."""
    table = _RESOLVER.versioned_resolver
    if table.get(None):
        return frozenset(chr(c) for c in range(0x110000))  # pragma: no cover - not so in YAML 1.2
    return frozenset(k for k in table if k)


def _resolve(kind: Any, value: Any, implicit: Any) -> Tag:
    """:meth:`VersionedResolver.resolve`, remembered: desired files repeat the same keys and values a lot. A
    plain scalar whose first character no implicit resolver looks at is a string without a look-up (a file of
    a hundred thousand distinct keys does not churn the memory)."""
    key = (kind, value, implicit)
    tag = _RESOLVED.get(key)
    if tag is None:
        if kind is ScalarNode and implicit[0] and value and value[0] not in _plain_starts():
            return _canonical(_RESOLVER.DEFAULT_SCALAR_TAG)  # what resolve() gives when nothing matches
        resolved = _RESOLVER.resolve(kind, value, implicit)
        tag = _canonical(resolved)
        if len(_RESOLVED) >= _RESOLVED_LIMIT:
            _RESOLVED.clear()
        _RESOLVED[key] = tag
    return tag


def _canonical(resolved: Tag) -> Tag:
    """The one shared :class:`Tag` of ``resolved``'s text."""
    text = str(resolved)
    tag = _CANONICAL_TAGS.setdefault(text, resolved)  # never replaced: its id stays in _TAG_TEXT
    _TAG_TEXT[id(tag)] = text
    return tag


def _no_path_resolvers(*_args: Any) -> None:
    """The resolver's path hooks: there are no path resolvers, so nothing to track."""


class _Composer(CParser):  # type: ignore[misc]
    """ruamel.yaml.clib's C reader, scanner, parser and composer, with the resolver above.

    The same nodes, tags and errors as ``YAML(typ="safe", pure=False).compose``, without building a YAML
    instance, a loader class and a constructor for every file."""

    resolve = staticmethod(_resolve)
    descend_resolver = staticmethod(_no_path_resolvers)
    ascend_resolver = staticmethod(_no_path_resolvers)


def _tag_text(node: YamlNode) -> str | None:
    """``node.tag``, without the property calls for the shared tags of :func:`_resolve`."""
    text = _TAG_TEXT.get(id(node.ctag))
    return text if text is not None else node.tag


def load_yaml_file(
    file: Path, path: str, max_bytes: int = MAX_FILE_BYTES, root: Path | None = None, top_keys: Sequence[str] = ()
) -> tuple[Node | None, list[Diagnostic]]:
    """Load ``file`` (shown as ``path`` in diagnostics; read as :func:`read_text` does). Returns the root node
    (None when unusable) and problems.

    An empty document is an empty mapping. ``top_keys``, when given, are the keys the document's top-level
    mapping may hold: a flood of others is refused before the document is composed (:func:`structure_problems`).
    """
    text, problem = read_text(file, path, max_bytes, root)
    if text is None:
        return None, [problem] if problem else []
    return load_yaml_text(text, path, top_keys)


def load_yaml_text(text: str, path: str, top_keys: Sequence[str] = ()) -> tuple[Node | None, list[Diagnostic]]:
    """Load YAML from a string; see :func:`load_yaml_file`."""
    controls = control_problems(text, path, CONTROL_IN_YAML)
    if controls:
        return None, controls  # the parser would refuse most of them again, less clearly
    structure = structure_problems(text, path, top_keys, MAX_LISTED)
    if structure is not None:
        return None, structure
    try:
        composer = _Composer(text)
        try:
            composed = composer.get_single_node()
        finally:
            composer.dispose()
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{problem} ({exc.context})"
        if "unexpected ':'" in problem:
            problem += "; quote values that contain ':' inside [ ] or { }, or write the list one item per line"
        code = codes.UNSUPPORTED_YAML if "another document" in problem else codes.YAML_SYNTAX
        if code == codes.UNSUPPORTED_YAML:
            problem = "a desired file holds exactly one YAML document (remove the '---' separator)"
        return None, [Diagnostic(path, line, col, code, problem)]
    except (YAMLError, ValueError) as exc:  # defensive: the C parser's other errors
        return None, [Diagnostic(path, 0, 0, codes.YAML_SYNTAX, f"invalid YAML: {exc}")]
    if composed is None:
        return Node("map", {}, path, 1, 1), []
    walker = _Walker(path)
    try:
        root = walker.walk(composed)
    except _Abort as abort:
        problem = abort.diagnostic
        if abort.in_alias or problem.code == codes.ALIAS_LIMIT:
            problem = at_alias(problem, text, walker.aliases)
        return None, [*walker.diagnostics, problem]
    if ESCAPE_RE.search(text) is not None:  # a double-quoted escape may have written a control character
        escaped = value_controls(root, path)
        if escaped:
            return None, [*walker.diagnostics, *escaped]
    return root, walker.diagnostics


class _Walker:
    """Turns composed ruamel nodes into :class:`Node` trees.

    :meth:`walk` tracks aliases (a node met a second time) and bounds their expansion. :meth:`_children` and
    :meth:`_mapping` do for a node met for the first time outside any alias what :meth:`walk` does for it (mark
    it seen: there is nothing to count or refuse) and build it directly, a scalar in place."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.alias_nodes = 0
        self.in_alias = 0
        self.depth = 0
        self.aliases = 0
        """Aliases met outside any expansion so far: the one being expanded is the document's alias number
        ``aliases`` (a problem in its expansion is reported where it is written)."""

    def _diag(self, node: YamlNode, code: str, message: str) -> Diagnostic:
        return Diagnostic(self.path, node.start_mark.line + 1, node.start_mark.column + 1, code, message)

    def walk(self, node: YamlNode) -> Node:
        ident = id(node)
        alias = ident in self.seen  # the composer shares a node only through an alias
        if alias and not self.in_alias:
            self.aliases += 1  # met outside any expansion: the document's next alias, in document order
        if ident in self.active:
            raise _Abort(self._diag(node, codes.ALIAS_LIMIT, "an alias refers to the node that contains it"))
        self.seen.add(ident)
        if alias:
            self.in_alias += 1
        if self.in_alias:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise _Abort(
                    self._diag(
                        node,
                        codes.ALIAS_LIMIT,
                        f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes; write the values out",
                    )
                )
        try:
            return self._walk(node)
        finally:
            if alias:
                self.in_alias -= 1

    def _walk(self, node: YamlNode) -> Node:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, ScalarNode):
            return Node("scalar", self._scalar(node), self.path, line, col)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:  # reached only through aliases: the text itself was checked
                raise _Abort(self._diag(node, codes.NESTING_TOO_DEEP, too_deep()), in_alias=self.in_alias > 0)
            return self._collection(node, line, col)
        finally:
            self.depth -= 1

    def _collection(self, node: YamlNode, line: int, col: int) -> Node:
        if isinstance(node, SequenceNode):
            self._check_tag(node, "seq")
            self.active.add(id(node))
            try:
                items = self._children(node.value)
            finally:
                self.active.discard(id(node))
            return Node("seq", items, self.path, line, col)
        if isinstance(node, MappingNode):
            self._check_tag(node, "map")
            self.active.add(id(node))
            try:
                return Node("map", self._mapping(node), self.path, line, col)
            finally:
                self.active.discard(id(node))
        raise _Abort(self._diag(node, codes.UNSUPPORTED_YAML, "unsupported YAML node"))  # pragma: no cover

    def _children(self, nodes: list[YamlNode]) -> tuple[Node, ...]:
        if self.in_alias:
            return tuple([self.walk(item) for item in nodes])
        path, seen, tag_text, out = self.path, self.seen, _TAG_TEXT, []
        for item in nodes:
            ident = id(item)
            if ident in seen:
                out.append(self.walk(item))
                continue
            seen.add(ident)
            if type(item) is ScalarNode:
                mark = item.start_mark
                value = item.value if tag_text.get(id(item.ctag)) == _STR else self._scalar(item)
                out.append(Node("scalar", value, path, mark.line + 1, mark.column + 1))
            else:
                out.append(self._walk(item))
        return tuple(out)

    def _check_tag(self, node: YamlNode, kind: str) -> None:
        text = _TAG_TEXT.get(id(node.ctag))
        if (text if text is not None else node.tag) != _TAG + kind:
            self.diagnostics.append(
                self._diag(node, codes.UNSUPPORTED_YAML, f"YAML tag {node.tag!r} is not allowed in desired files")
            )

    def _mapping(self, node: MappingNode) -> dict[str, tuple[Node, Node]]:
        out: dict[str, tuple[Node, Node]] = {}
        path, seen, tag_text, in_alias = self.path, self.seen, _TAG_TEXT, self.in_alias
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode and not isinstance(key_node, ScalarNode):
                self.diagnostics.append(
                    self._diag(
                        key_node, codes.UNSUPPORTED_YAML, "a mapping key must be a plain value, not a list or mapping"
                    )
                )
                continue
            if tag_text.get(id(key_node.ctag)) != _STR and _tag_text(key_node) == _MERGE:
                self.diagnostics.append(
                    self._diag(key_node, codes.UNSUPPORTED_YAML, "merge keys ('<<') are not allowed in desired files")
                )
                continue
            key = str(key_node.value)
            mark = key_node.start_mark
            key_line, key_col = mark.line + 1, mark.column + 1
            if key in out:
                first = out[key][0]
                self.diagnostics.append(
                    Diagnostic(
                        path,
                        key_line,
                        key_col,
                        codes.DUPLICATE_KEY,
                        f"duplicate key {key!r} (first at line {first.line}, column {first.col})",
                    )
                )
                continue
            key_value = Node("scalar", key, path, key_line, key_col)
            ident = id(value_node)
            if in_alias or ident in seen:
                out[key] = (key_value, self.walk(value_node))
                continue
            seen.add(ident)  # as in _children
            if type(value_node) is ScalarNode:
                mark = value_node.start_mark
                value = value_node.value if tag_text.get(id(value_node.ctag)) == _STR else self._scalar(value_node)
                out[key] = (key_value, Node("scalar", value, path, mark.line + 1, mark.column + 1))
            else:
                out[key] = (key_value, self._walk(value_node))
        return out

    def _scalar(self, node: ScalarNode) -> Any:
        tag = _tag_text(node)
        text: str = node.value
        if tag == _STR:
            return text
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return text.lower() in ("true", "yes", "on", "y")
        if tag == _TAG + "int":
            return _to_int(text)
        if tag == _TAG + "float":
            return _to_float(text)
        if tag == _TAG + "timestamp":
            if _DATE_RE.match(text):
                try:
                    return dt.date.fromisoformat(text)
                except ValueError:
                    return text  # the shape check reports an impossible date
            return text
        self.diagnostics.append(
            self._diag(node, codes.UNSUPPORTED_YAML, f"YAML tag {tag!r} is not allowed in desired files")
        )
        return text


def _to_int(text: str) -> int | str:
    clean = text.replace("_", "")
    try:
        return int(clean, 0)
    except ValueError:
        try:
            return int(clean, 10)
        except ValueError:
            return text


def _to_float(text: str) -> float | str:
    clean = text.replace("_", "").lower()
    if clean in (".inf", "+.inf"):
        return math.inf
    if clean == "-.inf":
        return -math.inf
    if clean == ".nan":
        return math.nan
    try:
        return float(clean)
    except ValueError:
        return text
