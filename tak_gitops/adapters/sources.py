"""Readers for current-TAK sources: every one ends in a normalized :class:`~tak_gitops.core.snapshot.Snapshot`.

Formats (``--format`` names):

``tak-api``
    A directory of saved TAK-api v2 list responses (what ``fetch`` downloads), one JSON array per file:

    * ``connectionPoints.json`` (required): ``GET connectionPoints``; the row of the platform+environment gives
      the snapshot time;
    * ``cooperations.json`` (required): ``GET cooperations?connectionPointId=X&include=`` :data:`COOPERATION_INCLUDE`;
    * ``serviceProductions.json`` (required): ``GET serviceProductions?connectionPointId=X&include=``
      :data:`PRODUCTION_INCLUDE` (``physicalAddress`` included, else the URLs come back obfuscated);
    * ``installedContracts.json`` (optional): ``GET installedContracts?connectionPointId=X``; without it the
      contracts are those the rows mention;
    * ``logicalAddresses.json`` (optional): ``GET logicalAddresses?connectionPointId=X``; adds descriptions.
``pubversion``
    A TAK published-version JSON (``PubVersion.data``, also gzipped as downloaded from TAK-web).
``takdump``
    The nightly ``takdump_<platform>_<env>.json`` (a published version with ``tjanstekonsument`` relationships).
``export-pv``
    ``tak-services /export/pv``: a published version whose relationships are natural keys.

Published-version rows whose ``[fromTidpunkt, tomTidpunkt]`` (dates, both inclusive) does not contain *today*
are dropped, as the TAK-api import does. Deleted rows are already absent from these files.

Files are parsed one at a time with orjson (large TAK-api arrays in pieces, see :func:`iter_array`); each
distinct HSA-id or namespace is normalized once and interned; each parsed tree is dropped before the next is
read. Any problem is a :class:`~tak_gitops.errors.SourceError` naming the file and the row; two rows with one
routing key (in any case) are a :class:`~tak_gitops.errors.SnapshotRefused` listing them. Mixed-case copies of
one authorization collapse into one (an authorization has no attributes that could differ).
"""

from __future__ import annotations

import gc
import gzip
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from tak_gitops.core.snapshot import AuthorizationKey, Contract, RoutingKey, RoutingValue, Snapshot
from tak_gitops.core.snapshot_checks import DuplicateRouting, check_duplicate_routings
from tak_gitops.errors import SourceError

FORMATS = ("tak-api", "pubversion", "takdump", "export-pv")

CONNECTION_POINTS = "connectionPoints.json"
COOPERATIONS = "cooperations.json"
SERVICE_PRODUCTIONS = "serviceProductions.json"
INSTALLED_CONTRACTS = "installedContracts.json"
LOGICAL_ADDRESSES = "logicalAddresses.json"

COOPERATION_INCLUDE = "serviceConsumer,logicalAddress,serviceContract"
PRODUCTION_INCLUDE = "serviceProducer,logicalAddress,serviceContract,physicalAddress"

_intern = sys.intern


FREEZE_AFTER_OBJECTS = 250_000
"""Objects a :func:`gc_paused` block must leave behind for them to be frozen (national-scale data, not a test's)."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures (JSON trees, row tuples,
    document trees): at national scale its passes over the growing heap cost more than the building itself.

    When the block leaves more than :data:`FREEZE_AFTER_OBJECTS` new objects behind (a national-scale input),
    they are moved to the permanent generation (``gc.freeze``) as the collector resumes: they hold no
    reference cycles and are freed by reference counting as usual, but later collection passes no longer
    traverse them again and again (a few tenths of a second per plan)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] > FREEZE_AFTER_OBJECTS:
            gc.freeze()
        if enabled:
            gc.enable()


def _hsa(value: Any) -> str:
    return _intern(value.strip().upper())


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise SourceError(f"not a complete gzip file: {exc}", path=str(path)) from None
    if not data.strip():
        raise SourceError("the file is empty", path=str(path))
    return data


def _parse(data: bytes, path: Path) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON (truncated or corrupt?): {exc.msg} at line {exc.lineno} column {exc.colno}",
            path=str(path),
        ) from None


def load_json(path: Path) -> Any:
    """Parse one JSON file (gzip accepted) with orjson; a SourceError names the file, line and column."""
    return _parse(_read_bytes(path), path)


CHUNK_BYTES = 8 << 20
"""Large JSON arrays are parsed in pieces of about this size, so only one piece's tree is alive at a time."""


