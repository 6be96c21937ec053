"""The fast paths of loading the desired state give exactly what the key-by-key and node-by-node code gives.

* Routings and authorizations inserted a column at a time (when no key of an address-list entry is known yet)
  against the key-by-key loop alone: the same mappings, item for item in the same order, the same diagnostics.
* The YAML loader (one C parser class, remembered tags, scalars built in place) against the loader as it was
  first written: ``YAML(typ="safe", pure=False).compose`` and a node-by-node walk.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest.mock import patch

from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.nodes import Node as YamlNode

from tak_gitops.adapters import yaml_loader
from tak_gitops.adapters.yaml_guards import MAX_DEPTH, control_problems, nesting_problem, too_deep, value_controls
from tak_gitops.adapters.yaml_loader import MAX_ALIAS_NODES, load_yaml_text
from tak_gitops.core import codes
from tak_gitops.core.config import EnvironmentConfig, OwnershipRegistry, ProjectConfig, TakApiTarget
from tak_gitops.core.desired import DesiredState
from tak_gitops.core.nodes import Node
from tak_gitops.core.safe_text import CONTROL_IN_YAML
from tak_gitops.core.validate import OrgInput, validate_desired
from tak_gitops.core.validate import environment as validate_environment
from tak_gitops.errors import Diagnostic
from tests.conftest import ROOT

# ------------------------------------------------------------------------- routings and authorizations

CONTRACTS = (
    "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2",
    "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1",
)
CONFIG = ProjectConfig(
    environments={
        "NTJP-PROD": EnvironmentConfig(plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD"))
    }
)
SYSTEMS = {"org-a": ("SE1-PA", "SE1-CA"), "org-b": ("SE2-PA", "SE2-CA")}
REGISTRY = OwnershipRegistry.model_validate(
    {
        "organisations": {
            key: {"name": key.upper(), "number": str(n), "systems": list(systems)}
            for n, (key, systems) in enumerate(SYSTEMS.items(), start=1)
        }
    }
)
IDS = st.sampled_from(["SE9-LA1", "se9-la1", "SE9-LA2", "SE9-LA3"])
ENTRY = st.sampled_from(["SE9-LA1", "se9-la1", "SE9-LA2", "SE9-LA3", "{set: s1}", "{set: s2}", "'*'"])
ENTRIES = st.lists(ENTRY, min_size=1, max_size=4)
PRODUCED = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), ENTRIES), max_size=3)
AUTHORIZED = st.lists(st.tuples(st.lists(st.integers(0, 1), min_size=1, max_size=3), ENTRIES), max_size=3)
ORG = st.tuples(
    st.lists(IDS, min_size=1, max_size=3), st.lists(IDS, min_size=1, max_size=3), PRODUCED, AUTHORIZED, st.booleans()
)


def _org_input(key: str, drawn: tuple[Any, ...]) -> OrgInput:
    set1, set2, produced, authorized, grant = drawn
    producer, consumer = SYSTEMS[key]
    other_consumer = SYSTEMS["org-b" if key == "org-a" else "org-a"][1]
    org_yaml = (
        "systems:\n"
        + "".join(f"  - {{hsa_id: {s}, name: System {s}, environments: [NTJP-PROD]}}\n" for s in SYSTEMS[key])
        + f"address_sets:\n  s1: {{addresses: [{', '.join(set1)}]}}\n  s2: {{addresses: [{', '.join(set2)}]}}\n"
    )
    contracts = "".join(
        f"      - contract: {CONTRACTS[c]}\n        profile: RIVTABP21\n        url: https://x.se/{u}\n"
        f"        addresses: [{', '.join(entries)}]\n"
        for c, u, entries in produced
    )
    authorizations = "".join(
        f"      - contracts: [{', '.join(repr(CONTRACTS[c]) for c in cs)}]\n        addresses: [{', '.join(entries)}]\n"
        for cs, entries in authorized
    )
    env_yaml = f"producers:\n  - system: {producer}\n    contracts:\n{contracts}" if produced else ""
    env_yaml += f"consumers:\n  - system: {consumer}\n    authorizations:\n{authorizations}" if authorized else ""
    if grant and produced:
        env_yaml += (
            f"grants:\n  - producer: {producer}\n    contracts: [{CONTRACTS[produced[0][0]]!r}]\n"
            f"    consumers: [{other_consumer}, {consumer}]\n"
        )
    org_root, problems = load_yaml_text(org_yaml, f"desired/{key}/organisation.yaml")
    env_root, env_problems = load_yaml_text(env_yaml or "{}\n", f"desired/{key}/NTJP-PROD.yaml")
    assert problems == env_problems == []
    return OrgInput(
        key=key,
        folder=f"desired/{key}",
        organisation_path=f"desired/{key}/organisation.yaml",
        organisation=org_root,
        environments={"NTJP-PROD": (f"desired/{key}/NTJP-PROD.yaml", env_root)},
    )


def _ordered(state: DesiredState) -> list[Any]:
    """Every mapping of the state as its items in order, and the rest as it is."""
    env = state.environments["NTJP-PROD"]
    return [
        list(env.routings.items()),
        list(env.routing_orgs.items()),
        list(env.authorization_orgs.items()),
        list(env.locations.items()),
        env.grants,
        list(env.orgs.items()),
        list(state.addresses.items()),
        list(state.systems.items()),
    ]


@given(ORG, ORG)
def test_keys_inserted_a_column_at_a_time_as_key_by_key(a: tuple[Any, ...], b: tuple[Any, ...]) -> None:
    orgs = [_org_input("org-a", a), _org_input("org-b", b)]
    state, diagnostics = validate_desired(CONFIG, REGISTRY, orgs)
    with patch.object(validate_environment, "none_known", lambda known, keys: False):
        slow_state, slow_diagnostics = validate_desired(CONFIG, REGISTRY, orgs)
    assert diagnostics == slow_diagnostics
    assert _ordered(state) == _ordered(slow_state)


def test_a_repeated_key_takes_the_key_by_key_path() -> None:
    entries = ["{set: s1}", "SE9-LA1"]  # line 7 of the environment file: SE9-LA1 twice, by the set and by itself
    drawn = (["SE9-LA1"], ["SE9-LA2"], [(0, 0, entries)], [([0, 0, 1], entries)], False)
    state, diagnostics = validate_desired(CONFIG, REGISTRY, [_org_input("org-a", drawn)])
    env = state.environments["NTJP-PROD"]
    assert list(env.routings) == [("SE9-LA1", CONTRACTS[0])]
    assert list(env.authorization_orgs.items()) == [
        (("SE1-CA", "SE9-LA1", CONTRACTS[0]), frozenset({"org-a"})),
        (("SE1-CA", "SE9-LA1", CONTRACTS[1]), frozenset({"org-a"})),
    ]
    assert [str(d) for d in diagnostics] == [
        f"desired/org-a/NTJP-PROD.yaml:7:32: {codes.REPEATED_DECLARATION} warning: routing (SE9-LA1, {CONTRACTS[0]}) "
        "is already declared at desired/org-a/NTJP-PROD.yaml:7:21"
    ]


# ----------------------------------------------------------------------------------------------------- YAML


class _Abort(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def reference_load_yaml_text(text: str, path: str) -> tuple[Node | None, list[Diagnostic]]:
    """The loader as first written: a YAML instance per document and a node-by-node walk (after the text's
    guards, control characters and nesting depth, which refuse a text before any walk; the walk counts the
    depth aliases add and checks what double-quoted escapes wrote)."""
    refused = control_problems(text, path, CONTROL_IN_YAML)
    deep = nesting_problem(text, path) if not refused else None
    if refused or deep is not None:
        return None, refused or [deep]
    yaml = YAML(typ="safe", pure=False)
    yaml.Resolver = yaml_loader._Resolver
    try:
        composed = yaml.compose(text)
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
    except (YAMLError, ValueError) as exc:
        return None, [Diagnostic(path, 0, 0, codes.YAML_SYNTAX, f"invalid YAML: {exc}")]
    if composed is None:
        return Node("map", {}, path, 1, 1), []
    walker = _ReferenceWalker(path)
    try:
        root = walker.walk(composed)
    except _Abort as abort:
        # reported at the alias whose expansion went wrong: the top-level alias met last, found among the
        # document's alias events (the pure-Python parser's) by its number
        aliases = [e for e in YAML(typ="safe", pure=True).parse(text) if isinstance(e, AliasEvent)]
        mark = aliases[walker.aliases - 1].start_mark
        return None, [*walker.diagnostics, replace(abort.diagnostic, line=mark.line + 1, col=mark.column + 1)]
    escaped = value_controls(root, path)
    if escaped:
        return None, [*walker.diagnostics, *escaped]
    return root, walker.diagnostics


class _ReferenceWalker:
    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.alias_nodes = 0
        self.in_alias = 0
        self.aliases = 0

    def _diag(self, node: YamlNode, code: str, message: str) -> Diagnostic:
        return Diagnostic(self.path, node.start_mark.line + 1, node.start_mark.column + 1, code, message)

    def walk(self, node: YamlNode) -> Node:
        alias = id(node) in self.seen
        self.aliases += alias and not self.in_alias
        if id(node) in self.active:
            raise _Abort(self._diag(node, codes.ALIAS_LIMIT, "an alias refers to the node that contains it"))
        self.seen.add(id(node))
        if alias:
            self.in_alias += 1
        if self.in_alias:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                message = f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes; write the values out"
                raise _Abort(self._diag(node, codes.ALIAS_LIMIT, message))
        try:
            return self._walk(node)
        finally:
            if alias:
                self.in_alias -= 1

    def _walk(self, node: YamlNode) -> Node:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, ScalarNode):
            return Node("scalar", self._scalar(node), self.path, line, col)
        kind = "seq" if isinstance(node, SequenceNode) else "map"
        if node.tag != "tag:yaml.org,2002:" + kind:
            self.diagnostics.append(
                self._diag(node, codes.UNSUPPORTED_YAML, f"YAML tag {node.tag!r} is not allowed in desired files")
            )
        self.active.add(id(node))
        if len(self.active) > MAX_DEPTH:  # only aliases can nest this deep: the text was checked
            raise _Abort(self._diag(node, codes.NESTING_TOO_DEEP, too_deep()))
        try:
            if isinstance(node, MappingNode):
                return Node("map", self._mapping(node), self.path, line, col)
            return Node("seq", tuple(self.walk(item) for item in node.value), self.path, line, col)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: MappingNode) -> dict[str, tuple[Node, Node]]:
        out: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                message = "a mapping key must be a plain value, not a list or mapping"
                self.diagnostics.append(self._diag(key_node, codes.UNSUPPORTED_YAML, message))
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                message = "merge keys ('<<') are not allowed in desired files"
                self.diagnostics.append(self._diag(key_node, codes.UNSUPPORTED_YAML, message))
                continue
            key = str(key_node.value)
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key in out:
                first = out[key][0]
                message = f"duplicate key {key!r} (first at line {first.line}, column {first.col})"
                self.diagnostics.append(Diagnostic(self.path, line, col, codes.DUPLICATE_KEY, message))
                continue
            out[key] = (Node("scalar", key, self.path, line, col), self.walk(value_node))
        return out

    def _scalar(self, node: ScalarNode) -> Any:
        tag, text = node.tag, node.value
        if tag == "tag:yaml.org,2002:str":
            return text
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return text.lower() in ("true", "yes", "on", "y")
        if tag == "tag:yaml.org,2002:int":
            clean = text.replace("_", "")
            for base in (0, 10):
                try:
                    return int(clean, base)
                except ValueError:
                    pass
            return text
        if tag == "tag:yaml.org,2002:float":
            clean = text.replace("_", "").lower()
            special = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
            if clean in special:
                return special[clean]
            try:
                return float(clean)
            except ValueError:
                return text
        if tag == "tag:yaml.org,2002:timestamp":
            if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
                try:
                    return dt.date.fromisoformat(text)
                except ValueError:
                    return text
            return text
        self.diagnostics.append(
            self._diag(node, codes.UNSUPPORTED_YAML, f"YAML tag {tag!r} is not allowed in desired files")
        )
        return text


KEYS = st.sampled_from(["a", "b", "a", "'a'", "<<", "[k]", "? c", "1"])
VALUES = st.sampled_from(
    [
        "x",
        "1",
        "0x1f",
        "1_000",
        "yes",
        "~",
        "2025-12-08",
        "2025-13-45",
        "'q'",
        '"w"',
        ".inf",
        ".nan",
        "1.5e3",
        "!!str 5",
        "!!binary aGk=",
        "!custom v",
        "&v1 [1, 2]",
        "*v1",
        "&v2 {c: d}",
        "*v2",
        "[a, *v1]",
        "{c: *v2}",
        "[unclosed",
        "{a: 1, a: 2}",
        "- item",
        "a: b: c",
        "*nope",
        "'*'",
        "|\n  block",
        "---\nother: 1",
    ]
)
LINE = st.tuples(st.integers(0, 2), KEYS, VALUES)


def _text(lines: list[tuple[int, str, str]]) -> str:
    return "".join(f"{'  ' * depth}{key}: {value}\n" for depth, key, value in lines)


def _same(text: str) -> None:
    root, problems = load_yaml_text(text, "f.yaml")
    reference_root, reference_problems = reference_load_yaml_text(text, "f.yaml")
    assert repr(root) == repr(reference_root)  # repr: a NaN scalar is equal to itself there
    assert problems == reference_problems


@given(st.lists(LINE, max_size=8))
def test_yaml_loads_as_the_reference_loader(lines: list[tuple[int, str, str]]) -> None:
    _same(_text(lines))


def test_every_yaml_file_of_the_repository_loads_as_the_reference_loader() -> None:
    files = sorted(p for p in Path(ROOT).rglob("*.yaml") if ".venv" not in p.parts and ".git" not in p.parts)
    assert len(files) > 50
    for file in files:
        _same(file.read_text(encoding="utf-8", errors="replace"))


def test_aliases_of_scalars_and_alias_bombs_load_as_the_reference_loader() -> None:
    _same("a: &x v\nb: *x\nc: [*x, *x]\nd: {e: *x}\n")
    _same("a: &x [1, {b: 2}]\nb: [*x, *x]\n")
    levels = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 6)]
    _same("\n".join(levels) + "\n")
