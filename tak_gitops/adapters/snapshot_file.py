"""The saved snapshot file (``snapshot.json``): compact, deterministic, fast to load. See docs/snapshot-format.md.

A string table holds every distinct string once, sorted; rows are flat arrays of indexes into it, sorted. Because
the table is sorted, rows sorted by their strings are sorted by their indexes too, so a file's rows are in the
same order as :meth:`Snapshot.content` lists them: the writer sorts the rows as strings (only those not in order
yet: a reader keeps the source's order, often sorted already), hashes them and maps them to indexes. A file
digest over everything else in the file lets the reader trust the recorded content digest after one cheap hash.
"""

from __future__ import annotations

import operator
from itertools import chain, islice
from pathlib import Path
from typing import Any

import orjson

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.adapters.sources import gc_paused
from tak_gitops.core.canonical import digest
from tak_gitops.core.snapshot import SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, Contract, Snapshot
from tak_gitops.errors import SourceError

_HEADER = ("format", "version", "platform", "environment", "snapshot_time", "source", "digest", "file_digest",
           "counts")


def _in_order(rows: list[Any]) -> list[Any]:
    """``rows`` themselves when they are already sorted (checked in one linear pass), else a sorted copy."""
    return rows if _sorted_strictly(rows) else sorted(rows)


def encode_snapshot(snapshot: Snapshot) -> bytes:
    """The file content for ``snapshot`` (byte-identical for equal snapshots from equal sources and times)."""
    with gc_paused():
        return _encode(snapshot)


def _encode(snapshot: Snapshot) -> bytes:
    # The rows as strings, sorted: the order Snapshot.content() lists them in. A reader usually keeps them in
    # the source's order, which often is this order already: then there is nothing to sort. (Rows are unique,
    # so sorted means strictly increasing.)
    routings = _in_order([k + v for k, v in snapshot.routings.items()])
    auths = _in_order(list(snapshot.authorization_rows))
    las = _in_order(list(snapshot.logical_addresses.items()))
    systems = _in_order(list(snapshot.systems.items()))
    contracts = _in_order([(c.namespace, c.description, c.major, c.minor) for c in snapshot.contracts.values()])
    table = sorted(set(chain.from_iterable(chain(routings, auths, las, systems))).union(
        *((c[0], c[1]) for c in contracts)))
    ix = dict(zip(table, range(len(table)), strict=True)).__getitem__
    if "digest" not in snapshot.__dict__:
        # Hash the sorted rows as Snapshot.content() would list them (tuples and lists are both JSON arrays);
        # store it as the snapshot's cached digest.
        snapshot.__dict__["digest"] = digest({
            "platform": snapshot.platform,
            "environment": snapshot.environment,
            "routings": routings,
            "authorizations": auths,
            "logical_addresses": las,
            "systems": systems,
            "contracts": contracts,
        })
    head = {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_FORMAT_VERSION,
        "platform": snapshot.platform,
        "environment": snapshot.environment,
        "snapshot_time": snapshot.snapshot_time,
        "source": snapshot.source,
        "digest": snapshot.digest,
    }
    body = {
        "counts": {
            "routings": len(routings),
            "authorizations": len(auths),
            "logical_addresses": len(las),
            "systems": len(systems),
            "contracts": len(contracts),
        },
        "strings": table,
        # The table is sorted, so the string rows, sorted, are sorted by their indexes too.
        "routings": list(map(ix, chain.from_iterable(routings))),
        "authorizations": list(map(ix, chain.from_iterable(auths))),
        "logical_addresses": list(map(ix, chain.from_iterable(las))),
        "systems": list(map(ix, chain.from_iterable(systems))),
        "contracts": list(chain.from_iterable((ix(n), ix(d), major, minor) for n, d, major, minor in contracts)),
    }
    # The file digest: over every other key as written (canonical JSON), so a reader checks the rows and the
    # recorded content digest together with one hash of the parsed file instead of rebuilding the content.
    file_digest = digest({**head, **body})
    return orjson.dumps({**head, "file_digest": file_digest, **body}) + b"\n"


def write_snapshot(path: Path | str, snapshot: Snapshot) -> None:
    """Write ``snapshot`` to ``path`` atomically."""
    write_bytes_atomic(Path(path), encode_snapshot(snapshot))


def _sorted_strictly(seq: Any) -> bool:
    return all(map(operator.lt, seq, islice(seq, 1, None)))


def _outside(name: str, path: str) -> SourceError:
    return SourceError(f"'{name}' refers to a string index outside the string table", path=path)


def _checked_flat(doc: dict[str, Any], name: str, width: int, path: str) -> list[int]:
    """A flat array of string indexes, ``width`` per row, none negative (an index past the end of the string
    table fails its lookup: see :func:`_rows`)."""
    flat = doc[name]
    if not isinstance(flat, list) or len(flat) % width:
        raise SourceError(f"'{name}' must be a flat array of {width}-integer rows", path=path)
    if flat and min(flat) < 0:
        raise _outside(name, path)
    return flat


def _rows(flat: list[int], width: int, get: Any, name: str, path: str) -> list[Any]:
    """Rows of strings from a flat array of string indexes (one pass: each string looked up once)."""
    values = map(get, flat)
    try:
        return list(zip(*([values] * width), strict=True))
    except IndexError:
        raise _outside(name, path) from None


def _canonical(rows: list[Any], unique: int, name: str, path: str) -> None:
    """Rows must be sorted and unique (the order :meth:`Snapshot.content` lists them in); ``unique`` is the size
    of the set or dict built from them. (Sorting a sorted list is one pass of comparisons, in C.)"""
    if unique != len(rows) or sorted(rows) != rows:
        raise SourceError(f"'{name}' rows are not in canonical (sorted, unique) order", path=path)


