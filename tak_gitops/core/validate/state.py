"""What the validator builds while it reads the folders: per-environment routings, authorizations and grants,
and the systems and addresses met so far."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tak_gitops.core.config import OwnershipRegistry, ProjectConfig
from tak_gitops.core.desired import Address, Grant, Location, OrgEnvironment, System
from tak_gitops.core.nodes import Node
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, RoutingValue
from tak_gitops.core.validate.diagnostics import Diagnostics


@dataclass(slots=True)
class RoutingDecl:
    """One more declaration of a routing key already declared (for the conflict check)."""

    value: RoutingValue
    org: str
    location: Location


@dataclass
class EnvBuild:
    """The routings, authorizations and grants of one environment, as resolved so far."""

    env: str
    routings: dict[RoutingKey, RoutingValue] = field(default_factory=dict)
    routing_orgs: dict[RoutingKey, str] = field(default_factory=dict)
    extra: dict[RoutingKey, list[RoutingDecl]] = field(default_factory=dict)
    authorization_orgs: dict[AuthorizationKey, frozenset[str]] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    orgs: dict[str, OrgEnvironment] = field(default_factory=dict)
    locations: dict[tuple[str, ...], Location] = field(default_factory=dict)


class ValidatorState:
    """The state every rule family of the validator reads and extends."""

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
        self.envs = {name: EnvBuild(name) for name in sorted(config.environments)}
        self._entry_counter = 0
        self._org_sets: dict[str, frozenset[str]] = {}
        self._broken: set[str] = set()
        self._quiet = False
        self._noted_columns: dict[str, tuple[tuple[str, ...], tuple[str | None, ...], tuple[str | None, ...]]] = {}
        """HSA-id column of a plain CSV set (as written, one a line) -> ``(ids, names, kinds)`` of a set with that
        column whose every address was known by those names and kinds once it was noted: the same rows met again
        (an organisation's address list copied into a partner's folder) note nothing new."""

    def _next_entry(self) -> int:
        self._entry_counter += 1
        return self._entry_counter


def none_known(known: Mapping[Any, Any], keys: Iterable[Any]) -> bool:
    """True when no key of ``keys`` is in ``known``: the keys may then be inserted a column at a time (what the
    key-by-key loop that follows each use would do with them, in the same order)."""
    return known.keys().isdisjoint(keys)
