"""Building the TAK-api model from a published-version document: rows valid today, ids in natural-key order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo
from typing import Any

from tak_gitops.sim.clock import DEFAULT_ZONE
from tak_gitops.sim.seed import parse_tak_date
from tak_gitops.sim.takapi.model import Address, Component, Contract, Cooperation, Model, Production


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
    model.consumers = {i: Component(i, h, descriptions.get(h)) for h, i in consumer_ids.items()}
    model.producers = {i: Component(i, h, descriptions.get(h)) for h, i in producer_ids.items()}
    model.addresses = {i: Address(i, a, la_desc.get(a)) for a, i in address_ids.items()}
    for ns, i in contract_ids.items():
        k = contract_rows[ns]
        model.contracts[i] = Contract(
            i, ns, k.get("beskrivning"), int(k.get("majorVersion") or 0), int(k.get("minorVersion") or 0)
        )
    model.installed = {i: i for i in contract_ids.values()}
    for i, (consumer, la, ns) in enumerate(sorted(coop_keys), start=1):
        model.cooperations[i] = Cooperation(i, consumer_ids[consumer], address_ids[la], contract_ids[ns])
    for i, ((la, ns, producer), (url, profile)) in enumerate(sorted(prod_rows.items()), start=1):
        model.productions[i] = Production(i, producer_ids[producer], address_ids[la], contract_ids[ns], url, profile)
    return model


def parse_stamp(value: str) -> datetime | None:
    """A ``yyyy-MM-dd'T'HH:mm:ssZ`` time stamp, or None when absent or unreadable."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