def iter_array(path: Path, what: str, chunk_bytes: int | None = None) -> Iterator[tuple[int, list[Any]]]:
    """Yield ``(index of the first row, rows)`` pieces of the JSON array in ``path``.

    A compact array of objects (``[{...},{...}]``, as the TAK-api sends it) is cut at ``},{`` into pieces
    of about ``chunk_bytes`` (default :data:`CHUNK_BYTES`), and each piece is parsed on its own; only the raw
    bytes and one piece's tree are held at a time. Should a cut fall inside a string, the piece does not parse
    and the rest of the file is parsed whole, so the rows are the same either way. Anything else is parsed whole.
    """
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    data = _read_bytes(path)
    head = data.lstrip()[:1]
    if head != b"[" or len(data) <= 2 * chunk_bytes:
        doc = _list_of_objects(_parse(data, path), path, what)
        del data
        yield 0, doc
        return
    first = data.index(b"[") + 1
    last = len(data.rstrip()) - 1
    bounds: list[tuple[int, int]] = []
    start = first
    while True:
        cut = data.find(b"},{", start + chunk_bytes, last)
        if cut < 0:
            bounds.append((start, last))
            break
        bounds.append((start, cut + 1))
        start = cut + 2
    offset = 0
    for a, b in bounds:
        try:
            part = orjson.loads(b"[" + data[a:b] + b"]")
        except orjson.JSONDecodeError:
            doc = _list_of_objects(_parse(data, path), path, what)
            del data
            yield offset, doc[offset:]
            return
        yield offset, part
        offset += len(part)
        del part


class _Rows:
    """Accumulates normalized rows and remembers duplicate routing keys for the check.

    The caches map a raw HSA-id or namespace string, as found in the source, to its normalized, interned
    form; a cache miss is also the moment a description is recorded."""

    def __init__(self) -> None:
        self.routings: dict[RoutingKey, RoutingValue] = {}
        self.authorizations: set[AuthorizationKey] = set()
        self.logical_addresses: dict[str, str] = {}
        self.systems: dict[str, str] = {}
        self.contracts: dict[str, Contract] = {}
        self.duplicate_keys: set[RoutingKey] = set()
        self.system_ids: dict[str, str] = {}
        self.address_ids: dict[str, str] = {}
        self.namespaces: dict[str, str] = {}

    def snapshot(self, *, platform: str, environment: str, snapshot_time: str | None, source: str) -> Snapshot:
        return Snapshot(
            platform=platform,
            environment=environment,
            snapshot_time=snapshot_time,
            source=source,
            routings=self.routings,
            authorizations=frozenset(self.authorizations),
            logical_addresses=self.logical_addresses,
            systems=self.systems,
            contracts=self.contracts,
        )

    def system(self, obj: dict[str, Any]) -> str:
        """Normalize a nested serviceConsumer/serviceProducer (cache miss path)."""
        return self._described(obj, "hsaId", self.system_ids, self.systems)

    def address(self, obj: dict[str, Any]) -> str:
        """Normalize a nested logicalAddress (cache miss path)."""
        return self._described(obj, "logicalAddress", self.address_ids, self.logical_addresses)

    @staticmethod
    def _described(obj: dict[str, Any], key: str, ids: dict[str, str], descriptions: dict[str, str]) -> str:
        """The HSA-id under ``key``, normalized and remembered, with the first description seen for it."""
        hsa = _hsa(obj[key])
        if not hsa:
            raise TypeError(f"empty {key}")
        ids[obj[key]] = hsa
        descriptions.setdefault(hsa, _intern(obj.get("description", "")))
        return hsa

    def contract(self, obj: dict[str, Any]) -> str:
        """Normalize a nested serviceContract (cache miss path)."""
        ns = self.namespaces[obj["namespace"]] = _intern(obj["namespace"])
        major, minor = obj.get("major", 0), obj.get("minor", 0)
        if not isinstance(major, int) or not isinstance(minor, int):
            raise TypeError("major/minor")
        if ns not in self.contracts:
            self.contracts[ns] = Contract(ns, _intern(obj.get("name", "")), major, minor)
        return ns


