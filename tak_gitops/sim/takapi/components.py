"""TAK-api endpoints for this TAK and its components: ``connectionPoints``, ``serviceConsumers`` and
``serviceProducers``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from tak_gitops.sim.takapi import render
from tak_gitops.sim.takapi.model import Model
from tak_gitops.sim.takapi.query import Query, cp_ok, id_param, id_params, param


def connection_points(m: Model, q: Query, ident: int | None) -> list[dict[str, Any]]:
    cp = m.connection_point
    if ident is not None and ident != cp["id"]:
        return []
    if (p := param(q, "platform")) is not None and p != cp["platform"]:
        return []
    if (e := param(q, "environment")) is not None and e != cp["environment"]:
        return []
    conditions: list[tuple[int | None, Callable[[int], bool]]] = [
        (id_param(q, "serviceConsumerId"), lambda i: bool(m.coops(consumer=i))),
        (id_param(q, "logicalAddressId"), lambda i: bool(m.coops(address=i) or m.prods(address=i))),
        (id_param(q, "serviceContractId"), lambda i: i in m.contracts),
        (id_param(q, "serviceProducerId"), lambda i: bool(m.prods(producer=i))),
    ]
    if any(value is not None and not check(value) for value, check in conditions):
        return []
    return [render.connection_point(m)]


def _components(m: Model, q: Query, ident: int | None, role: Literal["consumer", "producer"]) -> list[dict[str, Any]]:
    """Consumers (components with an authorization) or producers (with a call address), filtered alike: by
    address and contract through their own rows, by a partner through the (address, contract) pairs they share."""
    with_cp = id_param(q, "connectionPointId") is None
    if not cp_ok(m, q):
        return []
    hsa = param(q, "hsaId") if role == "producer" else None  # serviceConsumers has no hsaId filter
    partner_role = "producer" if role == "consumer" else "consumer"
    la, ns, partner = id_params(q, "logicalAddressId", "serviceContractId", f"service{partner_role.title()}Id")
    own, theirs = (m.coops, m.prods) if role == "consumer" else (m.prods, m.coops)
    shared = {(x.address, x.contract) for x in theirs(**{partner_role: partner})} if partner is not None else None
    out = []
    for c in sorted((m.consumers if role == "consumer" else m.producers).values(), key=lambda c: c.id):
        if ident is not None and c.id != ident:
            continue
        if hsa is not None and c.hsa_id.upper() != hsa.upper():
            continue
        if (la is not None or ns is not None) and not own(**{role: c.id}, address=la, contract=ns):
            continue
        if shared is not None and not any((x.address, x.contract) in shared for x in own(**{role: c.id})):
            continue
        out.append(render.component(m, c, with_cp))
    return out


def service_consumers(m: Model, q: Query, ident: int | None) -> list[dict[str, Any]]:
    return _components(m, q, ident, "consumer")


def service_producers(m: Model, q: Query, ident: int | None) -> list[dict[str, Any]]:
    return _components(m, q, ident, "producer")
