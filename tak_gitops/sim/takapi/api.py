"""The TAK-api v2 read endpoints (``/coop/api/v2/...``) over the latest published version only.

What the real TAK-api (the *cooperation* application) does and this layer reproduces:

* the data is the latest PubVersion, keeping only rows valid today (``fromTidpunkt <= today <= tomTidpunkt``);
  unpublished changes are invisible;
* ids are the API's own: assigned here per published version in sorted natural-key order, never TAK's row ids;
* one connection point (this TAK: ``platform`` + ``environment``) whose ``snapshotTime`` is the publication time,
  formatted ``yyyy-MM-dd'T'HH:mm:ssZ``;
* ``include`` on ``cooperations`` and ``serviceProductions`` names the nested objects to return; anything not
  named is left out, so a bare list gives ``[{"id": …}, …]``;
* ``physicalAddress`` is obfuscated (``https://....hij.se....443..../v1``) unless ``include`` names
  ``physicalAddress`` (on ``/serviceProductions/{id}``: unless ``include`` is exactly ``physicalAddress``);
* fields that are null or empty are omitted (Jackson ``NON_EMPTY``);
* list filters are independent "any" conditions (``logicalAddresses?connectionPointId=X`` lists only addresses
  with a routing in X; ``serviceConsumers`` are components with an authorization, ``serviceProducers``
  components with a call address).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tak_gitops.sim.takapi.catalogue import installed_contracts, logical_addresses, service_contracts
from tak_gitops.sim.takapi.components import connection_points, service_consumers, service_producers
from tak_gitops.sim.takapi.model import Model
from tak_gitops.sim.takapi.query import ApiError, Query
from tak_gitops.sim.takapi.relations import cooperations, service_productions
from tak_gitops.sim.takapi.wire import non_empty

V2_PREFIX = "/coop/api/v2/"
V1_PREFIX = "/coop/api/v1/"
V1_GONE = "Cooperation API v1 has been closed. Please use v2 instead."

Endpoint = Callable[[Model, Query, int | None], list[dict[str, Any]]]

ENDPOINTS: dict[str, Endpoint] = {
    "connectionPoints": connection_points,
    "serviceConsumers": service_consumers,
    "serviceProducers": service_producers,
    "serviceContracts": service_contracts,
    "logicalAddresses": logical_addresses,
    "installedContracts": installed_contracts,
    "cooperations": cooperations,
    "serviceProductions": service_productions,
}
"""Resource name -> the endpoint answering its list (id None) and its single object (an id)."""


class TakApi:
    """Answers ``GET /coop/api/v2/...`` from a :class:`Model`."""

    def __init__(self, model: Model) -> None:
        self.m = model

    def handle(self, path: str, query: Query) -> tuple[int, Any]:
        """Answer ``path`` (below ``/coop/api/v2/``) with (status, JSON value)."""
        parts = [p for p in path.split("/") if p]
        if not parts:
            raise ApiError(404, "No endpoint")
        resource = parts[0]
        if resource.endswith(".xml"):
            raise ApiError(406, "Only JSON is served here")
        resource = resource.removesuffix(".json")
        endpoint = ENDPOINTS.get(resource)
        if endpoint is None or len(parts) > 2:
            raise ApiError(404, f"No endpoint {path}")
        if len(parts) == 2:
            ident = parts[1].removesuffix(".json")
            if not ident.isdigit():
                raise ApiError(400, f"Failed to convert value '{ident}' to a number")
            found = endpoint(self.m, query, int(ident))
            if not found:
                raise ApiError(404, f"{resource} {ident} not found")
            return 200, non_empty(found[0])
        return 200, non_empty(endpoint(self.m, query, None))
