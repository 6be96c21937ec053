"""The JSON shapes of the TAK-api's objects, nested objects included only when ``include`` names them."""

from __future__ import annotations

from typing import Any

from tak_gitops.sim.takapi.model import Address, Component, Contract, Cooperation, Model, Production
from tak_gitops.sim.takapi.wire import obfuscate


def connection_point(m: Model) -> dict[str, Any]:
    return dict(m.connection_point)


def component(m: Model, c: Component, with_cp: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id, "hsaId": c.hsa_id, "description": c.description}
    if with_cp:
        out["connectionPoint"] = connection_point(m)
    return out


def address(a: Address) -> dict[str, Any]:
    return {"id": a.id, "logicalAddress": a.address, "description": a.description}


def contract(c: Contract) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "namespace": c.namespace, "major": c.major, "minor": c.minor}


def _nested(m: Model, out: dict[str, Any], row: Cooperation | Production, inc: set[str]) -> dict[str, Any]:
    """Add the nested objects a cooperation and a production share, when ``inc`` names them."""
    if "logicalAddress" in inc:
        out["logicalAddress"] = address(m.addresses[row.address])
    if "serviceContract" in inc:
        out["serviceContract"] = contract(m.contracts[row.contract])
    if "connectionPoint" in inc:
        out["connectionPoint"] = connection_point(m)
    return out


def cooperation(m: Model, c: Cooperation, inc: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id}
    if "serviceConsumer" in inc:
        out["serviceConsumer"] = component(m, m.consumers[c.consumer], False)
    return _nested(m, out, c, inc)


def production(m: Model, p: Production, inc: set[str], full_url: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": p.id,
        "physicalAddress": p.url if full_url else obfuscate(p.url),
        "rivtaProfile": p.profile,
    }
    if "serviceProducer" in inc:
        out["serviceProducer"] = component(m, m.producers[p.producer], False)
    return _nested(m, out, p, inc)
