"""The two sections of an order, ``inkludera`` and ``exkludera``: filled from a plan order's changes, read back.

Rules enforced before anything is emitted (tak-model-and-orders.md §7), raising :class:`PlanFileError`: the
same routing key (address, contract) or authorization key (consumer, address, contract) never twice in one
order, in either section, compared case-insensitively; the same for new addresses, systems and contracts.
Every new logical address, system and contract the plan creates is listed in ``inkludera`` of each order that
refers to it, so every order can be executed on its own, in any order (listing an existing one is harmless:
TAK-web drops it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tak_gitops.core.orders.fields import (
    routing_value,
    text_field,
    valid_hsa_id,
    valid_namespace,
)
from tak_gitops.errors import PlanFileError

SECTION_ARRAYS = ("tjanstekomponenter", "tjanstekontrakt", "logiskadresser", "anropsbehorigheter", "vagval")
"""The five arrays of an ``inkludera`` / ``exkludera`` section, in the order TAK-web documents them."""

_ROUTING_ADDS = ("add-routing", "change-routing")
_KNOWN_ACTIONS = frozenset(
    {
        "add-logical-address",
        "add-system",
        "add-contract",
        "add-routing",
        "change-routing",
        "remove-routing",
        "add-authorization",
        "remove-authorization",
    }
)


@dataclass
class Sections:
    """Collects one order's items and refuses duplicates across both sections, ignoring case."""

    where: str

    def __post_init__(self) -> None:
        self.inkludera: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTION_ARRAYS}
        self.exkludera: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTION_ARRAYS}
        self._seen: dict[tuple[str, ...], str] = {}

    def add(self, section: str, array: str, key: tuple[str, ...], item: dict[str, Any]) -> None:
        folded = (array, *(k.casefold() for k in key))
        if folded in self._seen:
            other = self._seen[folded]
            place = "twice in " + section if other == section else "in both inkludera and exkludera"
            raise PlanFileError(
                f"{self.where}: {array} {' / '.join(key)} appears {place}; TAK-web refuses an order with the "
                "same key in more than one place"
            )
        self._seen[folded] = section
        target = self.inkludera if section == "inkludera" else self.exkludera
        target[array].append(item)

    def sorted_sections(self) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
        def order(sec: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
            return {
                "tjanstekomponenter": sorted(sec["tjanstekomponenter"], key=lambda i: i["hsaId"]),
                "tjanstekontrakt": sorted(sec["tjanstekontrakt"], key=lambda i: i["namnrymd"]),
                "logiskadresser": sorted(sec["logiskadresser"], key=lambda i: i["hsaId"]),
                "anropsbehorigheter": sorted(
                    sec["anropsbehorigheter"],
                    key=lambda i: (i["logiskAdress"], i["tjanstekonsument"], i["tjanstekontrakt"]),
                ),
                "vagval": sorted(sec["vagval"], key=lambda i: (i["logiskAdress"], i["tjanstekontrakt"])),
            }

        return order(self.inkludera), order(self.exkludera)


@dataclass(frozen=True)
class NewObjects:
    """Every logical address, system and contract the plan creates, by upper-case id / namespace."""

    addresses: Mapping[str, dict[str, Any]]
    systems: Mapping[str, dict[str, Any]]
    contracts: Mapping[str, dict[str, Any]]


def collect_new_objects(orders: Sequence[Mapping[str, Any]]) -> NewObjects:
    """Every new logical address, system and contract of the plan's orders, checked."""
    addresses: dict[str, dict[str, Any]] = {}
    systems: dict[str, dict[str, Any]] = {}
    contracts: dict[str, dict[str, Any]] = {}
    for order in orders:
        where = f"plan order {order.get('id')}"
        for change in order.get("changes") or ():
            action = change.get("action")
            if action == "add-logical-address":
                hsa = valid_hsa_id(text_field(change, "hsa_id", where), "logical address", where, wildcard=True)
                addresses[hsa] = {"hsaId": hsa, "beskrivning": text_field(change, "description", where)}
            elif action == "add-system":
                hsa = valid_hsa_id(text_field(change, "hsa_id", where), "system", where)
                systems[hsa] = {"hsaId": hsa, "beskrivning": text_field(change, "description", where)}
            elif action == "add-contract":
                ns = valid_namespace(text_field(change, "namespace", where), where)
                major = change.get("major")
                if not isinstance(major, int) or isinstance(major, bool) or major < 0:
                    raise PlanFileError(f"{where}: add-contract {ns} needs an integer 'major'")
                contracts[ns.casefold()] = {
                    "namnrymd": ns,
                    "beskrivning": text_field(change, "description", where),
                    "majorVersion": major,
                }
    return NewObjects(addresses, systems, contracts)


def fill_order(order: Mapping[str, Any], where: str, new: NewObjects) -> Sections:
    """The sections of one plan order: its rows, and the new objects they refer to in ``inkludera``."""
    sections = Sections(where)
    referenced_addresses: set[str] = set()
    referenced_systems: set[str] = set()
    referenced_contracts: set[str] = set()
    for change in order.get("changes") or ():
        action = change.get("action")
        if action not in _KNOWN_ACTIONS:
            raise PlanFileError(f"{where}: unknown change action {action!r}")
        if action == "add-logical-address":
            hsa_id = text_field(change, "hsa_id", where)
            referenced_addresses.add(valid_hsa_id(hsa_id, "logical address", where, wildcard=True))
            continue
        if action == "add-system":
            referenced_systems.add(valid_hsa_id(text_field(change, "hsa_id", where), "system", where))
            continue
        if action == "add-contract":
            referenced_contracts.add(text_field(change, "namespace", where).casefold())
            continue
        if action in _ROUTING_ADDS or action == "remove-routing":
            address = valid_hsa_id(text_field(change, "address", where), "logical address", where, wildcard=True)
            contract = valid_namespace(text_field(change, "contract", where), where)
            side = "before" if action == "remove-routing" else "after"
            producer, url, profile = routing_value(change, side, where)
            section = "exkludera" if action == "remove-routing" else "inkludera"
            item = {
                "tjanstekomponent": producer,
                "logiskAdress": address,
                "tjanstekontrakt": contract,
                "rivtaprofil": profile,
                "adress": url,
            }
            sections.add(section, "vagval", (address, contract), item)
            system = producer
        else:  # add-authorization / remove-authorization
            consumer = valid_hsa_id(text_field(change, "consumer", where), "consumer", where)
            address = valid_hsa_id(text_field(change, "address", where), "logical address", where, wildcard=True)
            contract = valid_namespace(text_field(change, "contract", where), where)
            section = "exkludera" if action == "remove-authorization" else "inkludera"
            item = {"tjanstekonsument": consumer, "logiskAdress": address, "tjanstekontrakt": contract}
            sections.add(section, "anropsbehorigheter", (address, consumer, contract), item)
            system = consumer
        if section == "inkludera":
            referenced_addresses.add(address)
            referenced_systems.add(system)
            referenced_contracts.add(contract.casefold())
    for hsa in sorted(referenced_addresses):
        if hsa in new.addresses:
            sections.add("inkludera", "logiskadresser", (hsa,), dict(new.addresses[hsa]))
    for hsa in sorted(referenced_systems):
        if hsa in new.systems:
            sections.add("inkludera", "tjanstekomponenter", (hsa,), dict(new.systems[hsa]))
    for ns in sorted(referenced_contracts):
        if ns in new.contracts:
            sections.add("inkludera", "tjanstekontrakt", (ns,), dict(new.contracts[ns]))
    return sections


def document_lines(document: Mapping[str, Any]) -> list[tuple[str, str, tuple[str, ...], tuple[str, str, str] | None]]:
    """The routing and authorization lines of an order document, in natural keys, sorted.

    Each line is (section, kind, key, value): ``vagval`` key (address, contract) with value (producer, url,
    profile) in inkludera and None in exkludera; ``anropsbehorighet`` key (consumer, address, contract).
    """
    lines: list[tuple[str, str, tuple[str, ...], tuple[str, str, str] | None]] = []
    for section in ("inkludera", "exkludera"):
        body = document.get(section) or {}
        for v in body.get("vagval") or ():
            key = (str(v["logiskAdress"]).upper(), str(v["tjanstekontrakt"]))
            value = (
                (str(v["tjanstekomponent"]).upper(), str(v["adress"]), str(v["rivtaprofil"]))
                if section == "inkludera"
                else None
            )
            lines.append((section, "vagval", key, value))
        for a in body.get("anropsbehorigheter") or ():
            akey = (str(a["tjanstekonsument"]).upper(), str(a["logiskAdress"]).upper(), str(a["tjanstekontrakt"]))
            lines.append((section, "anropsbehorighet", akey, None))
    return sorted(lines, key=lambda line: (line[0], line[1], line[2]))