def _list_of_objects(doc: Any, path: Path, what: str) -> list[dict[str, Any]]:
    if not isinstance(doc, list):
        raise SourceError(f"expected a JSON array of {what}, found {type(doc).__name__}", path=str(path))
    return doc


# --------------------------------------------------------------------------------------------- TAK-api directory


def _need(row: Any, key: str, label: str, path: Path, hint: str = "") -> Any:
    if not isinstance(row, dict):
        raise SourceError(f"expected an object, found {type(row).__name__}", path=str(path), row=label)
    if key not in row:
        raise SourceError(f"missing key {key!r}{hint}", path=str(path), row=label)
    return row[key]


def _need_str(row: Any, key: str, label: str, path: Path, hint: str = "") -> str:
    value = _need(row, key, label, path, hint)
    if not isinstance(value, str) or not value.strip():
        raise SourceError(f"{key!r} must be a non-empty string, found {value!r}", path=str(path), row=label)
    return value


def _diagnose_takapi_row(row: Any, label: str, path: Path, nested: tuple[str, ...], include: str) -> None:
    """Find the first problem in a cooperation/serviceProduction row (slow path after the fast loop failed)."""
    hint = f" (fetched without include={include}?)"
    keys = {"serviceConsumer": "hsaId", "serviceProducer": "hsaId", "logicalAddress": "logicalAddress"}
    for name in nested:
        obj = _need(row, name, label, path, hint)
        sub = f"{label}.{name}"
        if name == "serviceContract":
            _need_str(obj, "namespace", sub, path)
            for k in ("major", "minor"):
                if k in obj and not isinstance(obj[k], int):
                    raise SourceError(f"{k!r} must be an integer, found {obj[k]!r}", path=str(path), row=sub)
            if "name" in obj and not isinstance(obj["name"], str):
                raise SourceError("'name' must be a string", path=str(path), row=sub)
        else:
            _need_str(obj, keys[name], sub, path)
        if "description" in obj and not isinstance(obj["description"], str):
            raise SourceError("'description' must be a string", path=str(path), row=sub)
    if "serviceProducer" in nested:
        _need_str(row, "physicalAddress", label, path)
        _need_str(row, "rivtaProfile", label, path)


def _read_cooperations(path: Path, rows: _Rows) -> None:
    auth = rows.authorizations
    sys_ids, la_ids, ns_ids = rows.system_ids, rows.address_ids, rows.namespaces
    for offset, doc in iter_array(path, "cooperations"):
        row: Any = None
        try:
            for row in doc:
                c = row["serviceConsumer"]
                la = row["logicalAddress"]
                sc = row["serviceContract"]
                consumer = sys_ids.get(c["hsaId"]) or rows.system(c)
                address = la_ids.get(la["logicalAddress"]) or rows.address(la)
                ns = ns_ids.get(sc["namespace"]) or rows.contract(sc)
                auth.add((consumer, address, ns))
        except (KeyError, TypeError, AttributeError):
            label = f"cooperations[{offset + _index_of(doc, row)}]"
            _diagnose_takapi_row(
                row, label, path, ("serviceConsumer", "logicalAddress", "serviceContract"), COOPERATION_INCLUDE
            )
            raise SourceError("unreadable row", path=str(path), row=label) from None


def _index_of(doc: list[Any], row: Any) -> int:
    return next(i for i, r in enumerate(doc) if r is row)