def _keyed(rows: list[Any], name: str, path: str) -> dict[str, str]:
    """``hsa_id -> description`` from rows that must be sorted, with each HSA-id once."""
    table: dict[str, str] = dict(rows)
    _canonical(rows, len(rows), name, path)
    if len(table) != len(rows):
        raise SourceError(f"'{name}' holds one key twice", path=path)
    return table


def read_snapshot(path: Path | str) -> Snapshot:
    """Load a saved snapshot, checking format, version, structure and file digest (any mismatch is a SourceError).

    The content digest the file records is the loaded snapshot's digest: the file digest, checked here, covers
    it together with every row, so it is not recomputed from the rows."""
    p = str(path)
    try:
        raw = Path(p).read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read snapshot: {exc.strerror or exc}", path=p) from None
    return snapshot_from_bytes(raw, p)


def snapshot_from_bytes(raw: bytes, p: str) -> Snapshot:
    """:func:`read_snapshot` of a file's bytes read already (``p`` is its path, for errors)."""
    with gc_paused():
        return _read_snapshot(raw, p)


def _read_snapshot(raw: bytes, p: str) -> Snapshot:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"not a snapshot file (invalid JSON at line {exc.lineno} column {exc.colno})",
                          path=p) from None
    del raw
    if not isinstance(doc, dict) or doc.get("format") != SNAPSHOT_FORMAT:
        raise SourceError(f"not a snapshot file: 'format' is not {SNAPSHOT_FORMAT!r}", path=p)
    if doc.get("version") != SNAPSHOT_FORMAT_VERSION:
        raise SourceError(
            f"snapshot format version {doc.get('version')!r} is not supported (expected {SNAPSHOT_FORMAT_VERSION}); "
            "fetch it again", path=p,
        )
    try:
        strings = doc["strings"]
        if not isinstance(strings, list) or not set(map(type, strings)) <= {str}:
            raise SourceError("'strings' must be an array of strings", path=p)
        if not _sorted_strictly(strings):
            raise SourceError("'strings' is not sorted and unique", path=p)
        get = strings.__getitem__
        r = _checked_flat(doc, "routings", 5, p)
        a = _checked_flat(doc, "authorizations", 3, p)
        la = _checked_flat(doc, "logical_addresses", 2, p)
        sy = _checked_flat(doc, "systems", 2, p)
        # Routings: keys and values built apart (no 5-string rows). Sorted keys, each once, are exactly
        # canonical rows with one routing per key (the key decides the order of two rows with distinct keys).
        try:
            keys = list(zip(map(get, r[0::5]), map(get, r[1::5]), strict=True))
            values = list(zip(map(get, r[2::5]), map(get, r[3::5]), map(get, r[4::5]), strict=True))
        except IndexError:
            raise _outside("routings", p) from None
        routings = dict(zip(keys, values, strict=True))
        _canonical(keys, len(keys), "routings", p)
        if len(routings) != len(keys):
            raise SourceError("'routings' holds one key twice", path=p)
        del keys, values
        auth_rows = _rows(a, 3, get, "authorizations", p)
        authorizations = frozenset(auth_rows)
        _canonical(auth_rows, len(authorizations), "authorizations", p)
        logical_addresses = _keyed(_rows(la, 2, get, "logical_addresses", p), "logical_addresses", p)
        systems = _keyed(_rows(sy, 2, get, "systems", p), "systems", p)
        co = doc["contracts"]
        if not isinstance(co, list) or len(co) % 4:
            raise SourceError("'contracts' must be a flat array of 4-integer rows", path=p)
        contracts = [Contract(strings[co[i]], strings[co[i + 1]], co[i + 2], co[i + 3]) for i in range(0, len(co), 4)]
        by_namespace = {c.namespace: c for c in contracts}
        _canonical([(c.namespace, c.description, c.major, c.minor) for c in contracts], len(contracts), "contracts",
                   p)
        if len(by_namespace) != len(contracts):
            raise SourceError("'contracts' holds one key twice", path=p)
        platform, environment = doc["platform"], doc["environment"]
        recorded, recorded_file = doc["digest"], doc.pop("file_digest")
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise SourceError(f"damaged snapshot file: {type(exc).__name__}: {exc}", path=p) from None
    # The file digest covers every other key as written, the recorded content digest included: a file that
    # matches it holds the rows that digest was computed over (by the writer, from Snapshot.content()'s order).
    actual = digest(doc)
    if actual != recorded_file:
        raise SourceError(f"snapshot digest mismatch: the file records {recorded_file} but its content hashes to "
                          f"{actual} (edited or damaged); fetch it again", path=p)
    snapshot_time, source = doc.get("snapshot_time"), doc.get("source", "snapshot")
    del doc
    snapshot = Snapshot(
        platform=platform,
        environment=environment,
        snapshot_time=snapshot_time,
        source=source,
        routings=routings,
        authorizations=authorizations,
        logical_addresses=logical_addresses,
        systems=systems,
        contracts=by_namespace,
    )
    snapshot.__dict__["digest"] = recorded  # the cached_property: Snapshot.content()'s digest, as written
    snapshot.__dict__["authorization_rows"] = tuple(auth_rows)  # in file order: the order the tuples were made in
    return snapshot


def read_header(path: Path | str) -> dict[str, Any]:
    """The header fields of a saved snapshot (format, version, platform, environment, time, source, digests,
    counts), without checking the rows."""
    try:
        doc = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise SourceError(f"not a readable snapshot file: {exc}", path=str(path)) from None
    if not isinstance(doc, dict) or doc.get("format") != SNAPSHOT_FORMAT:
        raise SourceError(f"not a snapshot file: 'format' is not {SNAPSHOT_FORMAT!r}", path=str(path))
    return {k: doc.get(k) for k in _HEADER}
