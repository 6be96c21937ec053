"""TAK-web's execution rules on the normalized state: what the TAK looks like once a plan's orders are done.

* ``inkludera`` vagval replaces the row of its (address, contract) key (a new URL, producer or profile ends the
  old row and starts the new one);
* ``exkludera`` vagval removes the row of its (address, contract) key, whatever its producer, URL or profile;
* ``inkludera`` / ``exkludera`` anropsbehorighet adds / removes the (consumer, address, contract) row;
* new logical addresses, systems and contracts are created unless they exist.

Pure set and dict operations: fast enough to run on national-scale snapshots.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from tak_gitops.core.plan.model import Change, Plan
from tak_gitops.core.snapshot import AuthorizationKey, Contract, RoutingKey, RoutingValue, Snapshot


def apply_changes(snapshot: Snapshot, plan_or_changes: Plan | Iterable[Change]) -> Snapshot:
    """Return the snapshot as TAK-web leaves it after executing ``plan_or_changes`` (a plan's orders in order)."""
    changes = plan_or_changes.changes() if isinstance(plan_or_changes, Plan) else tuple(plan_or_changes)
    routings: dict[RoutingKey, RoutingValue] = dict(snapshot.routings)
    auths: set[AuthorizationKey] = set(snapshot.authorizations)
    addresses = dict(snapshot.logical_addresses)
    systems = dict(snapshot.systems)
    contracts = dict(snapshot.contracts)
    for c in changes:
        a = c.action
        if a == "add-logical-address":
            addresses.setdefault(c.key[0], c.description or "")
        elif a == "add-system":
            systems.setdefault(c.key[0], c.description or "")
        elif a == "add-contract":
            ns = c.key[0]
            if ns not in contracts:
                contracts[ns] = Contract(ns, c.description or "", c.major or 0)
        elif a in ("add-routing", "change-routing"):
            assert c.after is not None
            la, ns = c.key
            routings[(la, ns)] = c.after
        elif a == "remove-routing":
            routings.pop((c.key[0], c.key[1]), None)
        elif a == "add-authorization":
            auths.add((c.key[0], c.key[1], c.key[2]))
        elif a == "remove-authorization":
            auths.discard((c.key[0], c.key[1], c.key[2]))
        else:  # pragma: no cover - Change.from_dict refuses unknown actions
            raise ValueError(f"unknown action {a!r}")
    return replace(
        snapshot,
        routings=routings,
        authorizations=frozenset(auths),
        logical_addresses=addresses,
        systems=systems,
        contracts=contracts,
    )