def _read_productions(path: Path, rows: _Rows) -> None:
    routings = rows.routings
    dups = rows.duplicate_keys
    sys_ids, la_ids, ns_ids = rows.system_ids, rows.address_ids, rows.namespaces
    for offset, doc in iter_array(path, "serviceProductions"):
        row: Any = None
        try:
            for row in doc:
                p = row["serviceProducer"]
                la = row["logicalAddress"]
                sc = row["serviceContract"]
                producer = sys_ids.get(p["hsaId"]) or rows.system(p)
                key = (
                    la_ids.get(la["logicalAddress"]) or rows.address(la),
                    ns_ids.get(sc["namespace"]) or rows.contract(sc),
                )
                if key in routings:
                    dups.add(key)
                routings[key] = (producer, _intern(row["physicalAddress"]), _intern(row["rivtaProfile"]))
        except (KeyError, TypeError, AttributeError):
            label = f"serviceProductions[{offset + _index_of(doc, row)}]"
            _diagnose_takapi_row(
                row, label, path, ("serviceProducer", "logicalAddress", "serviceContract"), PRODUCTION_INCLUDE
            )
            raise SourceError("unreadable row", path=str(path), row=label) from None
    if dups:
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
        if (
            not isinstance(cp, dict)
            or not isinstance(cp.get("platform"), str)
            or not isinstance(cp.get("environment"), str)
        ):
            raise SourceError(
                "a connection point needs 'platform' and 'environment'", path=path, row=f"connectionPoints[{i}]"
            )
        if cp["platform"].upper() == platform.upper() and cp["environment"].upper() == environment.upper():
            return cp
        seen.append(f"{cp['platform']}/{cp['environment']}")
    existing = ", ".join(sorted(seen)) or "none"
    raise SourceError(f"no connection point {platform}/{environment}; the TAK-api has: {existing}", path=path)


def _read_installed(path: Path, rows: _Rows, cp: dict[str, Any]) -> None:
    """Installed contracts. The TAK-api embeds each row's connection point: rows of another connection point
    than ``cp`` mean the directory was saved for another platform or environment, and are refused."""
    doc = _list_of_objects(load_json(path), path, "installedContracts")
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
                    path=str(path),
                    row=f"{label}.connectionPoint",
                )
        sc = _need(row, "serviceContract", label, path)
        ns = _intern(_need_str(sc, "namespace", f"{label}.serviceContract", path))
        major, minor = sc.get("major", 0), sc.get("minor", 0)
        if not isinstance(major, int) or not isinstance(minor, int):
            raise SourceError("'major' and 'minor' must be integers", path=str(path), row=f"{label}.serviceContract")
        rows.contracts[ns] = Contract(ns, _intern(sc.get("name", "")), major, minor)


def _read_logical_addresses(path: Path, rows: _Rows) -> None:
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
                    las[hsa] = _intern(desc) if desc else ""
        except (KeyError, TypeError, AttributeError):
            label = f"logicalAddresses[{offset + _index_of(doc, row)}]"
            _need_str(row, "logicalAddress", label, path)
            raise SourceError("'description' must be a string", path=str(path), row=label) from None


def read_takapi_dir(directory: Path, *, platform: str, environment: str) -> Snapshot:
    """Read a directory of saved TAK-api v2 responses (file names in the module documentation)."""
    for name in (CONNECTION_POINTS, COOPERATIONS, SERVICE_PRODUCTIONS):
        if not (directory / name).is_file():
            raise SourceError(f"a TAK-api response directory needs {name}", path=str(directory))
    cp = select_connection_point(
        load_json(directory / CONNECTION_POINTS), str(directory / CONNECTION_POINTS), platform, environment
    )
    snapshot_time = cp.get("snapshotTime")
    rows = _Rows()
    with gc_paused():
        if (directory / INSTALLED_CONTRACTS).is_file():
            _read_installed(directory / INSTALLED_CONTRACTS, rows, cp)
        _read_productions(directory / SERVICE_PRODUCTIONS, rows)
        _read_cooperations(directory / COOPERATIONS, rows)
        if (directory / LOGICAL_ADDRESSES).is_file():
            _read_logical_addresses(directory / LOGICAL_ADDRESSES, rows)
    return rows.snapshot(
        platform=cp["platform"],
        environment=cp["environment"],
        snapshot_time=snapshot_time if isinstance(snapshot_time, str) else None,
        source="tak-api",
    )


# ------------------------------------------------------------------------------------------ published versions


def _valid_today(row: dict[str, Any], today: str) -> bool:
    start = row.get("fromTidpunkt")
    end = row.get("tomTidpunkt")
    if start is not None and start[:10] > today:
        return False
    return not (end is not None and end[:10] < today)


def _table(data: dict[str, Any], name: str, path: Path) -> list[dict[str, Any]]:
    rows = data.get(name, [])
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise SourceError(f"'data.{name}' must be an array, found {type(rows).__name__}", path=str(path))
    return rows


