"""What the published-version formats share: the plain tables, relationships, validity dates, duplicate routings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tak_gitops.adapters.sources.rows import Rows, hsa, intern, need, need_str
from tak_gitops.core.snapshot import Contract, RoutingKey
from tak_gitops.core.snapshot_checks import DuplicateRouting, check_duplicate_routings
from tak_gitops.errors import SourceError


def valid_today(row: dict[str, Any], today: str) -> bool:
    """Whether ``[fromTidpunkt, tomTidpunkt]`` (dates, both inclusive) contains ``today``."""
    start = row.get("fromTidpunkt")
    end = row.get("tomTidpunkt")
    if start is not None and start[:10] > today:
        return False
    return not (end is not None and end[:10] < today)


def table(data: dict[str, Any], name: str, path: Path) -> list[dict[str, Any]]:
    """The rows of ``data.<name>`` (none when absent or null)."""
    rows = data.get(name, [])
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise SourceError(f"'data.{name}' must be an array, found {type(rows).__name__}", path=str(path))
    return rows


def rel(row: dict[str, Any], keys: tuple[str, ...], label: str, path: Path) -> Any:
    """The first of ``relationships.<key>`` present and not null, trying ``keys`` in order."""
    relationships = need(row, "relationships", label, path)
    if not isinstance(relationships, dict):
        raise SourceError("'relationships' must be an object", path=str(path), row=label)
    for k in keys:
        if k in relationships and relationships[k] is not None:
            return relationships[k]
    raise SourceError(f"missing relationships.{keys[0]}", path=str(path), row=label)


def lookup(table: dict[Any, Any], ref: Any, what: str, label: str, rel: str, path: Path) -> Any:
    """``table[ref]``; a SourceError names the relationship when ``ref`` is not in the file."""
    try:
        return table[ref]
    except (KeyError, TypeError):
        raise SourceError(
            f"relationships.{rel} refers to {what} {ref!r}, which is not in the file", path=str(path), row=label
        ) from None


def dates_checked(row: Any, label: str, path: Path) -> dict[str, Any]:
    """``row`` when it is an object whose validity dates are date-times (or absent)."""
    if not isinstance(row, dict):
        raise SourceError(f"expected an object, found {type(row).__name__}", path=str(path), row=label)
    for k in ("fromTidpunkt", "tomTidpunkt"):
        v = row.get(k)
        if v is not None and (not isinstance(v, str) or len(v) < 10):
            raise SourceError(f"{k!r} must be a date-time, found {v!r}", path=str(path), row=label)
    return row


def valid_rows(
    data: dict[str, Any], name: str, path: Path, today: str, dropped: list[RoutingKey | None] | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(label, row)`` of the rows of ``data.<name>`` valid ``today``; each row dropped appends None to
    ``dropped`` (so that ``vagval[j]`` keeps its index there)."""
    for i, r in enumerate(table(data, name, path)):
        label = f"{name}[{i}]"
        if valid_today(dates_checked(r, label, path), today):
            yield label, r
        elif dropped is not None:
            dropped.append(None)


def read_plain_tables(
    data: dict[str, Any], path: Path, rows: Rows
) -> tuple[dict[Any, str], dict[Any, str], dict[Any, str], dict[Any, str]]:
    """Read the plain tables; return id -> natural key maps for profiles, contracts, addresses, components."""
    profiles: dict[Any, str] = {}
    for i, r in enumerate(table(data, "rivtaprofil", path)):
        label = f"rivtaprofil[{i}]"
        profiles[need(r, "id", label, path)] = intern(need_str(r, "namn", label, path))
    contracts: dict[Any, str] = {}
    for i, r in enumerate(table(data, "tjanstekontrakt", path)):
        label = f"tjanstekontrakt[{i}]"
        ns = intern(need_str(r, "namnrymd", label, path))
        major, minor = r.get("majorVersion", 0) or 0, r.get("minorVersion", 0) or 0
        if not isinstance(major, int) or not isinstance(minor, int):
            raise SourceError("majorVersion/minorVersion must be integers", path=str(path), row=label)
        contracts[need(r, "id", label, path)] = ns
        rows.contracts[ns] = Contract(ns, intern(r.get("beskrivning") or ""), major, minor)
    addresses = _hsa_table(data, "logiskadress", path, rows.logical_addresses)
    components = _hsa_table(data, "tjanstekomponent", path, rows.systems)
    return profiles, contracts, addresses, components


def _hsa_table(data: dict[str, Any], name: str, path: Path, descriptions: dict[str, str]) -> dict[Any, str]:
    """Read logiskadress/tjanstekomponent rows: id -> upper-case HSA-id. Two rows with one HSA-id (in any
    case) are an error, as TAK keeps the HSA-id unique."""
    ids: dict[Any, str] = {}
    first: dict[str, int] = {}
    for i, r in enumerate(table(data, name, path)):
        label = f"{name}[{i}]"
        value = hsa(need_str(r, "hsaId", label, path))
        if value in first:
            raise SourceError(
                f"HSA-id {r['hsaId']!r} occurs twice (also in {name}[{first[value]}]; HSA-ids are case-insensitive)",
                path=str(path), row=label,
            )
        first[value] = i
        ids[need(r, "id", label, path)] = value
        descriptions[value] = intern(r.get("beskrivning") or "")
    return ids


def add_routing(rows: Rows, keys: list[RoutingKey | None], key: RoutingKey, value: tuple[str, str, str]) -> None:
    """Record the routing of the next ``vagval`` row, remembering a key seen before."""
    keys.append(key)
    if key in rows.routings:
        rows.duplicate_keys.add(key)
    rows.routings[key] = value


def check_duplicates(rows: Rows, keys: list[RoutingKey | None], path: Path) -> None:
    """Refuse duplicate routing keys; ``keys[j]`` is the key of ``vagval[j]`` (None when dropped)."""
    if not rows.duplicate_keys:
        return
    found: dict[RoutingKey, list[str]] = {k: [] for k in rows.duplicate_keys}
    for j, k in enumerate(keys):
        if k in found:
            found[k].append(f"vagval[{j}]")
    check_duplicate_routings((DuplicateRouting(k, tuple(v)) for k, v in found.items()), source=str(path))
