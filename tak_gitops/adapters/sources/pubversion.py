"""The ``pubversion`` and ``takdump`` formats: a TAK published version (also the nightly takdump), whose
relationships are numeric row ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tak_gitops.adapters.sources.pv_tables import (
    add_routing,
    check_duplicates,
    lookup,
    read_plain_tables,
    rel,
    table,
    valid_rows,
)
from tak_gitops.adapters.sources.rows import Rows, intern, need, need_str
from tak_gitops.core.snapshot import RoutingKey


def read_pubversion(doc: dict[str, Any], path: Path, rows: Rows, today: str) -> None:
    """Read the tables of a published version or takdump into ``rows``."""
    data = doc["data"]
    profiles, contracts, addresses, components = read_plain_tables(data, path, rows)
    endpoints: dict[Any, tuple[str, str, str]] = {}
    for i, r in enumerate(table(data, "anropsadress", path)):
        label = f"anropsadress[{i}]"
        url = intern(need_str(r, "adress", label, path))
        profile = lookup(profiles, rel(r, ("rivtaprofil",), label, path), "rivtaprofil", label, "rivtaprofil", path)
        producer = lookup(
            components, rel(r, ("tjanstekomponent",), label, path), "tjanstekomponent", label, "tjanstekomponent",
            path,
        )
        endpoints[need(r, "id", label, path)] = (producer, url, profile)
    for label, r in valid_rows(data, "anropsbehorighet", path, today):
        consumer = lookup(components, rel(r, ("tjanstekonsument", "tjanstekomponent"), label, path),
                          "tjanstekomponent", label, "tjanstekonsument", path)
        address = lookup(addresses, rel(r, ("logiskAdress", "logiskadress"), label, path), "logiskadress",
                         label, "logiskAdress", path)
        ns = lookup(contracts, rel(r, ("tjanstekontrakt",), label, path), "tjanstekontrakt", label,
                    "tjanstekontrakt", path)
        rows.authorizations[consumer, address, ns] = None
    keys: list[RoutingKey | None] = []
    for label, r in valid_rows(data, "vagval", path, today, keys):
        endpoint = lookup(endpoints, rel(r, ("anropsadress",), label, path), "anropsadress", label,
                          "anropsadress", path)
        address = lookup(addresses, rel(r, ("logiskadress", "logiskAdress"), label, path), "logiskadress",
                         label, "logiskadress", path)
        ns = lookup(contracts, rel(r, ("tjanstekontrakt",), label, path), "tjanstekontrakt", label,
                    "tjanstekontrakt", path)
        add_routing(rows, keys, (address, ns), endpoint)
    check_duplicates(rows, keys, path)