def _rel(row: dict[str, Any], keys: tuple[str, ...], label: str, path: Path) -> Any:
    rel = _need(row, "relationships", label, path)
    if not isinstance(rel, dict):
        raise SourceError("'relationships' must be an object", path=str(path), row=label)
    for k in keys:
        if k in rel and rel[k] is not None:
            return rel[k]
    raise SourceError(f"missing relationships.{keys[0]}", path=str(path), row=label)


def _lookup(table: dict[Any, Any], ref: Any, what: str, label: str, rel: str, path: Path) -> Any:
    try:
        return table[ref]
    except (KeyError, TypeError):
        raise SourceError(
            f"relationships.{rel} refers to {what} {ref!r}, which is not in the file", path=str(path), row=label
        ) from None


def _pv_dates_checked(row: Any, label: str, path: Path) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise SourceError(f"expected an object, found {type(row).__name__}", path=str(path), row=label)
    for k in ("fromTidpunkt", "tomTidpunkt"):
        v = row.get(k)
        if v is not None and (not isinstance(v, str) or len(v) < 10):
            raise SourceError(f"{k!r} must be a date-time, found {v!r}", path=str(path), row=label)
    return row


def _read_pv_common(
    data: dict[str, Any], path: Path, rows: _Rows
) -> tuple[dict[Any, str], dict[Any, str], dict[Any, str], dict[Any, str]]:
    """Read the plain tables; return id -> natural key maps for profiles, contracts, addresses, components."""
    profiles: dict[Any, str] = {}
    for i, r in enumerate(_table(data, "rivtaprofil", path)):
        label = f"rivtaprofil[{i}]"
        profiles[_need(r, "id", label, path)] = _intern(_need_str(r, "namn", label, path))
    contracts: dict[Any, str] = {}
    for i, r in enumerate(_table(data, "tjanstekontrakt", path)):
        label = f"tjanstekontrakt[{i}]"
        ns = _intern(_need_str(r, "namnrymd", label, path))
        major, minor = r.get("majorVersion", 0) or 0, r.get("minorVersion", 0) or 0
        if not isinstance(major, int) or not isinstance(minor, int):
            raise SourceError("majorVersion/minorVersion must be integers", path=str(path), row=label)
        contracts[_need(r, "id", label, path)] = ns
        rows.contracts[ns] = Contract(ns, _intern(r.get("beskrivning") or ""), major, minor)
    addresses = _hsa_table(data, "logiskadress", path, rows.logical_addresses)
    components = _hsa_table(data, "tjanstekomponent", path, rows.systems)
    return profiles, contracts, addresses, components


def _hsa_table(data: dict[str, Any], name: str, path: Path, descriptions: dict[str, str]) -> dict[Any, str]:
    """Read logiskadress/tjanstekomponent rows: id -> upper-case HSA-id. Two rows with one HSA-id (in any
    case) are an error, as TAK keeps the HSA-id unique."""
    ids: dict[Any, str] = {}
    first: dict[str, int] = {}
    for i, r in enumerate(_table(data, name, path)):
        label = f"{name}[{i}]"
        hsa = _hsa(_need_str(r, "hsaId", label, path))
        if hsa in first:
            raise SourceError(
                f"HSA-id {r['hsaId']!r} occurs twice (also in {name}[{first[hsa]}]; HSA-ids are case-insensitive)",
                path=str(path),
                row=label,
            )
        first[hsa] = i
        ids[_need(r, "id", label, path)] = hsa
        descriptions[hsa] = _intern(r.get("beskrivning") or "")
    return ids


def _check_duplicates(rows: _Rows, keys: list[RoutingKey | None], path: Path) -> None:
    """Refuse duplicate routing keys; ``keys[j]`` is the key of ``vagval[j]`` (None when dropped)."""
    if not rows.duplicate_keys:
        return
    found: dict[RoutingKey, list[str]] = {k: [] for k in rows.duplicate_keys}
    for j, k in enumerate(keys):
        if k in found:
            found[k].append(f"vagval[{j}]")
    check_duplicate_routings((DuplicateRouting(k, tuple(v)) for k, v in found.items()), source=str(path))


