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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from tak_gitops.sim.clock import DEFAULT_ZONE
from tak_gitops.sim.seed import parse_tak_date

V2_PREFIX = "/coop/api/v2/"
V1_PREFIX = "/coop/api/v1/"
V1_GONE = "Cooperation API v1 has been closed. Please use v2 instead."

_DOTS = "...."


def obfuscate(original: str) -> str:
    """Hide most of a URL as the TAK-api does: keep the scheme, the last 6 characters of the host, the port
    and the last path segment. ``https://abcdefghij.se:443/adapter/npo/npo/v1`` → ``https://....hij.se....443..../v1``."""
    slashes = original.find("//")
    if slashes < 0:
        return original
    out = [original[: slashes + 2], _DOTS]
    rest = original[slashes + 2 :]
    colon = rest.find(":")
    slash = rest.find("/")
    if colon > 0:
        out.append(rest[max(colon - 6, 0) : colon])
        out.append(_DOTS)
        if slash > 0:
            if slash < colon + 1:  # Java's substring would throw: the original is returned
                return original
            out.append(rest[colon + 1 : slash])
        else:
            out.append(rest[colon + 1 :])
    elif slash > 0:
        out.append(rest[max(slash - 6, 0) : slash])
    else:
        if len(rest) < 6:
            return original
        out.append(rest[len(rest) - 6 :])
    last = rest.rfind("/")
    if last > 0 and len(rest) > last + 1:
        out.append(_DOTS)
        out.append(rest[last:])
    return "".join(out)


