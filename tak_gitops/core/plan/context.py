"""What every planning step reads: the inputs of one plan, the organisations it plans, and its findings so far.

:class:`PlanContext` is built once by the planner and handed to each step (diff, new objects, cascades,
warnings, manual steps, guards); the steps append to its ``warnings`` and ``errors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tak_gitops.core.config import EnvironmentConfig
from tak_gitops.core.desired import DesiredState, EnvironmentState
from tak_gitops.core.hsa import HsaTree
from tak_gitops.core.plan.model import Finding
from tak_gitops.core.plan.scope import Scope
from tak_gitops.core.snapshot import Snapshot


@dataclass(frozen=True)
class Acknowledgements:
    """Acknowledgements given on the command line; merged with those in the desired files.

    ``cascades``: addresses whose cascade is accepted; ``removals``: organisation -> exact number of removals
    accepted over the guard; ``allow_empty_snapshot``: plan against a snapshot without rows.
    """

    cascades: frozenset[str] = frozenset()
    removals: Mapping[str, int] = field(default_factory=dict)
    allow_empty_snapshot: bool = False


@dataclass
class PlanContext:
    """The inputs of one plan and the findings collected while planning it.

    ``planning`` are the organisations planned; ``planning_systems`` the systems they own.
    """

    desired: DesiredState
    snapshot: Snapshot
    env: str
    envcfg: EnvironmentConfig
    state: EnvironmentState
    scope: Scope
    planning: frozenset[str]
    hsa: HsaTree | None
    acks: Acknowledgements
    warnings: list[Finding] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    planning_systems: frozenset[str] = field(init=False)
    _row_index: dict[str, set[str]] = field(default_factory=dict, init=False)
    _lookup_cache: dict[str, bool] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.planning_systems = frozenset(s for s, o in self.desired.owners.items() if o in self.planning)

    @property
    def owners(self) -> Mapping[str, str]:
        """System -> owning organisation (the ownership registry)."""
        return self.desired.owners

    def rows_mention(self, kind: str) -> set[str]:
        """The contracts, addresses or systems (``kind``) that current rows use: they exist without a description."""
        index = self._row_index
        if kind not in index:
            s_r = self.snapshot.routings
            a_rows = self.snapshot.authorization_rows
            if kind == "contracts":
                index[kind] = {ns for (_la, ns) in s_r} | {ns for (_c, _la, ns) in a_rows}
            elif kind == "addresses":
                index[kind] = {la for (la, _ns) in s_r} | {la for (_c, la, _ns) in a_rows}
            else:
                index[kind] = {v[0] for v in s_r.values()} | {c for (c, _la, _ns) in a_rows}
        return index[kind]

    def hsa_lookup(self, ns: str) -> bool:
        """True when the platform resolves addresses of contract ``ns`` through the HSA tree."""
        found = self._lookup_cache.get(ns)
        if found is None:
            found = self._lookup_cache[ns] = not any(ns.startswith(p) for p in self.envcfg.hsa_lookup_disabled)
        return found

    def name_of(self, la: str) -> str | None:
        """A readable name: the HSA unit's, else the TAK description, else the desired name."""
        found = (self.hsa.names.get(la) if self.hsa is not None else None) or self.snapshot.logical_addresses.get(la)
        if found:
            return found
        addr = self.desired.addresses.get(la)
        return addr.name if addr is not None else None

    def acknowledged_cascade(self, org: str, la: str) -> bool:
        """True when the cascade on ``la`` is acknowledged on the command line or in ``org``'s desired file."""
        oe = self.state.orgs.get(org)
        return la in self.acks.cascades or (oe is not None and la in oe.acknowledged_cascades)
