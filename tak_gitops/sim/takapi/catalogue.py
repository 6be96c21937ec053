"""TAK-api endpoints for the catalogue: ``serviceContracts``, ``logicalAddresses``, ``installedContracts``."""

from __future__ import annotations

from typing import Any

from tak_gitops.sim.takapi import render
from tak_gitops.sim.takapi.model import Model
from tak_gitops.sim.takapi.query import Query, cp_ok, id_param, id_params, param


def _linked(m: Model, links: tuple[int | None, int | None, int | None], **row: int) -> bool:
    """Whether a contract or address (``row``) passes the connection point, consumer and producer filters."""
    cp, consumer, producer = links
    if cp is not None and not m.prods(**row):
        return False
    if consumer is not None and not m.coops(**row, consumer=consumer):
        return False
    return producer is None or bool(m.prods(**row, producer=producer))


def service_contracts(m: Model, q: Query, ident: int | None) -> list[dict[str, Any]]:
    namespace = param(q, "namespace")
    cp, la, consumer, producer = id_params(
        q, "connectionPointId", "logicalAddressId", "serviceConsumerId", "serviceProducerId"
    )
    if not cp_ok(m, q):
        return []
    out = []
    for c in sorted(m.contracts.values(), key=lambda c: c.id):
        if ident is not None and c.id != ident:
            continue
        if namespace is not None and c.namespace != namespace:
            continue
        if la is not None and not (m.prods(contract=c.id, address=la) or m.coops(contract=c.id, address=la)):
            continue
        if _linked(m, (cp, consumer, producer), contract=c.id):
            out.append(render.contract(c))
    return out


def logical_addresses(m: Model, q: Query, ident: int | None) -> list[dict[str, Any]]:
    wanted = param(q, "logicalAdress")
    cp, ns, consumer, producer = id_params(
        q, "connectionPointId", "serviceContractId", "serviceConsumerId", "serviceProducerId"
    )
    if not cp_ok(m, q):
        return []
    out = []
    for a in sorted(m.addresses.values(), key=lambda a: a.id):
        if ident is not None and a.id != ident:
            continue
        if wanted is not None and a.address.upper() != wanted.upper():
            continue
        if ns is not None and not m.prods(address=a.id, contract=ns):
            continue
        if _linked(m, (cp, consumer, producer), address=a.id):
            out.append(render.address(a))
    return out


def installed_contracts(m: Model, q: Query, ident: int | None) -> list[dict[str, Any]]:
    if not cp_ok(m, q):
        return []
    contract = id_param(q, "serviceContractId")
    out = []
    for i, cid in sorted(m.installed.items()):
        if (ident is not None and i != ident) or (contract is not None and cid != contract):
            continue
        cp, contract_json = render.connection_point(m), render.contract(m.contracts[cid])
        out.append({"id": i, "connectionPoint": cp, "serviceContract": contract_json})
    return out