def non_empty(value: Any) -> Any:
    """Drop null and empty fields recursively (Jackson ``@JsonInclude(NON_EMPTY)``); numbers stay, even 0."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = non_empty(v)
            if v is None or v == "" or v == [] or v == {}:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [non_empty(v) for v in value]
    return value


# --- the model of one published version ------------------------------------------------------------------


@dataclass(frozen=True)
class _Component:
    id: int
    hsa_id: str
    description: str | None


@dataclass(frozen=True)
class _Address:
    id: int
    address: str
    description: str | None


@dataclass(frozen=True)
class _Contract:
    id: int
    namespace: str
    name: str | None
    major: int
    minor: int


@dataclass(frozen=True)
class _Cooperation:
    id: int
    consumer: int
    address: int
    contract: int


@dataclass(frozen=True)
class _Production:
    id: int
    producer: int
    address: int
    contract: int
    url: str
    profile: str


@dataclass
class Model:
    """The TAK-api view of one published version on one day."""

    connection_point: dict[str, Any]
    consumers: dict[int, _Component] = field(default_factory=dict)
    producers: dict[int, _Component] = field(default_factory=dict)
    addresses: dict[int, _Address] = field(default_factory=dict)
    contracts: dict[int, _Contract] = field(default_factory=dict)
    installed: dict[int, int] = field(default_factory=dict)
    """installedContract id -> contract id"""
    cooperations: dict[int, _Cooperation] = field(default_factory=dict)
    productions: dict[int, _Production] = field(default_factory=dict)
    _indexes: dict[str, dict[tuple[str, int], list[int]]] = field(default_factory=dict)

    def index(self, table: str) -> dict[tuple[str, int], list[int]]:
        """(attribute, value) -> ids of the rows of ``cooperations`` or ``productions`` with that value."""
        found = self._indexes.get(table)
        if found is None:
            rows: dict[int, Any] = getattr(self, table)
            found = {}
            for ident, row in rows.items():
                for attr in ("consumer", "producer", "address", "contract"):
                    if hasattr(row, attr):
                        found.setdefault((attr, getattr(row, attr)), []).append(ident)
            self._indexes[table] = found
        return found


def _select(
    rows: Mapping[int, Any], index: Mapping[tuple[str, int], list[int]], match: Mapping[str, int | None]
) -> list[Any]:
    """The rows matching every non-None criterion, by id, using the index of the first criterion."""
    wanted = [(k, v) for k, v in match.items() if v is not None]
    if not wanted:
        return [rows[i] for i in sorted(rows)]
    candidates = index.get(wanted[0], [])
    return [rows[i] for i in candidates if all(getattr(rows[i], k) == v for k, v in wanted[1:])]


def _numbered(keys: Iterable[str]) -> dict[str, int]:
    return {key: i for i, key in enumerate(sorted(set(keys)), start=1)}


def build_model(
    doc: Mapping[str, Any], *, platform: str, environment: str, today: date, zone: tzinfo = DEFAULT_ZONE
) -> Model:
    """The TAK-api view of a published-version document as it would be imported on ``today``."""
    data = doc["data"]
    by_id = {key: {int(r["id"]): r for r in data.get(key, [])} for key in data}
    components = by_id.get("tjanstekomponent", {})
    las = by_id.get("logiskadress", {})
    kontrakt = by_id.get("tjanstekontrakt", {})
    profiles = by_id.get("rivtaprofil", {})
    adresser = by_id.get("anropsadress", {})

    def valid(row: Mapping[str, Any]) -> bool:
        return parse_tak_date(row["fromTidpunkt"], zone) <= today <= parse_tak_date(row["tomTidpunkt"], zone)

    def rel(row: Mapping[str, Any], *names: str) -> int:
        rels = row["relationships"]
        return int(next(rels[n] for n in names if n in rels))

    coop_keys: dict[tuple[str, str, str], None] = {}
    for row in sorted(by_id.get("anropsbehorighet", {}).values(), key=lambda r: int(r["id"])):
        if valid(row):
            consumer = components[rel(row, "tjanstekomponent", "tjanstekonsument")]["hsaId"].upper()
            la = las[rel(row, "logiskAdress", "logiskadress")]["hsaId"].upper()
            ns = kontrakt[rel(row, "tjanstekontrakt")]["namnrymd"]
            coop_keys.setdefault((consumer, la, ns), None)
    prod_rows: dict[tuple[str, str, str], tuple[str, str]] = {}
    for row in sorted(by_id.get("vagval", {}).values(), key=lambda r: int(r["id"])):
        if valid(row):
            adress = adresser[rel(row, "anropsadress")]
            producer = components[rel(adress, "tjanstekomponent")]["hsaId"].upper()
            profile = profiles[rel(adress, "rivtaprofil", "rivTaProfil")]["namn"]
            la = las[rel(row, "logiskadress", "logiskAdress")]["hsaId"].upper()
            ns = kontrakt[rel(row, "tjanstekontrakt")]["namnrymd"]
            prod_rows.setdefault((la, ns, producer), (adress["adress"], profile))
    producer_hsa = {components[rel(a, "tjanstekomponent")]["hsaId"].upper() for a in adresser.values()}

    descriptions = {c["hsaId"].upper(): c.get("beskrivning") for c in components.values()}
    la_desc = {la["hsaId"].upper(): la.get("beskrivning") for la in las.values()}
    contract_rows = {k["namnrymd"]: k for k in kontrakt.values()}

    stamp = parse_stamp(str(doc.get("tidpunkt", "")))
    cp = {
        "id": 1,
        "platform": platform,
        "environment": environment,
        "snapshotTime": stamp.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S%z") if stamp else None,
    }
    model = Model(connection_point=cp)

    consumer_ids = _numbered(c for c, _la, _ns in coop_keys)
    producer_ids = _numbered(producer_hsa)
    address_ids = _numbered(la_desc)
    contract_ids = _numbered(contract_rows)
    model.consumers = {i: _Component(i, h, descriptions.get(h)) for h, i in consumer_ids.items()}
    model.producers = {i: _Component(i, h, descriptions.get(h)) for h, i in producer_ids.items()}
    model.addresses = {i: _Address(i, a, la_desc.get(a)) for a, i in address_ids.items()}
    for ns, i in contract_ids.items():
        k = contract_rows[ns]
        model.contracts[i] = _Contract(
            i, ns, k.get("beskrivning"), int(k.get("majorVersion") or 0), int(k.get("minorVersion") or 0)
        )
    model.installed = {i: i for i in contract_ids.values()}
    for i, (consumer, la, ns) in enumerate(sorted(coop_keys), start=1):
        model.cooperations[i] = _Cooperation(i, consumer_ids[consumer], address_ids[la], contract_ids[ns])
    for i, ((la, ns, producer), (url, profile)) in enumerate(sorted(prod_rows.items()), start=1):
        model.productions[i] = _Production(i, producer_ids[producer], address_ids[la], contract_ids[ns], url, profile)
    return model


def parse_stamp(value: str) -> datetime | None:
    """A ``yyyy-MM-dd'T'HH:mm:ssZ`` time stamp, or None when absent or unreadable."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


