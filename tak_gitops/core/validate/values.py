"""Value rules of single fields (HSA-ids, contracts, ownership, CSV paths) and of ``ownership.yaml``."""

from __future__ import annotations

import posixpath

from tak_gitops.core import codes
from tak_gitops.core.nodes import Node
from tak_gitops.core.rules import WILDCARD, contract_problem, hsa_id_problem, org_key_problem
from tak_gitops.core.validate.diagnostics import Diagnostics, loc_of
from tak_gitops.core.validate.inputs import seq
from tak_gitops.core.validate.state import ValidatorState


class ValueRules(ValidatorState):
    """Checks of one value node each, reported where the value is written."""

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

    def _owned(self, hsa: str, node: Node, what: str, org: str, where: str = "") -> bool:
        """True when ``org`` owns system ``hsa``; otherwise report it at ``node`` (``what`` names the role)."""
        owner = self.owners.get(hsa)
        if owner == org:
            return True
        other = f" (it is owned by {owner!r})" if owner else ""
        self.diags.error(
            node, codes.NOT_OWNED, f"{what} {node.value} is not owned by organisation {org!r}{where}{other}"
        )
        return False


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
        if path is not None and csv_path_problem(path) is None:
            out.append((path, csv_node))
    return out


def csv_path_problem(path: str) -> str | None:
    """Why a CSV path as written in organisation.yaml may not be read (None when it may)."""
    if not path.strip():
        return "csv path must not be empty"
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return f"csv path {path!r} must be relative to the organisation folder"
    normal = posixpath.normpath(path.replace("\\", "/"))
    if normal == ".." or normal.startswith("../"):
        return f"csv path {path!r} leaves the organisation folder"
    return None


def check_registry(root: Node, diags: Diagnostics) -> None:
    """Value rules of ``ownership.yaml`` beyond its shape: organisation keys follow the one key rule, system
    HSA-ids are well formed and each system has exactly one owner (compared case-insensitively, as TAK does)."""
    seen: dict[str, tuple[str, Node]] = {}
    organisations = root.get("organisations")
    for org, key_node, org_node in organisations.items() if organisations is not None else ():
        key_problem = org_key_problem(org)
        if key_problem is not None:
            diags.error(key_node, codes.BAD_VALUE, key_problem)
        for system in seq(org_node.get("systems")):
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
