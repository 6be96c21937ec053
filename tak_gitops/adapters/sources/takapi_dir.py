"""The ``tak-api`` format: a directory of saved TAK-api v2 list responses (file names in the package documentation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tak_gitops.adapters.sources.jsonfile import gc_paused, iter_array, list_of_objects, load_json
from tak_gitops.adapters.sources.rows import Rows, intern, need, need_str
from tak_gitops.core.snapshot import Contract, RoutingKey, Snapshot
from tak_gitops.core.snapshot_checks import DuplicateRouting, check_duplicate_routings
from tak_gitops.errors import SourceError

CONNECTION_POINTS = "connectionPoints.json"
COOPERATIONS = "cooperations.json"
SERVICE_PRODUCTIONS = "serviceProductions.json"
INSTALLED_CONTRACTS = "installedContracts.json"
LOGICAL_ADDRESSES = "logicalAddresses.json"

COOPERATION_INCLUDE = "serviceConsumer,logicalAddress,serviceContract"
PRODUCTION_INCLUDE = "serviceProducer,logicalAddress,serviceContract,physicalAddress"

_NESTED_KEYS = {"serviceConsumer": "hsaId", "serviceProducer": "hsaId", "logicalAddress": "logicalAddress"}


def _diagnose_row(row: Any, label: str, path: Path, nested: tuple[str, ...], include: str) -> None:
    """Find the first problem in a cooperation/serviceProduction row (slow path after the fast loop failed)."""
    hint = f" (fetched without include={include}?)"
    for name in nested:
        obj = need(row, name, label, path, hint)
        sub = f"{label}.{name}"
        if name == "serviceContract":
            need_str(obj, "namespace", sub, path)
            for k in ("major", "minor"):
                if k in obj and not isinstance(obj[k], int):
                    raise SourceError(f"{k!r} must be an integer, found {obj[k]!r}", path=str(path), row=sub)
            if "name" in obj and not isinstance(obj["name"], str):
                raise SourceError("'name' must be a string", path=str(path), row=sub)
        else:
            need_str(obj, _NESTED_KEYS[name], sub, path)
        if "description" in obj and not isinstance(obj["description"], str):
            raise SourceError("'description' must be a string", path=str(path), row=sub)
    if "serviceProducer" in nested:
        need_str(row, "physicalAddress", label, path)
        need_str(row, "rivtaProfile", label, path)


def _index_of(doc: list[Any], row: Any) -> int:
    return next(i for i, r in enumerate(doc) if r is row)


def _read_nested(path: Path, rows: Rows, what: str, party: str, include: str) -> None:
    """Read cooperations (``party`` serviceConsumer: authorizations) or serviceProductions (serviceProducer:
    routings), normalizing the nested objects through the caches; an unreadable row is a SourceError naming it."""
    auths = rows.authorizations
    routings = rows.routings if party == "serviceProducer" else None
    dups = rows.duplicate_keys
    sys_ids, la_ids, ns_ids = rows.system_ids, rows.address_ids, rows.namespaces
    for offset, doc in iter_array(path, what):
        row: Any = None
        try:
            for row in doc:
                s = row[party]
                la = row["logicalAddress"]
                sc = row["serviceContract"]
                system = sys_ids.get(s["hsaId"]) or rows.system(s)
                address = la_ids.get(la["logicalAddress"]) or rows.address(la)
                ns = ns_ids.get(sc["namespace"]) or rows.contract(sc)
                if routings is None:
                    auths[system, address, ns] = None
                    continue
                key = (address, ns)
                if key in routings:
                    dups.add(key)
                routings[key] = (system, intern(row["physicalAddress"]), intern(row["rivtaProfile"]))
        except (KeyError, TypeError, AttributeError):
            label = f"{what}[{offset + _index_of(doc, row)}]"
            _diagnose_row(row, label, path, (party, "logicalAddress", "serviceContract"), include)
            raise SourceError("unreadable row", path=str(path), row=label) from None


def _read_cooperations(path: Path, rows: Rows) -> None:
    _read_nested(path, rows, "cooperations", "serviceConsumer", COOPERATION_INCLUDE)


def _read_productions(path: Path, rows: Rows) -> None:
    _read_nested(path, rows, "serviceProductions", "serviceProducer", PRODUCTION_INCLUDE)
    dups = rows.duplicate_keys
    if dups:
        la_ids, ns_ids = rows.address_ids, rows.namespaces
        found: dict[RoutingKey, list[str]] = {k: [] for k in dups}
        for offset, doc in iter_array(path, "serviceProductions"):
            for j, row in enumerate(doc, offset):
                k = (la_ids[row["logicalAddress"]["logicalAddress"]], ns_ids[row["serviceContract"]["namespace"]])
                if k in found:
                    found[k].append(f"serviceProductions[{j}]")
        check_duplicate_routings((DuplicateRouting(k, tuple(v)) for k, v in found.items()), source=str(path))


def select_connection_point(doc: Any, path: str, platform: str, environment: str) -> dict[str, Any]:
    """The connectionPoints row of ``platform``/``environment``; a SourceError lists the ones that exist."""
    if not isinstance(doc, list):
        raise SourceError(f"expected a JSON array of connection points, found {type(doc).__name__}", path=path)
    seen = []
    for i, cp in enumerate(doc):
        if not isinstance(cp, dict) or not isinstance(cp.get("platform"), str) or not isinstance(
            cp.get("environment"), str
        ):
            raise SourceError("a connection point needs 'platform' and 'environment'", path=path,
                              row=f"connectionPoints[{i}]")
        if cp["platform"].upper() == platform.upper() and cp["environment"].upper() == environment.upper():
            return cp
        seen.append(f"{cp['platform']}/{cp['environment']}")
    existing = ", ".join(sorted(seen)) or "none"
    raise SourceError(f"no connection point {platform}/{environment}; the TAK-api has: {existing}", path=path)


def _read_installed(path: Path, rows: Rows, cp: dict[str, Any]) -> None:
    """Installed contracts. The TAK-api embeds each row's connection point: rows of another connection point
    than ``cp`` mean the directory was saved for another platform or environment, and are refused."""
    doc = list_of_objects(load_json(path), path, "installedContracts")
    want = (str(cp["platform"]).upper(), str(cp["environment"]).upper())
    for i, row in enumerate(doc):
        label = f"installedContracts[{i}]"
        held = row.get("connectionPoint") if isinstance(row, dict) else None
        if isinstance(held, dict):
            got = (str(held.get("platform", "")).upper(), str(held.get("environment", "")).upper())
            if got != want:
                raise SourceError(
                    f"this directory holds the TAK of {got[0]}/{got[1]}, not {want[0]}/{want[1]}: read it for "
                    f"{got[0]}/{got[1]}, or fetch {want[0]}/{want[1]} into a directory of its own",
                    path=str(path), row=f"{label}.connectionPoint",
                )
        sc = need(row, "serviceContract", label, path)
        ns = intern(need_str(sc, "namespace", f"{label}.serviceContract", path))
        major, minor = sc.get("major", 0), sc.get("minor", 0)
        if not isinstance(major, int) or not isinstance(minor, int):
            raise SourceError("'major' and 'minor' must be integers", path=str(path), row=f"{label}.serviceContract")
        rows.contracts[ns] = Contract(ns, intern(sc.get("name", "")), major, minor)


def _read_logical_addresses(path: Path, rows: Rows) -> None:
    """Descriptions from ``GET logicalAddresses``; fills in addresses the rows left without a description."""
    la_ids, las = rows.address_ids, rows.logical_addresses
    for offset, doc in iter_array(path, "logicalAddresses"):
        row: Any = None
        try:
            for row in doc:
                hsa = la_ids.get(row["logicalAddress"])
                if hsa is None:
                    rows.address(row)
                elif not las[hsa]:
                    desc = row.get("description", "")
                    las[hsa] = intern(desc) if desc else ""
        except (KeyError, TypeError, AttributeError):
            label = f"logicalAddresses[{offset + _index_of(doc, row)}]"
            need_str(row, "logicalAddress", label, path)
            raise SourceError("'description' must be a string", path=str(path), row=label) from None


def read_takapi_dir(directory: Path, *, platform: str, environment: str) -> Snapshot:
    """Read a directory of saved TAK-api v2 responses (file names in the package documentation)."""
    for name in (CONNECTION_POINTS, COOPERATIONS, SERVICE_PRODUCTIONS):
        if not (directory / name).is_file():
            raise SourceError(f"a TAK-api response directory needs {name}", path=str(directory))
    cp = select_connection_point(
        load_json(directory / CONNECTION_POINTS), str(directory / CONNECTION_POINTS), platform, environment
    )
    snapshot_time = cp.get("snapshotTime")
    rows = Rows()
    with gc_paused():
        if (directory / INSTALLED_CONTRACTS).is_file():
            _read_installed(directory / INSTALLED_CONTRACTS, rows, cp)
        _read_productions(directory / SERVICE_PRODUCTIONS, rows)
        _read_cooperations(directory / COOPERATIONS, rows)
        if (directory / LOGICAL_ADDRESSES).is_file():
            _read_logical_addresses(directory / LOGICAL_ADDRESSES, rows)
    return rows.snapshot(
        platform=cp["platform"], environment=cp["environment"],
        snapshot_time=snapshot_time if isinstance(snapshot_time, str) else None, source="tak-api",
    )
