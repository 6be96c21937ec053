"""TAK-api endpoints for the relations: ``cooperations`` (authorizations) and ``serviceProductions`` (routings)."""

from __future__ import annotations

from typing import Any

from tak_gitops.sim.takapi import render
from tak_gitops.sim.takapi.model import Model
from tak_gitops.sim.takapi.query import Query, cp_ok, id_param, includes, param


def cooperations(m: Model, q: Query, ident: int | None) -> list[dict[str, Any]]:
    if not cp_ok(m, q):
        return []
    inc = includes(q)
    coops = m.coops(
        address=id_param(q, "logicalAddressId"),
        contract=id_param(q, "serviceContractId"),
        consumer=id_param(q, "serviceConsumerId"),
    )
    return [render.cooperation(m, c, inc) for c in sorted(coops, key=lambda c: c.id) if ident in (None, c.id)]


def service_productions(m: Model, q: Query, ident: int | None) -> list[dict[str, Any]]:
    if not cp_ok(m, q):
        return []
    inc = includes(q)
    full = ",".join(q.get("include", [])) == "physicalAddress" if ident is not None else "physicalAddress" in inc
    url, profile = param(q, "physicalAddress"), param(q, "rivtaProfile")
    prods = m.prods(
        address=id_param(q, "logicalAddressId"),
        contract=id_param(q, "serviceContractId"),
        producer=id_param(q, "serviceProducerId"),
    )
    return [
        render.production(m, p, inc, full)
        for p in sorted(prods, key=lambda p: p.id)
        if ident in (None, p.id) and url in (None, p.url) and profile in (None, p.profile)
    ]
