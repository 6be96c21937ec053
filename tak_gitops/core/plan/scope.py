"""Scope: which rows an organisation manages, which desired rows are legitimate, and what grants expand to.

* A routing belongs to the organisation that owns its producer; an authorization to the one that owns its
  consumer. Rows of systems nobody owns belong to nobody and are never touched.
* A grant adds authorizations for any consumer on the granting organisation's own addresses (addresses one of
  its producers routes for the contract). With ``manage`` it also makes the organisation the manager of every
  authorization on those (address, contract) pairs.
* A desired row declared by an organisation for a system it does not own is refused (``FOREIGN_SYSTEM``), and
  so is a grant on an address another organisation routes (``GRANT_FOREIGN_ADDRESS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import repeat
from operator import eq, itemgetter

from tak_gitops.core.desired import EnvironmentState, Grant
from tak_gitops.core.plan.model import Finding
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, RoutingValue, Snapshot

_NOBODY = object()
"""Stands for "not one organisation's own declaration": equal to no owner, None included."""


@dataclass
class Scope:
    """The resolved scope of one plan.

    ``desired_routings`` and ``desired_auths`` are the legitimate desired rows of every organisation with a file
    for the environment (the declaring organisations per row). ``grant_of`` names, for an authorization some
    planning organisation grants, that organisation and the granting producer. ``managed`` maps
    ``(address, contract)`` to the planning organisation and producer that manage its authorizations.
    """

    owners: Mapping[str, str]
    planning: frozenset[str]
    desired_routings: dict[RoutingKey, RoutingValue] = field(default_factory=dict)
    routing_org: dict[RoutingKey, str] = field(default_factory=dict)
    desired_auths: dict[AuthorizationKey, frozenset[str]] = field(default_factory=dict)
    grant_of: dict[AuthorizationKey, tuple[str, str]] = field(default_factory=dict)
    managed: dict[RoutingKey, tuple[str, str]] = field(default_factory=dict)
    errors: list[Finding] = field(default_factory=list)


def build_scope(
    state: EnvironmentState, owners: Mapping[str, str], planning: frozenset[str], snapshot: Snapshot
) -> Scope:
    """Validate the desired rows against ownership and expand grants. Errors are kept for planning orgs only."""
    scope = Scope(owners=owners, planning=planning)
    managed_orgs = frozenset(state.orgs)
    locations = state.locations

    # Routings: the declaring organisation must own the producer. When every row passes (the common case, checked
    # a column at a time), the rows are copied whole.
    routing_orgs = state.routing_orgs
    declared_by = list(map(routing_orgs.get, state.routings))
    if managed_orgs.issuperset(declared_by) and all(
        map(eq, map(owners.get, map(itemgetter(0), state.routings.values())), declared_by)
    ):
        scope.desired_routings = dict(state.routings)
        scope.routing_org = dict(zip(state.routings, declared_by, strict=True))  # type: ignore[arg-type]
    else:
        _check_routings(scope, state, owners, planning, managed_orgs)
    by_producer_contract: dict[tuple[str, str], list[str]] = {}
    if state.grants:
        wanted_pairs = {(g.producer, g.contract) for g in state.grants}
        for key, value in scope.desired_routings.items():
            if (value[0], key[1]) in wanted_pairs:
                by_producer_contract.setdefault((value[0], key[1]), []).append(key[0])

    current_routed: dict[tuple[str, str], list[str]] | None = None

    def currently_routed(producer: str, contract: str) -> list[str]:
        nonlocal current_routed
        if current_routed is None:
            wanted = {(g.producer, g.contract) for g in state.grants}
            current_routed = {}
            for (la, ns), (p, _u, _pr) in snapshot.routings.items():
                if (p, ns) in wanted:
                    current_routed.setdefault((p, ns), []).append(la)
        return current_routed.get((producer, contract), [])

    def own_address(org: str, la: str, contract: str) -> bool:
        d = scope.desired_routings.get((la, contract))
        if d is not None and owners.get(d[0]) == org:
            return True
        c = snapshot.routings.get((la, contract))
        return c is not None and owners.get(c[0]) == org

    # Grants: the granting organisation must own the producer and the addresses.
    granted: dict[AuthorizationKey, set[str]] = {}
    for g in sorted(state.grants, key=_grant_key):
        if g.org not in managed_orgs:
            continue
        if owners.get(g.producer) != g.org:
            if g.org in planning:
                scope.errors.append(
                    Finding.at(
                        "FOREIGN_SYSTEM",
                        f"grant names producer {g.producer}, which {g.org!r} does not own; no order is made for it",
                        g.org,
                        g.location,
                    )
                )
            continue
        if g.addresses:
            addresses = []
            for la in sorted(g.addresses):
                if own_address(g.org, la, g.contract):
                    addresses.append(la)
                elif g.org in planning:
                    scope.errors.append(
                        Finding.at(
                            "GRANT_FOREIGN_ADDRESS",
                            f"grant on {la} for {g.contract}: {g.org!r} routes no such address for that contract, "
                            "so it cannot grant or manage authorizations on it; no order is made for it",
                            g.org,
                            g.location,
                        )
                    )
        else:
            addresses = sorted(by_producer_contract.get((g.producer, g.contract), ()))
        for la in addresses:
            for consumer in g.consumers:
                akey = (consumer, la, g.contract)
                granted.setdefault(akey, set()).add(g.org)
                if g.org in planning and akey not in scope.grant_of:
                    scope.grant_of[akey] = (g.org, g.producer)
        if g.manage and g.org in planning:
            # The organisation manages the grants of the contract on every address its producer routes, today or
            # in the desired state, whatever addresses this grant lists: a narrower scope would change once the
            # plan's own routings are executed, and the next plan would remove more (it would not converge).
            managed_las = set(addresses)
            managed_las.update(by_producer_contract.get((g.producer, g.contract), ()))
            managed_las.update(currently_routed(g.producer, g.contract))
            for la in managed_las:
                scope.managed.setdefault((la, g.contract), (g.org, g.producer))

    # Authorizations: each declaring organisation must own the consumer or grant the row.
    # The common case, one consumer's own declaration, is checked a column at a time: the organisation sets are a
    # few shared objects, so each is looked at once; the rows that pass are copied whole.
    auth_orgs = state.authorization_orgs
    sole = {fs: org for fs in set(auth_orgs.values()) if len(fs) == 1 for org in fs if org in managed_orgs}
    passed = list(
        map(eq, map(owners.get, map(itemgetter(0), auth_orgs)), map(sole.get, auth_orgs.values(), repeat(_NOBODY)))
    )
    if all(passed):
        scope.desired_auths = dict(auth_orgs)
        others: list[tuple[AuthorizationKey, frozenset[str]]] = []
    else:
        scope.desired_auths = {k: v for (k, v), ok in zip(auth_orgs.items(), passed, strict=True) if ok}
        others = [kv for kv, ok in zip(auth_orgs.items(), passed, strict=True) if not ok]
    for akey, orgs in others:
        legit: set[str] = set()
        for org in orgs:
            if org not in managed_orgs:
                continue
            if owners.get(akey[0]) == org or org in granted.get(akey, ()):
                legit.add(org)
            elif org in planning:
                scope.errors.append(
                    Finding.at(
                        "FOREIGN_SYSTEM",
                        f"authorization ({akey[0]}, {akey[1]}, {akey[2]}) names consumer {akey[0]}, which is owned "
                        f"by {_whose(owners, akey[0])}, not by {org!r}, and no grant of {org!r} covers it; "
                        "no order is made for it",
                        org,
                        locations.get(akey),
                    )
                )
        if legit:
            scope.desired_auths[akey] = frozenset(legit)
    for akey, granters in granted.items():
        prev = scope.desired_auths.get(akey)
        scope.desired_auths[akey] = frozenset(granters) if prev is None else prev | granters
    return scope


def _whose(owners: Mapping[str, str], system: str) -> str:
    owner = owners.get(system)
    return f"organisation {owner!r}" if owner else "no organisation in the ownership registry"


def _check_routings(
    scope: Scope, state: EnvironmentState, owners: Mapping[str, str], planning: frozenset[str], managed: frozenset[str]
) -> None:
    """Routings row by row: keep those whose declaring organisation owns the producer, report the others."""
    for key, value in state.routings.items():
        org = state.routing_orgs.get(key)
        if org is None or org not in managed:
            continue
        if owners.get(value[0]) != org:
            if org in planning:
                scope.errors.append(
                    Finding.at(
                        "FOREIGN_SYSTEM",
                        f"routing ({key[0]}, {key[1]}) names producer {value[0]}, which is owned by "
                        f"{_whose(owners, value[0])}, not by {org!r}; no order is made for it",
                        org,
                        state.locations.get(key),
                    )
                )
            continue
        scope.desired_routings[key] = value
        scope.routing_org[key] = org


def _grant_key(g: Grant) -> tuple[str, str, str, tuple[str, ...], tuple[str, ...], bool]:
    return (g.org, g.producer, g.contract, tuple(sorted(g.consumers)), tuple(sorted(g.addresses)), g.manage)
