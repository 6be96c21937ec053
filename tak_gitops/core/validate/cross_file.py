"""Cross-file rules: one routing declared differently in two places, and systems whose HSA-ids or names
differ only in case or spacing."""

from __future__ import annotations

from tak_gitops.core import codes
from tak_gitops.core.nodes import Node
from tak_gitops.core.rules import normalize_name
from tak_gitops.core.validate.diagnostics import loc_of
from tak_gitops.core.validate.environment import EnvironmentRules
from tak_gitops.core.validate.state import RoutingDecl


class CrossFileRules(EnvironmentRules):
    """Rules over every folder read, run once all are."""

    def conflicts(self) -> None:
        for build in self.envs.values():
            for key in sorted(build.extra):
                first_decl = RoutingDecl(build.routings[key], build.routing_orgs[key], build.locations[key])
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
