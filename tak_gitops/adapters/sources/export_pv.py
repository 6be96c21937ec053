"""The ``export-pv`` format: tak-services ``/export/pv``, a published version whose relationships hold natural keys
(HSA-ids, namespaces, URLs, profile names)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tak_gitops.adapters.sources.pv_tables import (
    add_routing,
    check_duplicates,
    read_plain_tables,
    rel,
    table,
    valid_rows,
)
from tak_gitops.adapters.sources.rows import Rows, hsa, intern, need_str
from tak_gitops.core.snapshot import RoutingKey
from tak_gitops.errors import SourceError


def read_export_pv(doc: dict[str, Any], path: Path, rows: Rows, today: str) -> None:
    """Read the tables of an /export/pv document into ``rows``."""
    data = doc["data"]
    read_plain_tables(data, path, rows)
    by_url: dict[str, set[tuple[str, str]]] = {}
    for i, r in enumerate(table(data, "anropsadress", path)):
        label = f"anropsadress[{i}]"
        url = intern(need_str(r, "adress", label, path))
        profile = rel(r, ("rivtaprofil",), label, path)
        producer = rel(r, ("tjanstekomponent",), label, path)
        if not isinstance(profile, str) or not isinstance(producer, str):
            raise SourceError("relationships.rivtaprofil and .tjanstekomponent must be names", path=str(path),
                              row=label)
        by_url.setdefault(url, set()).add((hsa(producer), intern(profile)))

    def natural(r: dict[str, Any], keys: tuple[str, ...], label: str) -> str:
        v = rel(r, keys, label, path)
        if not isinstance(v, str) or not v.strip():
            raise SourceError(f"relationships.{keys[0]} must be a non-empty string, found {v!r}", path=str(path),
                              row=label)
        return v

    for label, r in valid_rows(data, "anropsbehorighet", path, today):
        rows.authorizations[
            hsa(natural(r, ("tjanstekonsument", "tjanstekomponent"), label)),
            hsa(natural(r, ("logiskAdress", "logiskadress"), label)),
            intern(natural(r, ("tjanstekontrakt",), label)),
        ] = None
    keys: list[RoutingKey | None] = []
    for label, r in valid_rows(data, "vagval", path, today, keys):
        url = natural(r, ("anropsadress",), label)
        targets = by_url.get(url)
        if not targets:
            raise SourceError(f"relationships.anropsadress {url!r} is not an anropsadress in the file",
                              path=str(path), row=label)
        if len(targets) > 1:
            listed = ", ".join(f"{p} ({prof})" for p, prof in sorted(targets))
            raise SourceError(f"relationships.anropsadress {url!r} is ambiguous: it belongs to {listed}",
                              path=str(path), row=label)
        ((producer, profile),) = targets
        key = (hsa(natural(r, ("logiskAdress", "logiskadress"), label)),
               intern(natural(r, ("tjanstekontrakt",), label)))
        add_routing(rows, keys, key, (producer, intern(url), profile))
    check_duplicates(rows, keys, path)