# --- the endpoints ------------------------------------------------------------------------------------------


class ApiError(Exception):
    """An HTTP error answer of the API."""

    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail
        super().__init__(detail)

    def body(self, path: str) -> dict[str, Any]:
        titles = {400: "Bad Request", 404: "Not Found", 406: "Not Acceptable"}
        return {
            "type": "about:blank",
            "title": titles.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
            "instance": path,
        }


Query = Mapping[str, list[str]]


def _param(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _id_param(query: Query, name: str) -> int | None:
    value = _param(query, name)
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise ApiError(400, f"Failed to convert value of parameter '{name}' to a number: {value}")
    return int(value)


def _includes(query: Query) -> set[str]:
    raw = ",".join(query.get("include", []))
    return {part.strip() for part in raw.split(",") if part.strip()}


class TakApi:
    """Answers ``GET /coop/api/v2/...`` from a :class:`Model`."""

    def __init__(self, model: Model) -> None:
        self.m = model

    # renderers
    def _cp(self) -> dict[str, Any]:
        return dict(self.m.connection_point)

    def _component(self, c: _Component, with_cp: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"id": c.id, "hsaId": c.hsa_id, "description": c.description}
        if with_cp:
            out["connectionPoint"] = self._cp()
        return out

    def _address(self, a: _Address) -> dict[str, Any]:
        return {"id": a.id, "logicalAddress": a.address, "description": a.description}

    def _contract(self, c: _Contract) -> dict[str, Any]:
        return {"id": c.id, "name": c.name, "namespace": c.namespace, "major": c.major, "minor": c.minor}

    def _cooperation(self, c: _Cooperation, inc: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": c.id}
        if "serviceConsumer" in inc:
            out["serviceConsumer"] = self._component(self.m.consumers[c.consumer], False)
        if "logicalAddress" in inc:
            out["logicalAddress"] = self._address(self.m.addresses[c.address])
        if "serviceContract" in inc:
            out["serviceContract"] = self._contract(self.m.contracts[c.contract])
        if "connectionPoint" in inc:
            out["connectionPoint"] = self._cp()
        return out

    def _production(self, p: _Production, inc: set[str], full_url: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": p.id,
            "physicalAddress": p.url if full_url else obfuscate(p.url),
            "rivtaProfile": p.profile,
        }
        if "serviceProducer" in inc:
            out["serviceProducer"] = self._component(self.m.producers[p.producer], False)
        if "logicalAddress" in inc:
            out["logicalAddress"] = self._address(self.m.addresses[p.address])
        if "serviceContract" in inc:
            out["serviceContract"] = self._contract(self.m.contracts[p.contract])
        if "connectionPoint" in inc:
            out["connectionPoint"] = self._cp()
        return out

    # filters
    def _cp_ok(self, query: Query) -> bool:
        cp = _id_param(query, "connectionPointId")
        return cp is None or cp == self.m.connection_point["id"]

    def _coops(self, **match: int | None) -> list[_Cooperation]:
        return _select(self.m.cooperations, self.m.index("cooperations"), match)

    def _prods(self, **match: int | None) -> list[_Production]:
        return _select(self.m.productions, self.m.index("productions"), match)

    def handle(self, path: str, query: Query) -> tuple[int, Any]:
        """Answer ``path`` (below ``/coop/api/v2/``) with (status, JSON value)."""
        parts = [p for p in path.split("/") if p]
        if not parts:
            raise ApiError(404, "No endpoint")
        resource = parts[0]
        if resource.endswith(".xml"):
            raise ApiError(406, "Only JSON is served here")
        resource = resource.removesuffix(".json")
        handler = self._handlers().get(resource)
        if handler is None or len(parts) > 2:
            raise ApiError(404, f"No endpoint {path}")
        if len(parts) == 2:
            ident = parts[1].removesuffix(".json")
            if not ident.isdigit():
                raise ApiError(400, f"Failed to convert value '{ident}' to a number")
            found = handler(query, int(ident))
            if not found:
                raise ApiError(404, f"{resource} {ident} not found")
            return 200, non_empty(found[0])
        return 200, non_empty(handler(query, None))

    def _handlers(self) -> dict[str, Callable[[Query, int | None], list[dict[str, Any]]]]:
        return {
            "connectionPoints": self._connection_points,
            "serviceConsumers": self._service_consumers,
            "serviceProducers": self._service_producers,
            "serviceContracts": self._service_contracts,
            "logicalAddresses": self._logical_addresses,
            "installedContracts": self._installed_contracts,
            "cooperations": self._cooperations,
            "serviceProductions": self._service_productions,
        }

    def _connection_points(self, q: Query, ident: int | None) -> list[dict[str, Any]]:
        cp = self.m.connection_point
        if ident is not None and ident != cp["id"]:
            return []
        if (p := _param(q, "platform")) is not None and p != cp["platform"]:
            return []
        if (e := _param(q, "environment")) is not None and e != cp["environment"]:
            return []
        conditions: list[tuple[int | None, Callable[[int], bool]]] = [
            (_id_param(q, "serviceConsumerId"), lambda i: bool(self._coops(consumer=i))),
            (_id_param(q, "logicalAddressId"), lambda i: bool(self._coops(address=i) or self._prods(address=i))),
            (_id_param(q, "serviceContractId"), lambda i: i in self.m.contracts),
            (_id_param(q, "serviceProducerId"), lambda i: bool(self._prods(producer=i))),
        ]
        if any(value is not None and not check(value) for value, check in conditions):
            return []
        return [self._cp()]

    def _service_consumers(self, q: Query, ident: int | None) -> list[dict[str, Any]]:
        with_cp = _id_param(q, "connectionPointId") is None
        if not self._cp_ok(q):
            return []
        la, ns, producer = (_id_param(q, n) for n in ("logicalAddressId", "serviceContractId", "serviceProducerId"))
        served = {(p.address, p.contract) for p in self._prods(producer=producer)} if producer is not None else None
        out = []
        for c in sorted(self.m.consumers.values(), key=lambda c: c.id):
            if ident is not None and c.id != ident:
                continue
            coops = self._coops(consumer=c.id, address=la, contract=ns)
            if (la is not None or ns is not None) and not coops:
                continue
            if served is not None and not any((x.address, x.contract) in served for x in self._coops(consumer=c.id)):
                continue
            out.append(self._component(c, with_cp))
        return out

    def _service_producers(self, q: Query, ident: int | None) -> list[dict[str, Any]]:
        with_cp = _id_param(q, "connectionPointId") is None
        if not self._cp_ok(q):
            return []
        hsa = _param(q, "hsaId")
        la, ns, consumer = (_id_param(q, n) for n in ("logicalAddressId", "serviceContractId", "serviceConsumerId"))
        authorized = {(c.address, c.contract) for c in self._coops(consumer=consumer)} if consumer is not None else None
        out = []
        for p in sorted(self.m.producers.values(), key=lambda p: p.id):
            if ident is not None and p.id != ident:
                continue
            if hsa is not None and p.hsa_id.upper() != hsa.upper():
                continue
            if (la is not None or ns is not None) and not self._prods(producer=p.id, address=la, contract=ns):
                continue
            if authorized is not None and not any(
                (x.address, x.contract) in authorized for x in self._prods(producer=p.id)
            ):
                continue
            out.append(self._component(p, with_cp))
        return out

    def _service_contracts(self, q: Query, ident: int | None) -> list[dict[str, Any]]:
        namespace = _param(q, "namespace")
        cp = _id_param(q, "connectionPointId")
        la, consumer, producer = (
            _id_param(q, n) for n in ("logicalAddressId", "serviceConsumerId", "serviceProducerId")
        )
        if not self._cp_ok(q):
            return []
        out = []
        for c in sorted(self.m.contracts.values(), key=lambda c: c.id):
            if ident is not None and c.id != ident:
                continue
            if namespace is not None and c.namespace != namespace:
                continue
            if cp is not None and not self._prods(contract=c.id):
                continue
            if la is not None and not (
                self._prods(contract=c.id, address=la) or self._coops(contract=c.id, address=la)
            ):
                continue
            if consumer is not None and not self._coops(contract=c.id, consumer=consumer):
                continue
            if producer is not None and not self._prods(contract=c.id, producer=producer):
                continue
            out.append(self._contract(c))
        return out

    def _logical_addresses(self, q: Query, ident: int | None) -> list[dict[str, Any]]:
        wanted = _param(q, "logicalAdress")
        cp = _id_param(q, "connectionPointId")
        ns, consumer, producer = (
            _id_param(q, n) for n in ("serviceContractId", "serviceConsumerId", "serviceProducerId")
        )
        if not self._cp_ok(q):
            return []
        out = []
        for a in sorted(self.m.addresses.values(), key=lambda a: a.id):
            if ident is not None and a.id != ident:
                continue
            if wanted is not None and a.address.upper() != wanted.upper():
                continue
            if cp is not None and not self._prods(address=a.id):
                continue
            if ns is not None and not self._prods(address=a.id, contract=ns):
                continue
            if consumer is not None and not self._coops(address=a.id, consumer=consumer):
                continue
            if producer is not None and not self._prods(address=a.id, producer=producer):
                continue
            out.append(self._address(a))
        return out

    def _installed_contracts(self, q: Query, ident: int | None) -> list[dict[str, Any]]:
        if not self._cp_ok(q):
            return []
        contract = _id_param(q, "serviceContractId")
        out = []
        for i, cid in sorted(self.m.installed.items()):
            if (ident is not None and i != ident) or (contract is not None and cid != contract):
                continue
            out.append(
                {"id": i, "connectionPoint": self._cp(), "serviceContract": self._contract(self.m.contracts[cid])}
            )
        return out

    def _cooperations(self, q: Query, ident: int | None) -> list[dict[str, Any]]:
        if not self._cp_ok(q):
            return []
        inc = _includes(q)
        coops = self._coops(
            address=_id_param(q, "logicalAddressId"),
            contract=_id_param(q, "serviceContractId"),
            consumer=_id_param(q, "serviceConsumerId"),
        )
        return [self._cooperation(c, inc) for c in sorted(coops, key=lambda c: c.id) if ident in (None, c.id)]

    def _service_productions(self, q: Query, ident: int | None) -> list[dict[str, Any]]:
        if not self._cp_ok(q):
            return []
        inc = _includes(q)
        full = ",".join(q.get("include", [])) == "physicalAddress" if ident is not None else "physicalAddress" in inc
        url, profile = _param(q, "physicalAddress"), _param(q, "rivtaProfile")
        prods = self._prods(
            address=_id_param(q, "logicalAddressId"),
            contract=_id_param(q, "serviceContractId"),
            producer=_id_param(q, "serviceProducerId"),
        )
        return [
            self._production(p, inc, full)
            for p in sorted(prods, key=lambda p: p.id)
            if ident in (None, p.id) and url in (None, p.url) and profile in (None, p.profile)
        ]
