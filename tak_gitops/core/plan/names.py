"""Readable names for the ids a plan mentions, recorded in the plan so that a saved plan renders the same.

A system of a planning organisation is named by its ``name`` in organisation.yaml, any other by its TAK
description (a new one by the description its order gives); a logical address by its TAK description, else its HSA
unit's name, else its desired name (a new address). An id nobody names is left out. Only files a plan for some
organisations always reads are used, so such a plan names things as a plan of every folder does.
"""

from __future__ import annotations

from collections.abc import Iterable

from tak_gitops.core.hsa import ROOT, WILDCARD
from tak_gitops.core.plan.context import PlanContext
from tak_gitops.core.plan.model import Cascade, ManualStep, Order


def _mentioned(
    orders: Iterable[Order], cascades: Iterable[Cascade], manual: Iterable[ManualStep]
) -> tuple[set[str], set[str]]:
    systems: set[str] = set()
    addresses: set[str] = set()
    for o in orders:
        systems.add(o.system)
        for c in o.changes:
            if c.action == "add-system":
                systems.add(c.key[0])
            elif c.action == "add-logical-address":
                addresses.add(c.key[0])
            elif c.action.endswith("routing"):
                addresses.add(c.key[0])
                systems.update(v[0] for v in (c.before, c.after) if v is not None)
            elif c.action.endswith("authorization"):
                systems.add(c.key[0])
                addresses.add(c.key[1])
    for cas in cascades:
        addresses.add(cas.address)
        if cas.consumer:
            systems.add(cas.consumer)
        for d in cas.descendants:
            addresses.update(a for a in (d.address, d.today, d.after) if a)
    for m in manual:
        (addresses if m.kind.endswith("logical-address") else systems).add(m.hsa_id)
    return systems, addresses - {WILDCARD, ROOT}


def plan_names(
    ctx: PlanContext, orders: Iterable[Order], cascades: Iterable[Cascade], manual: Iterable[ManualStep]
) -> dict[str, dict[str, str]]:
    """``{"systems": {hsa_id: name}, "addresses": {hsa_id: name}}`` for the ids the plan mentions."""
    systems, addresses = _mentioned(orders, cascades, manual)
    desired, snapshot = ctx.desired, ctx.snapshot
    hsa_names = ctx.hsa.names if ctx.hsa is not None else {}
    system_names: dict[str, str] = {}
    planning = ctx.planning
    for s in sorted(systems):
        sys = desired.systems.get(s)
        own = sys.name if sys is not None and ctx.owners.get(s) in planning else None
        name = own or snapshot.systems.get(s)
        if name:
            system_names[s] = name
    address_names: dict[str, str] = {}
    for la in sorted(addresses):
        addr = desired.addresses.get(la)
        name = snapshot.logical_addresses.get(la) or hsa_names.get(la) or (addr.name if addr is not None else None)
        if name:
            address_names[la] = name
    return {"systems": system_names, "addresses": address_names}