def _read_pubversion(doc: dict[str, Any], path: Path, rows: _Rows, today: str) -> None:
    """Published version / takdump: numeric-id relationships."""
    data = doc["data"]
    profiles, contracts, addresses, components = _read_pv_common(data, path, rows)
    endpoints: dict[Any, tuple[str, str, str]] = {}
    for i, r in enumerate(_table(data, "anropsadress", path)):
        label = f"anropsadress[{i}]"
        url = _intern(_need_str(r, "adress", label, path))
        profile = _lookup(profiles, _rel(r, ("rivtaprofil",), label, path), "rivtaprofil", label, "rivtaprofil", path)
        producer = _lookup(
            components,
            _rel(r, ("tjanstekomponent",), label, path),
            "tjanstekomponent",
            label,
            "tjanstekomponent",
            path,
        )
        endpoints[_need(r, "id", label, path)] = (producer, url, profile)
    for i, r in enumerate(_table(data, "anropsbehorighet", path)):
        label = f"anropsbehorighet[{i}]"
        if not _valid_today(_pv_dates_checked(r, label, path), today):
            continue
        consumer = _lookup(
            components,
            _rel(r, ("tjanstekonsument", "tjanstekomponent"), label, path),
            "tjanstekomponent",
            label,
            "tjanstekonsument",
            path,
        )
        address = _lookup(
            addresses,
            _rel(r, ("logiskAdress", "logiskadress"), label, path),
            "logiskadress",
            label,
            "logiskAdress",
            path,
        )
        ns = _lookup(
            contracts, _rel(r, ("tjanstekontrakt",), label, path), "tjanstekontrakt", label, "tjanstekontrakt", path
        )
        rows.authorizations.add((consumer, address, ns))
    vagval = _table(data, "vagval", path)
    keys: list[RoutingKey | None] = []
    for i, r in enumerate(vagval):
        label = f"vagval[{i}]"
        if not _valid_today(_pv_dates_checked(r, label, path), today):
            keys.append(None)
            continue
        endpoint = _lookup(
            endpoints, _rel(r, ("anropsadress",), label, path), "anropsadress", label, "anropsadress", path
        )
        address = _lookup(
            addresses,
            _rel(r, ("logiskadress", "logiskAdress"), label, path),
            "logiskadress",
            label,
            "logiskadress",
            path,
        )
        ns = _lookup(
            contracts, _rel(r, ("tjanstekontrakt",), label, path), "tjanstekontrakt", label, "tjanstekontrakt", path
        )
        key = (address, ns)
        keys.append(key)
        if key in rows.routings:
            rows.duplicate_keys.add(key)
        rows.routings[key] = endpoint
    _check_duplicates(rows, keys, path)


def _read_export_pv(doc: dict[str, Any], path: Path, rows: _Rows, today: str) -> None:
    """tak-services /export/pv: relationships hold natural keys (HSA-ids, namespaces, URLs, profile names)."""
    data = doc["data"]
    _read_pv_common(data, path, rows)
    by_url: dict[str, set[tuple[str, str]]] = {}
    for i, r in enumerate(_table(data, "anropsadress", path)):
        label = f"anropsadress[{i}]"
        url = _intern(_need_str(r, "adress", label, path))
        profile = _rel(r, ("rivtaprofil",), label, path)
        producer = _rel(r, ("tjanstekomponent",), label, path)
        if not isinstance(profile, str) or not isinstance(producer, str):
            raise SourceError(
                "relationships.rivtaprofil and .tjanstekomponent must be names", path=str(path), row=label
            )
        by_url.setdefault(url, set()).add((_hsa(producer), _intern(profile)))

    def natural(r: dict[str, Any], keys: tuple[str, ...], label: str) -> str:
        v = _rel(r, keys, label, path)
        if not isinstance(v, str) or not v.strip():
            raise SourceError(
                f"relationships.{keys[0]} must be a non-empty string, found {v!r}", path=str(path), row=label
            )
        return v

    for i, r in enumerate(_table(data, "anropsbehorighet", path)):
        label = f"anropsbehorighet[{i}]"
        if not _valid_today(_pv_dates_checked(r, label, path), today):
            continue
        rows.authorizations.add(
            (
                _hsa(natural(r, ("tjanstekonsument", "tjanstekomponent"), label)),
                _hsa(natural(r, ("logiskAdress", "logiskadress"), label)),
                _intern(natural(r, ("tjanstekontrakt",), label)),
            )
        )
    vagval = _table(data, "vagval", path)
    keys: list[RoutingKey | None] = []
    for i, r in enumerate(vagval):
        label = f"vagval[{i}]"
        if not _valid_today(_pv_dates_checked(r, label, path), today):
            keys.append(None)
            continue
        url = natural(r, ("anropsadress",), label)
        targets = by_url.get(url)
        if not targets:
            raise SourceError(
                f"relationships.anropsadress {url!r} is not an anropsadress in the file", path=str(path), row=label
            )
        if len(targets) > 1:
            listed = ", ".join(f"{p} ({prof})" for p, prof in sorted(targets))
            raise SourceError(
                f"relationships.anropsadress {url!r} is ambiguous: it belongs to {listed}", path=str(path), row=label
            )
        ((producer, profile),) = targets
        key = (
            _hsa(natural(r, ("logiskAdress", "logiskadress"), label)),
            _intern(natural(r, ("tjanstekontrakt",), label)),
        )
        keys.append(key)
        if key in rows.routings:
            rows.duplicate_keys.add(key)
        rows.routings[key] = (producer, _intern(url), profile)
    _check_duplicates(rows, keys, path)


