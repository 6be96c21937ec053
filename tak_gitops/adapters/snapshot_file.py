"""The saved snapshot file (``snapshot.json``): compact, deterministic, fast to load. See docs/snapshot-format.md.

A string table holds every distinct string once, sorted; rows are flat arrays of indexes into it, sorted. Because
the table is sorted, sorting rows by their indexes sorts them by their strings, so a file's rows are in the
same order as :meth:`Snapshot.content` lists them and the digest is checked without re-sorting.
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

_KEY = operator.itemgetter(0, 1)
_VALUE = operator.itemgetter(2, 3, 4)
_HEADER = ("format", "version", "platform", "environment", "snapshot_time", "source", "digest", "counts")


def _cols(rows: Any, width: int) -> list[tuple[str, ...]]:
    cols = list(zip(*rows, strict=True))
    return cols if cols else [()] * width


def encode_snapshot(snapshot: Snapshot) -> bytes:
    """The file content for ``snapshot`` (byte-identical for equal snapshots from equal sources and times)."""
    with gc_paused():
        return _encode(snapshot)


def _encode(snapshot: Snapshot) -> bytes:
    r = _cols((k + v for k, v in snapshot.routings.items()), 5)
    a = _cols(snapshot.authorizations, 3)
    la = _cols(snapshot.logical_addresses.items(), 2)
    sy = _cols(snapshot.systems.items(), 2)
    contract_list = list(snapshot.contracts.values())
    table = sorted(set().union(*r, *a, *la, *sy, (c.namespace for c in contract_list),
                               (c.description for c in contract_list)))
    ix = dict(zip(table, range(len(table)), strict=True)).__getitem__

    def indexed(cols: list[tuple[str, ...]]) -> list[tuple[int, ...]]:
        return sorted(zip(*(map(ix, c) for c in cols), strict=True))

    routings = indexed(r)
    auths = indexed(a)
    las = indexed(la)
    systems = indexed(sy)
    contracts = sorted((ix(c.namespace), ix(c.description), c.major, c.minor) for c in contract_list)
    if "digest" not in snapshot.__dict__:
        # Rows sorted by index are sorted by string (the table is sorted): hash them as Snapshot.content() would
        # list them, without sorting the strings again; store it as the snapshot's cached digest.
        get = table.__getitem__
        snapshot.__dict__["digest"] = digest({
            "platform": snapshot.platform,
            "environment": snapshot.environment,
            "routings": [tuple(map(get, row)) for row in routings],
            "authorizations": [tuple(map(get, row)) for row in auths],
            "logical_addresses": [tuple(map(get, row)) for row in las],
            "systems": [tuple(map(get, row)) for row in systems],
            "contracts": [(get(n), get(d), major, minor) for n, d, major, minor in contracts],
        })
    doc = {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_FORMAT_VERSION,
        "platform": snapshot.platform,
        "environment": snapshot.environment,
        "snapshot_time": snapshot.snapshot_time,
        "source": snapshot.source,
        "digest": snapshot.digest,
        "counts": {
            "routings": len(routings),
            "authorizations": len(auths),
            "logical_addresses": len(las),
            "systems": len(systems),
            "contracts": len(contracts),
        },
        "strings": table,
        "routings": list(chain.from_iterable(routings)),
        "authorizations": list(chain.from_iterable(auths)),
        "logical_addresses": list(chain.from_iterable(las)),
        "systems": list(chain.from_iterable(systems)),
        "contracts": list(chain.from_iterable(contracts)),
    }
    return orjson.dumps(doc) + b"\n"


def write_snapshot(path: Path | str, snapshot: Snapshot) -> None:
    """Write ``snapshot`` to ``path`` atomically."""
    write_bytes_atomic(Path(path), encode_snapshot(snapshot))


def _sorted_strictly(seq: Any) -> bool:
    return all(map(operator.lt, seq, islice(seq, 1, None)))


def _rows(flat: Any, width: int, name: str, path: str, strings: list[str]) -> list[tuple[str, ...]]:
    """Turn a flat array of string indexes into rows of strings."""
    if not isinstance(flat, list) or len(flat) % width:
        raise SourceError(f"'{name}' must be a flat array of {width}-integer rows", path=path)
    if flat and (min(flat) < 0 or max(flat) >= len(strings)):
        raise SourceError(f"'{name}' refers to a string index outside the string table", path=path)
    values = iter(list(map(strings.__getitem__, flat)))
    return list(zip(*([values] * width), strict=True))


def _canonical(rows: list[Any], name: str, path: str) -> list[Any]:
    """Rows must be sorted and unique (the order :meth:`Snapshot.content` lists them in)."""
    if not _sorted_strictly(rows):
        raise SourceError(f"'{name}' rows are not in canonical (sorted, unique) order", path=path)
    return rows


def read_snapshot(path: Path | str) -> Snapshot:
    """Load a saved snapshot, checking format, version and digest (any mismatch is a SourceError)."""
    with gc_paused():
        return _read_snapshot(str(path))


def _read_snapshot(p: str) -> Snapshot:
    path = Path(p)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read snapshot: {exc.strerror or exc}", path=p) from None
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
        if not isinstance(strings, list) or not all(type(s) is str for s in strings):
            raise SourceError("'strings' must be an array of strings", path=p)
        if not _sorted_strictly(strings):
            raise SourceError("'strings' is not sorted and unique", path=p)
        routing_rows = _canonical(_rows(doc["routings"], 5, "routings", p, strings), "routings", p)
        auth_rows = _canonical(_rows(doc["authorizations"], 3, "authorizations", p, strings), "authorizations", p)
        la_rows = _canonical(_rows(doc["logical_addresses"], 2, "logical_addresses", p, strings),
                             "logical_addresses", p)
        sy_rows = _canonical(_rows(doc["systems"], 2, "systems", p, strings), "systems", p)
        co = doc["contracts"]
        if not isinstance(co, list) or len(co) % 4:
            raise SourceError("'contracts' must be a flat array of 4-integer rows", path=p)
        contracts = [Contract(strings[co[i]], strings[co[i + 1]], co[i + 2], co[i + 3]) for i in range(0, len(co), 4)]
        platform, environment = doc["platform"], doc["environment"]
        recorded = doc["digest"]
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise SourceError(f"damaged snapshot file: {type(exc).__name__}: {exc}", path=p) from None
    contract_rows = _canonical([(c.namespace, c.description, c.major, c.minor) for c in contracts], "contracts", p)
    routings = dict(zip(map(_KEY, routing_rows), map(_VALUE, routing_rows), strict=True))
    logical_addresses, systems = dict(la_rows), dict(sy_rows)
    by_namespace = {c.namespace: c for c in contracts}
    for name, unique, total in (("routings", routings, routing_rows), ("logical_addresses", logical_addresses,
                                la_rows), ("systems", systems, sy_rows), ("contracts", by_namespace, contracts)):
        if len(unique) != len(total):
            raise SourceError(f"'{name}' holds one key twice", path=p)
    content = {
        "platform": platform,
        "environment": environment,
        "routings": routing_rows,
        "authorizations": auth_rows,
        "logical_addresses": la_rows,
        "systems": sy_rows,
        "contracts": contract_rows,
    }
    actual = digest(content)
    del content, routing_rows
    if actual != recorded:
        raise SourceError(f"snapshot digest mismatch: the file records {recorded} but its rows hash to {actual} "
                          "(edited or damaged); fetch it again", path=p)
    snapshot = Snapshot(
        platform=platform,
        environment=environment,
        snapshot_time=doc.get("snapshot_time"),
        source=doc.get("source", "snapshot"),
        routings=routings,
        authorizations=frozenset(auth_rows),
        logical_addresses=logical_addresses,
        systems=systems,
        contracts=by_namespace,
    )
    snapshot.__dict__["digest"] = actual  # the cached_property, computed over the same content
    return snapshot


def read_header(path: Path | str) -> dict[str, Any]:
    """The header fields of a saved snapshot (format, version, platform, environment, time, source, digest,
    counts), without checking the rows."""
    try:
        doc = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise SourceError(f"not a readable snapshot file: {exc}", path=str(path)) from None
    if not isinstance(doc, dict) or doc.get("format") != SNAPSHOT_FORMAT:
        raise SourceError(f"not a snapshot file: 'format' is not {SNAPSHOT_FORMAT!r}", path=str(path))
    return {k: doc.get(k) for k in _HEADER}
