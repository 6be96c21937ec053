"""Validation of the desired-state files and their resolution into :class:`~tak_gitops.core.desired.DesiredState`.

Pure: the input is parsed documents (:class:`~tak_gitops.core.nodes.Node` trees with positions) and parsed CSV
rows; the output is the resolved state plus every problem found, as sorted
:class:`~tak_gitops.errors.Diagnostic` values. Nothing stops at the first problem.

Shape (types, required and unknown keys) is checked with the pydantic models of ``desired_model``; the value
rules (``core.rules``) and the cross-file rules (ownership, environments, address sets, routing conflicts,
grants) are plain loops over the node trees, so 100,000 addresses cost no model instance each.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, product, repeat
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError

from tak_gitops.core import codes
from tak_gitops.core.config import OwnershipRegistry, ProjectConfig
from tak_gitops.core.desired import (
    Address,
    Contact,
    DesiredState,
    EnvironmentState,
    Grant,
    Location,
    Organisation,
    OrgEnvironment,
    System,
)
from tak_gitops.core.desired_model import EnvironmentFile, OrganisationFile
from tak_gitops.core.nodes import Node
from tak_gitops.core.rules import (
    COMMENT_LIMIT,
    WILDCARD,
    contract_problem,
    did_you_mean,
    hsa_id_problem,
    match_hsa_id,
    normalize_name,
    url_problem,
)
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, RoutingValue
from tak_gitops.errors import Diagnostic, Severity

ORGANISATION_FILE = "organisation.yaml"

M = TypeVar("M", bound=BaseModel)
_intern = sys.intern
_HSA_COLUMN_RE = re.compile(r"[0-9a-zA-Z_\-]{1,255}(?:\n[0-9a-zA-Z_\-]{1,255})*")
"""HSA-ids one a line, each as :data:`~tak_gitops.core.rules.HSA_ID_PATTERN` allows."""
_name_of = attrgetter("name")


# ------------------------------------------------------------------------------------------------------ inputs


class CsvRow(NamedTuple):
    """One address line of a CSV address set (``line`` is the CSV file's own 1-based line number).

    A named tuple: a national-scale repository has hundreds of thousands of them."""

    hsa_id: str
    name: str | None
    kind: str | None
    vg: str | None
    line: int
    col_vg: int = 0
    """1-based column where the ``vg`` field starts (0 when absent); for diagnostics on it."""


@dataclass(frozen=True)
class CsvSet:
    """A parsed CSV address set. ``path`` is the display path used in diagnostics."""

    path: str
    rows: tuple[CsvRow, ...]


@dataclass(frozen=True)
class OrgInput:
    """Everything read from one ``desired/<org>/`` folder.

    ``organisation`` is None when ``organisation.yaml`` is missing (``organisation_present`` False) or could
    not be loaded (the loader already reported why). ``environments`` maps the environment name (the file
    stem) to ``(display path, root node or None)``. ``csv_sets`` maps a CSV path as written in
    organisation.yaml to the parsed set, or None when the loader could not read it (already reported).
    """

    key: str
    folder: str
    organisation_path: str
    organisation: Node | None
    organisation_present: bool = True
    environments: Mapping[str, tuple[str, Node | None]] = field(default_factory=dict)
    csv_sets: Mapping[str, CsvSet | None] = field(default_factory=dict)
    extra_files: tuple[str, ...] = ()
    """Display paths of files in the folder that are not desired files (e.g. ``NTJP-PROD.yml``)."""


# ------------------------------------------------------------------------------------------------ diagnostics


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


# ------------------------------------------------------------------------------------------------ shape check

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


def _allowed_keys(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
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


def check_shape(root: Node, model: type[M], diags: Diagnostics) -> M | None:
    """Validate ``root`` against ``model``; report every shape problem at its position. None when invalid."""
    try:
        return model.model_validate(root.to_python())
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
    error_locs = [tuple(e["loc"]) for e in errors]
    for err in errors:
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "too_short" and any(len(o) > len(loc) and o[: len(loc)] == loc for o in error_locs):
            continue  # pydantic repeats "too short" for a list whose items failed
        node, key_node, clean = _locate(root, loc)
        name = _dotted(clean) or "the document"
        if kind == "extra_forbidden":
            key = str(clean[-1])
            allowed = _allowed_keys(model, loc[:-1])
            diags.error(key_node or node, codes.UNKNOWN_KEY, f"unknown key {key!r}{did_you_mean(key, allowed)}")
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
    return None


# ------------------------------------------------------------------------------------------------ validation


def csv_references(root: Node | None) -> list[tuple[str, Node]]:
    """The CSV files an organisation.yaml refers to: ``(path as written, value node)``, for the loader to read.

    Paths that are absolute or leave the organisation folder are left out (validation reports them).
    """
    out: list[tuple[str, Node]] = []
    sets = root.get("address_sets") if root is not None else None
    for _name, _kn, set_node in sets.items() if sets is not None else ():
        csv_node = set_node.get("csv")
        if csv_node is None:
            continue
        path = csv_node.str_value()
        if path is not None and _csv_path_problem(path) is None:
            out.append((path, csv_node))
    return out


def _csv_path_problem(path: str) -> str | None:
    if not path.strip():
        return "csv path must not be empty"
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return f"csv path {path!r} must be relative to the organisation folder"
    normal = posixpath.normpath(path.replace("\\", "/"))
    if normal == ".." or normal.startswith("../"):
        return f"csv path {path!r} leaves the organisation folder"
    return None


@dataclass(slots=True)
class _RoutingDecl:
    value: RoutingValue
    org: str
    location: Location


@dataclass
class _EnvBuild:
    env: str
    routings: dict[RoutingKey, RoutingValue] = field(default_factory=dict)
    routing_orgs: dict[RoutingKey, str] = field(default_factory=dict)
    extra: dict[RoutingKey, list[_RoutingDecl]] = field(default_factory=dict)
    authorization_orgs: dict[AuthorizationKey, frozenset[str]] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    orgs: dict[str, OrgEnvironment] = field(default_factory=dict)
    locations: dict[tuple[str, ...], Location] = field(default_factory=dict)


class _Validator:
    def __init__(self, config: ProjectConfig, registry: OwnershipRegistry) -> None:
        self.config = config
        self.registry = registry
        self.owners = registry.owner_of()
        self.diags = Diagnostics()
        self.systems: dict[str, System] = {}
        self.system_nodes: dict[str, Node] = {}
        self.system_spellings: list[tuple[str, str, Node, str]] = []  # (hsa_id as written, name, node, org)
        self.addresses: dict[str, Address] = {}
        self.address_names: dict[str, tuple[str, str, int, int]] = {}
        """``hsa_id -> (name, path, line, col)``: where an address got its name (a :class:`Location`, unbuilt)."""
        self.envs = {name: _EnvBuild(name) for name in sorted(config.environments)}
        self._entry_counter = 0
        self._org_sets: dict[str, frozenset[str]] = {}
        self._broken: set[str] = set()
        self._quiet = False
        self._noted_columns: dict[str, tuple[tuple[str, ...], tuple[str | None, ...], tuple[str | None, ...]]] = {}
        """HSA-id column of a plain CSV set (as written, one a line) -> ``(ids, names, kinds)`` of a set with that
        column whose every address was known by those names and kinds once it was noted: the same rows met again
        (an organisation's address list copied into a partner's folder) note nothing new."""

    # -------------------------------------------------------------------------------------------- helpers

    def _next_entry(self) -> int:
        self._entry_counter += 1
        return self._entry_counter

    def _hsa(self, node: Node | None, what: str, *, wildcard: bool = False) -> str | None:
        """Check an HSA-id node; return it upper case, or None when it is missing, not a string or malformed."""
        if node is None:
            return None
        value = node.str_value()
        if value is None:
            return None  # the shape check reported it
        problem = hsa_id_problem(value, allow_wildcard=wildcard)
        if problem is not None:
            code = codes.WILDCARD_NOT_ALLOWED if value == WILDCARD else codes.BAD_HSA_ID
            self.diags.error(node, code, f"{what}: {problem}")
            return None
        return value.upper()

    def _contract(self, node: Node | None) -> str | None:
        value = node.str_value() if node is not None else None
        if value is None or node is None:
            return None
        problem = contract_problem(value)
        if problem is not None:
            self.diags.error(node, codes.BAD_CONTRACT, problem)
            return None
        return value

    def _note_address(self, hsa_id: str, name: str | None, kind: str | None, vg: str | None, where: Location) -> None:
        known = self.addresses.get(hsa_id)
        if known is None:
            self.addresses[hsa_id] = Address(hsa_id, name, kind, vg)
            if name:
                self.address_names[hsa_id] = (name, where.path, where.line, where.col)
            return
        if name and known.name and name != known.name:
            first_name, path, line, col = self.address_names[hsa_id]
            self.diags.warning(
                where,
                codes.ADDRESS_NAME_DIFFERS,
                f"address {hsa_id} is named {name!r} here but {first_name!r} at {path}:{line}:{col}",
            )
        if (name and not known.name) or (kind and not known.kind) or (vg and not known.vg):
            self.addresses[hsa_id] = Address(hsa_id, known.name or name, known.kind or kind, known.vg or vg)
            if name and not known.name:
                self.address_names[hsa_id] = (name, where.path, where.line, where.col)

    def _address_spec(self, node: Node, what: str) -> str | None:
        """A bare HSA-id or ``{hsa_id, name, kind, vg}`` node: check, note the address, return the id."""
        if node.kind == "map":
            hsa = self._hsa(node.get("hsa_id"), what)
            if hsa is None:
                return None
            name_node, kind_node, vg_node = node.get("name"), node.get("kind"), node.get("vg")
            vg = self._hsa(vg_node, "vg")
            name = name_node.str_value() if name_node is not None else None
            kind = kind_node.str_value() if kind_node is not None else None
            self._note_address(hsa, name, kind if kind in ("VG", "VE") else None, vg, loc_of(node))
            return hsa
        hsa = self._hsa(node, what)
        if hsa is not None:
            self._note_address(hsa, None, None, None, loc_of(node))
        return hsa

    # ----------------------------------------------------------------------------------- organisation.yaml

    def organisation(self, org: OrgInput) -> dict[str, tuple[str, ...]]:
        """Check organisation.yaml; register its systems and addresses; return its address sets (ids)."""
        root = org.organisation
        sets: dict[str, tuple[str, ...]] = {}
        if root is None or root.kind != "map":
            # Without a readable organisation.yaml, references to its systems and sets are not checked
            # (that would repeat one problem at every use).
            self._broken.add(org.key)
        if root is None:
            if not org.organisation_present:
                self.diags.error(
                    (org.folder, 0, 0),
                    codes.MISSING_ORGANISATION_FILE,
                    f"organisation folder {org.key!r} has no {ORGANISATION_FILE}",
                )
            return sets
        check_shape(root, OrganisationFile, self.diags)
        if root.kind != "map":
            return sets
        env_names = sorted(self.config.environments)
        org_name = self.registry.organisations[org.key].name if org.key in self.registry.organisations else org.key
        for item in _seq(root.get("systems")):
            hsa_node = item.get("hsa_id")
            hsa = self._hsa(hsa_node, "system")
            if hsa is None or hsa_node is None:
                continue
            written = hsa_node.value
            owner = self.owners.get(hsa)
            if owner != org.key:
                other = f" (it is owned by {owner!r})" if owner else ""
                self.diags.error(
                    hsa_node,
                    codes.NOT_OWNED,
                    f"system {written} is not owned by organisation {org.key!r} in ownership.yaml{other}",
                )
            name_node = item.get("name")
            name = (name_node.str_value() if name_node is not None else None) or ""
            self.system_spellings.append((written, name, hsa_node, org.key))
            envs: set[str] = set()
            for env_node in _seq(item.get("environments")):
                env = env_node.str_value()
                if env is None:
                    continue
                if env not in self.config.environments:
                    self.diags.error(
                        env_node,
                        codes.UNKNOWN_ENVIRONMENT,
                        f"environment {env!r} is not configured in tak-gitops.yaml{did_you_mean(env, env_names)}",
                    )
                envs.add(env)
            if hsa in self.systems:
                first = self.system_nodes[hsa]
                if first.value == written:
                    self.diags.error(
                        hsa_node,
                        codes.DUPLICATE_SYSTEM,
                        f"system {written} is already described at {loc_of(first)}",
                    )
                continue
            description_node = item.get("description")
            description = description_node.str_value() if description_node is not None else None
            contacts = item.get("contacts")
            self.systems[hsa] = System(
                hsa_id=hsa,
                name=name,
                org=org.key,
                description=description or f"{org_name} -- {name}",
                environments=frozenset(envs),
                main_responsible=_contact(contacts.get("main_responsible") if contacts else None),
                technical_contact=_contact(contacts.get("technical") if contacts else None),
                support=_contact(contacts.get("support") if contacts else None),
            )
            self.system_nodes[hsa] = hsa_node

        sets_node = root.get("address_sets")
        for set_name, _key_node, set_node in sets_node.items() if sets_node is not None else ():
            sets[set_name] = self._address_set(org, set_node)
        return sets

    def _address_set(self, org: OrgInput, node: Node) -> tuple[str, ...]:
        ids: dict[str, None] = {}
        csv_node = node.get("csv")
        if csv_node is not None and csv_node.str_value() is not None:
            path = csv_node.value
            problem = _csv_path_problem(path)
            if problem is not None:
                self.diags.error(csv_node, codes.BAD_CSV_PATH, problem)
                return ()
            parsed = org.csv_sets.get(path)
            if parsed is None:
                return ()
            fast = self._plain_csv_set(parsed)
            if fast is not None:
                return fast
            shown = parsed.path
            addresses = self.addresses
            for hsa_id, name, kind, vg_written, line, col_vg in parsed.rows:
                if match_hsa_id(hsa_id) is None:
                    problem = hsa_id_problem(hsa_id)
                    if problem is not None:
                        self.diags.error(Location(shown, line, 1), codes.BAD_HSA_ID, problem)
                        continue
                hsa = _intern(hsa_id.upper())
                vg = None
                if vg_written:
                    vg_problem = hsa_id_problem(vg_written)
                    if vg_problem is not None:
                        self.diags.error(Location(shown, line, col_vg), codes.BAD_HSA_ID, f"vg: {vg_problem}")
                    else:
                        vg = _intern(vg_written.upper())
                if hsa in ids:
                    self.diags.warning(
                        Location(shown, line, 1), codes.LISTED_TWICE, f"address {hsa} is listed twice in this set"
                    )
                    continue
                ids[hsa] = None
                known = addresses.get(hsa)
                if (
                    known is None
                    or (name and name != known.name)
                    or (kind and not known.kind)
                    or (vg and not known.vg)
                ):
                    self._note_address(hsa, name, kind, vg, Location(shown, line, 1))
            return tuple(ids)
        for item in _seq(node.get("addresses")):
            member = self._address_spec(item, "address")
            if member is None:
                continue
            if member in ids:
                self.diags.warning(item, codes.LISTED_TWICE, f"address {member} is listed twice in this set")
                continue
            ids[member] = None
        return tuple(ids)

    def _plain_csv_set(self, parsed: CsvSet) -> tuple[str, ...] | None:
        """The ids of a CSV set whose HSA-ids are all well formed and distinct and that names no care giver
        (``vg``), checked a column at a time; None for any other set (checked row by row, with diagnostics).

        Noting the addresses is what :meth:`_note_address` does row by row, in bulk where it can be: when every
        address is new, and when every one is known by these names already (and the set gives no kind), there
        is nothing to compare row by row. A name or kind, once known, never changes, so rows noted that way
        note nothing when they come again."""
        if not parsed.rows:
            return None
        written, names, kinds, vgs, lines, _cols = zip(*parsed.rows, strict=True)
        if any(vgs):
            return None
        joined = "\n".join(written)
        noted = self._noted_columns.get(joined)
        if noted is not None and noted[1] == names and noted[2] == kinds:
            return noted[0]
        if _HSA_COLUMN_RE.fullmatch(joined) is None:
            return None
        hsa_ids = list(map(_intern, joined.upper().split("\n")))
        unique = dict.fromkeys(hsa_ids)
        if len(unique) != len(hsa_ids) or len(hsa_ids) != len(written):  # listed twice, or a quoted line break
            return None
        ids = tuple(unique)
        addresses, shown = self.addresses, parsed.path
        present = list(map(addresses.__contains__, hsa_ids))
        if not any(present):
            addresses.update(zip(hsa_ids, map(Address, hsa_ids, names, kinds), strict=True))
            where = zip(names, repeat(shown), lines, repeat(1))
            self.address_names.update(compress(zip(hsa_ids, where, strict=True), names))
            self._noted_columns[joined] = (ids, names, kinds)
            return ids
        if all(present) and not any(kinds) and list(map(_name_of, map(addresses.__getitem__, hsa_ids))) == list(names):
            self._noted_columns[joined] = (ids, names, kinds)
            return ids
        for hsa, name, kind, line in zip(hsa_ids, names, kinds, lines, strict=True):
            known = addresses.get(hsa)
            if known is None or (name and name != known.name) or (kind and not known.kind):
                self._note_address(hsa, name, kind, None, Location(shown, line, 1))
        return ids

    # --------------------------------------------------------------------------------------- <ENV>.yaml

    def _system_ref(self, node: Node | None, org: str, env: str, role: str) -> str | None:
        """A producer/consumer/grant-producer reference: syntax, ownership, declared, enabled."""
        hsa = self._hsa(node, role)
        if hsa is None or node is None:
            return None
        owner = self.owners.get(hsa)
        if owner != org:
            other = f" (it is owned by {owner!r})" if owner else ""
            self.diags.error(node, codes.NOT_OWNED, f"{role} {node.value} is not owned by organisation {org!r}{other}")
            return hsa
        system = self.systems.get(hsa)
        if org in self._broken:
            return hsa
        if system is None or system.org != org:
            self.diags.error(
                node, codes.UNDECLARED_SYSTEM, f"{role} {node.value} is not described in {ORGANISATION_FILE}"
            )
        elif env not in system.environments:
            self.diags.error(
                node,
                codes.NOT_ENABLED,
                f"system {node.value} is not enabled for {env} (add it to the system's environments)",
            )
        return hsa

    def _entries(
        self, seq: Node | None, sets: Mapping[str, tuple[str, ...]], *, wildcard: bool
    ) -> list[tuple[tuple[str, ...], Location, int]]:
        """Expand an address list: ``(ids, location of the entry, entry number)`` per entry."""
        out: list[tuple[tuple[str, ...], Location, int]] = []
        for item in seq.seq() if seq is not None else ():
            if item.kind == "map" and "set" in item.value:
                set_node = item.get("set")
                name = set_node.str_value() if set_node is not None else None
                if name is None or set_node is None:
                    continue
                if name not in sets:
                    if self._quiet:
                        continue
                    self.diags.error(
                        set_node,
                        codes.UNKNOWN_SET,
                        f"address set {name!r} is not defined in {ORGANISATION_FILE}{did_you_mean(name, sets)}",
                    )
                    continue
                out.append((sets[name], loc_of(item), self._next_entry()))
                continue
            if item.kind == "scalar" and item.value == WILDCARD and wildcard:
                out.append(((WILDCARD,), loc_of(item), self._next_entry()))
                continue
            hsa = self._address_spec(item, "address")
            if hsa is not None:
                out.append(((hsa,), loc_of(item), self._next_entry()))
        return out

    def environment(self, org: OrgInput, env: str, path: str, root: Node, sets: Mapping[str, tuple[str, ...]]) -> None:
        model = check_shape(root, EnvironmentFile, self.diags)
        build = self.envs[env]
        self._quiet = org.key in self._broken
        env_config = self.config.environments[env]
        profiles = self.config.profiles_for(env)
        if root.kind != "map":
            return
        comment_node = root.get("comment")
        comment = comment_node.str_value() if comment_node is not None else None
        if comment is not None and comment_node is not None and len(comment.strip()) > COMMENT_LIMIT:
            self.diags.warning(
                comment_node,
                codes.COMMENT_TOO_LONG,
                f"comment is {len(comment.strip())} characters long; TAK keeps only the first {COMMENT_LIMIT}",
            )

        # producers: routings
        # (producer, contract) -> the address lists it routes here; their union is made only for a grant
        produced: dict[tuple[str, str], list[tuple[str, ...]]] = {}
        for producer in _seq(root.get("producers")):
            system = self._system_ref(producer.get("system"), org.key, env, "producer")
            for item in _seq(producer.get("contracts")):
                contract = self._contract(item.get("contract"))
                profile_node, url_node = item.get("profile"), item.get("url")
                profile = profile_node.str_value() if profile_node is not None else None
                url = url_node.str_value() if url_node is not None else None
                if profile is not None and profile_node is not None and profile not in profiles:
                    self.diags.error(
                        profile_node,
                        codes.UNKNOWN_PROFILE,
                        f"RIV-TA profile {profile!r} is not known in {env}{did_you_mean(profile, profiles)}",
                    )
                if url is not None and url_node is not None:
                    url_issue = url_problem(url, allow_http=env_config.allow_http)
                    if url_issue is not None:
                        kind, message = url_issue
                        self.diags.error(url_node, codes.HTTP_NOT_ALLOWED if kind == "http" else codes.BAD_URL, message)
                # `*` is the default routing: VP falls back to it when nothing nearer matches.
                entries = self._entries(item.get("addresses"), sets, wildcard=True)
                if system is None or contract is None or profile is None or url is None:
                    continue
                value: RoutingValue = (system, url, profile)
                routed = produced.setdefault((system, contract), [])
                routings, routing_orgs, locations = build.routings, build.routing_orgs, build.locations
                for ids, where, _entry in entries:
                    routed.append(ids)
                    # An entry is expanded once, for one contract, so a key declared already comes from another
                    # entry (the dict keeps each key of this entry once, as the set it may come from does).
                    keys: dict[RoutingKey, None] = dict.fromkeys(zip(ids, repeat(contract)))
                    if _none_known(routings, keys):  # the usual case: insert a column at a time
                        routings.update(dict.fromkeys(keys, value))
                        routing_orgs.update(dict.fromkeys(keys, org.key))
                        locations.update(dict.fromkeys(keys, where))
                        continue
                    for key in keys:
                        if key not in routings:
                            routings[key] = value
                            routing_orgs[key] = org.key
                            locations[key] = where
                        else:
                            build.extra.setdefault(key, []).append(_RoutingDecl(value, org.key, where))

        # consumers: authorizations
        for consumer in _seq(root.get("consumers")):
            system = self._system_ref(consumer.get("system"), org.key, env, "consumer")
            for item in _seq(consumer.get("authorizations")):
                contracts = [c for c in (self._contract(n) for n in _seq(item.get("contracts"))) if c]
                entries = self._entries(item.get("addresses"), sets, wildcard=True)
                if system is None:
                    continue
                # _authorize, inlined: a consumer's lists are where the hundreds of thousands of keys come from
                auth_orgs, auth_locations, org_key = build.authorization_orgs, build.locations, org.key
                own = self._org_sets.setdefault(org_key, frozenset({org_key}))
                for ids, where, _entry in entries:
                    auth_keys: list[AuthorizationKey] = list(product((system,), ids, contracts))
                    if _none_known(auth_orgs, auth_keys):  # the usual case: insert a column at a time
                        auth_orgs.update(zip(auth_keys, repeat(own)))
                        auth_locations.update(zip(auth_keys, repeat(where)))
                        continue
                    for auth_key in auth_keys:
                        orgs = auth_orgs.get(auth_key)
                        if orgs is None:
                            auth_orgs[auth_key] = own
                            auth_locations[auth_key] = where
                        elif org_key not in orgs:
                            auth_orgs[auth_key] = orgs | {org_key}

        # grants: authorizations for other organisations' consumers on own addresses
        for grant_node in _seq(root.get("grants")):
            self._grant(grant_node, org, env, sets, produced, build)

        takeovers: set[RoutingKey] = set()
        for item in _seq(root.get("takeover")):
            taken = self._hsa(item.get("address"), "takeover address")
            taken_contract = self._contract(item.get("contract"))
            if taken is not None and taken_contract is not None:
                takeovers.add((taken, taken_contract))
        cascades: set[str] = set()
        removals: int | None = None
        acknowledge = root.get("acknowledge")
        if acknowledge is not None and acknowledge.kind == "map":
            for item in _seq(acknowledge.get("cascades")):
                hsa = self._hsa(item, "acknowledged cascade")
                if hsa is not None:
                    cascades.add(hsa)
        change_date: dt.date | None = None
        if model is not None:
            change_date = model.change_date
            removals = model.acknowledge.removals if model.acknowledge else None
        build.orgs[org.key] = OrgEnvironment(
            org=org.key,
            env=env,
            path=path,
            comment=comment.strip() if comment is not None else None,
            change_date=change_date,
            acknowledged_cascades=frozenset(cascades),
            acknowledged_removals=removals,
            takeovers=frozenset(takeovers),
        )

    def _authorize(self, key: AuthorizationKey, org: str, where: Location, build: _EnvBuild) -> None:
        orgs = build.authorization_orgs.get(key)
        if orgs is None:
            build.authorization_orgs[key] = self._org_sets.setdefault(org, frozenset({org}))
            build.locations[key] = where
        elif org not in orgs:
            build.authorization_orgs[key] = orgs | {org}

    def _grant(
        self,
        node: Node,
        org: OrgInput,
        env: str,
        sets: Mapping[str, tuple[str, ...]],
        produced: Mapping[tuple[str, str], list[tuple[str, ...]]],
        build: _EnvBuild,
    ) -> None:
        producer_node = node.get("producer")
        producer = self._hsa(producer_node, "grant producer")
        if producer is not None and producer_node is not None:
            owner = self.owners.get(producer)
            if owner != org.key:
                other = f" (it is owned by {owner!r})" if owner else ""
                self.diags.error(
                    producer_node,
                    codes.NOT_OWNED,
                    f"grant producer {producer_node.value} is not owned by organisation {org.key!r}{other}",
                )
                producer = None
            elif not any(p == producer for p, _c in produced):
                self.diags.error(
                    producer_node,
                    codes.GRANT_NOT_ROUTED,
                    f"grant producer {producer_node.value} is not a producer in this file",
                )
                producer = None
        contracts: list[tuple[str, Node]] = []
        for contract_node in _seq(node.get("contracts")):
            contract = self._contract(contract_node)
            if contract is None:
                continue
            if producer is not None and (producer, contract) not in produced:
                self.diags.error(
                    contract_node,
                    codes.GRANT_NOT_ROUTED,
                    f"producer {producer} does not serve {contract} in this file",
                )
                continue
            contracts.append((contract, contract_node))
        consumers = [c for c in (self._hsa(n, "grant consumer") for n in _seq(node.get("consumers"))) if c]
        addresses_node = node.get("addresses")
        entries = self._entries(addresses_node, sets, wildcard=False) if addresses_node is not None else None
        manage_node = node.get("manage")
        manage = bool(manage_node is not None and manage_node.value is True)
        if producer is None:
            return
        where = loc_of(node)
        for contract, _contract_node in contracts:
            routed = set().union(*produced[(producer, contract)])
            if entries is None:
                granted = frozenset(routed)
                located = [(la, where) for la in sorted(routed)]
            else:
                located = []
                for ids, entry_where, _entry in entries:
                    for la in ids:
                        if la not in routed:
                            self.diags.error(
                                entry_where,
                                codes.GRANT_NOT_ROUTED,
                                f"address {la} is not routed to producer {producer} for {contract} in this file",
                            )
                            continue
                        located.append((la, entry_where))
                granted = frozenset(la for la, _w in located)
            build.grants.append(
                Grant(
                    org=org.key,
                    producer=producer,
                    contract=contract,
                    consumers=frozenset(consumers),
                    addresses=granted,
                    manage=manage,
                    location=where,
                )
            )
            for la, la_where in located:
                for consumer in consumers:
                    self._authorize((consumer, la, contract), org.key, la_where, build)

    # -------------------------------------------------------------------------------------- cross-file

    def conflicts(self) -> None:
        for build in self.envs.values():
            for key in sorted(build.extra):
                first_decl = _RoutingDecl(build.routings[key], build.routing_orgs[key], build.locations[key])
                decls = [first_decl, *build.extra[key]]
                la, contract = key
                values = {d.value for d in decls}
                if len(values) > 1:
                    for decl in decls:
                        other = next(d for d in decls if d.value != decl.value)
                        producer, url, profile = other.value
                        self.diags.error(
                            decl.location,
                            codes.ROUTING_CONFLICT,
                            f"routing ({la}, {contract}) is also declared at {other.location} with producer "
                            f"{producer}, url {url}, profile {profile}",
                        )
                else:
                    first = decls[0]
                    for decl in decls[1:]:
                        self.diags.warning(
                            decl.location,
                            codes.REPEATED_DECLARATION,
                            f"routing ({la}, {contract}) is already declared at {first.location}",
                        )

    def near_duplicates(self) -> None:
        by_id: dict[str, list[tuple[str, str, Node, str]]] = {}
        by_name: dict[str, list[tuple[str, str, Node, str]]] = {}
        for entry in self.system_spellings:
            written, name, _node, _org = entry
            by_id.setdefault(written.upper(), []).append(entry)
            if name:
                by_name.setdefault(normalize_name(name), []).append(entry)
        for members in by_id.values():
            first = members[0]
            for written, _name, node, _org in members[1:]:
                if written != first[0]:
                    self.diags.warning(
                        node,
                        codes.NEAR_DUPLICATE_ID,
                        f"system {written} differs only in letter case from {first[0]} at {loc_of(first[2])}; "
                        "TAK treats them as the same system",
                    )
        for members in by_name.values():
            first = members[0]
            for written, name, node, _org in members[1:]:
                if name != first[1] and written.upper() != first[0].upper():
                    self.diags.warning(
                        node,
                        codes.NEAR_DUPLICATE_NAME,
                        f"system {written} is named {name!r}, which differs only in case or spacing from "
                        f"{first[1]!r} ({first[0]} at {loc_of(first[2])})",
                    )

    def state(self) -> DesiredState:
        organisations = {
            key: Organisation(key=key, name=o.name, number=o.number, team=o.team)
            for key, o in sorted(self.registry.organisations.items())
        }
        environments = {
            name: EnvironmentState(
                env=name,
                routings=b.routings,
                routing_orgs=b.routing_orgs,
                authorization_orgs=b.authorization_orgs,
                grants=tuple(sorted(b.grants, key=_grant_key)),
                orgs=dict(sorted(b.orgs.items())),
                locations=b.locations,
            )
            for name, b in self.envs.items()
        }
        return DesiredState(
            organisations=organisations,
            owners=dict(sorted(self.owners.items())),
            systems=dict(sorted(self.systems.items())),
            addresses=dict(sorted(self.addresses.items())),
            environments=environments,
        )


def _none_known(known: Mapping[Any, Any], keys: Iterable[Any]) -> bool:
    """True when no key of ``keys`` is in ``known``: the keys may then be inserted a column at a time (what the
    key-by-key loop that follows each use would do with them, in the same order)."""
    return known.keys().isdisjoint(keys)


def _grant_key(g: Grant) -> tuple[str, str, str, tuple[str, ...], tuple[str, ...], bool]:
    return (g.org, g.producer, g.contract, tuple(sorted(g.consumers)), tuple(sorted(g.addresses)), g.manage)


def _seq(node: Node | None) -> tuple[Node, ...]:
    return node.seq() if node is not None else ()


def _contact(node: Node | None) -> Contact | None:
    if node is None or node.kind != "map":
        return None

    def text(key: str) -> str | None:
        value = node.get(key)
        return value.str_value() if value is not None else None

    return Contact(name=text("name"), email=text("email"), phone=text("phone"))


def check_registry(root: Node, diags: Diagnostics) -> None:
    """Value rules of ``ownership.yaml`` beyond its shape: system HSA-ids are well formed and each system has
    exactly one owner (compared case-insensitively, as TAK does)."""
    seen: dict[str, tuple[str, Node]] = {}
    organisations = root.get("organisations")
    for org, _key_node, org_node in organisations.items() if organisations is not None else ():
        for system in _seq(org_node.get("systems")):
            value = system.str_value()
            if value is None:
                continue
            problem = hsa_id_problem(value)
            if problem is not None:
                diags.error(system, codes.BAD_HSA_ID, f"system: {problem}")
                continue
            first = seen.get(value.upper())
            if first is None:
                seen[value.upper()] = (org, system)
            elif first[0] != org:
                diags.error(
                    system,
                    codes.DUPLICATE_SYSTEM,
                    f"system {value} is already owned by {first[0]!r} at {loc_of(first[1])}; a system has one owner",
                )


def validate_desired(
    config: ProjectConfig,
    registry: OwnershipRegistry,
    orgs: Sequence[OrgInput],
) -> tuple[DesiredState, tuple[Diagnostic, ...]]:
    """Validate every organisation folder and resolve the desired state.

    Returns the state (complete only where the files are valid) and every diagnostic, sorted. The state must
    not be planned from when any diagnostic is an error.
    """
    v = _Validator(config, registry)
    env_names = sorted(config.environments)
    org_keys = sorted(registry.organisations)
    parsed: list[tuple[OrgInput, dict[str, tuple[str, ...]]]] = []
    for org in sorted(orgs, key=lambda o: o.key):
        for path in org.extra_files:
            v.diags.error(
                (path, 0, 0),
                codes.UNEXPECTED_FILE,
                "unexpected file: an organisation folder holds organisation.yaml, <ENV>.yaml and CSV address sets",
            )
        if org.key not in registry.organisations:
            v.diags.error(
                (org.folder, 0, 0),
                codes.UNKNOWN_ORGANISATION,
                f"folder {org.key!r} is not an organisation in ownership.yaml{did_you_mean(org.key, org_keys)}",
            )
            continue
        parsed.append((org, v.organisation(org)))
    for org, sets in parsed:
        for env, (path, root) in sorted(org.environments.items()):
            if env not in config.environments:
                v.diags.error(
                    (path, 1, 1),
                    codes.UNKNOWN_ENVIRONMENT,
                    f"environment {env!r} (from the file name) is not configured in tak-gitops.yaml"
                    f"{did_you_mean(env, env_names)}",
                )
                continue
            if root is not None:
                v.environment(org, env, path, root, sets)
    v.conflicts()
    v.near_duplicates()
    return v.state(), v.diags.items


__all__ = [
    "CsvRow",
    "CsvSet",
    "Diagnostics",
    "OrgInput",
    "check_registry",
    "check_shape",
    "csv_references",
    "has_errors",
    "validate_desired",
]