def detect_format(doc: Any) -> str | None:
    """The published-version flavour of a parsed document, or None when it is not one."""
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
        return None
    data = doc["data"]
    for table in ("anropsbehorighet", "vagval", "anropsadress"):
        rows = data.get(table)
        if isinstance(rows, list) and rows and isinstance(rows[0], dict):
            rel = rows[0].get("relationships")
            if isinstance(rel, dict) and rel:
                if any(isinstance(v, str) for v in rel.values()):
                    return "export-pv"
                break
    if "tidpunkt_version" in doc:
        return "takdump"
    auths = data.get("anropsbehorighet")
    if isinstance(auths, list) and auths and isinstance(auths[0], dict):
        rel = auths[0].get("relationships")
        if isinstance(rel, dict) and "tjanstekonsument" in rel:
            return "takdump"
    return "pubversion"


def read_pv_file(
    path: Path, *, platform: str, environment: str, format: str | None = None, today: date | None = None
) -> Snapshot:
    """Read a published-version JSON, a nightly takdump or an /export/pv document."""
    with gc_paused():
        doc = load_json(path)
        found = detect_format(doc)
        if found is None:
            if isinstance(doc, list):
                raise SourceError(
                    "this is a JSON array, not a published version; give the directory of saved TAK-api "
                    "responses instead",
                    path=str(path),
                )
            raise SourceError(
                "not a TAK published version: expected an object with 'data' holding the TAK tables", path=str(path)
            )
        fmt = format or found
        if fmt == "export-pv" and found != "export-pv" or fmt != "export-pv" and found == "export-pv":
            raise SourceError(f"--format {fmt} does not match the file, which looks like {found}", path=str(path))
        rows = _Rows()
        day = (today or date.today()).isoformat()
        if fmt == "export-pv":
            _read_export_pv(doc, path, rows, day)
        else:
            _read_pubversion(doc, path, rows, day)
        tidpunkt = doc.get("tidpunkt")
        del doc
    return rows.snapshot(
        platform=platform,
        environment=environment,
        snapshot_time=tidpunkt if isinstance(tidpunkt, str) else None,
        source=fmt,
    )


def read_source(
    path: Path | str, *, platform: str, environment: str, format: str | None = None, today: date | None = None
) -> Snapshot:
    """Read any supported source into a snapshot. ``format`` (one of :data:`FORMATS`) overrides detection:
    a directory is read as ``tak-api``, a file by its shape."""
    p = Path(path)
    if format is not None and format not in FORMATS:
        raise SourceError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}", path=str(p))
    if not p.exists():
        raise SourceError("no such file or directory", path=str(p))
    if p.is_dir():
        if format not in (None, "tak-api"):
            raise SourceError(f"--format {format} needs a file, this is a directory", path=str(p))
        return read_takapi_dir(p, platform=platform, environment=environment)
    if format == "tak-api":
        raise SourceError("--format tak-api needs a directory of saved TAK-api responses", path=str(p))
    return read_pv_file(p, platform=platform, environment=environment, format=format, today=today)
