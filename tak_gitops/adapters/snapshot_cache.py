"""Saved snapshots read once (a kind of :mod:`~.rows_cache`): the rows of a snapshot file, as a string table and
one integer array (:mod:`~.column_file`). The next plan
against the same file skips parsing its JSON and the checks :func:`~.snapshot_file.read_snapshot` made when the
entry was written (format, canonical order, file digest); the snapshot it gives is equal to the file's, row
order and digest included. Used only where the load cache is (:func:`~.load_cache.usable`): never from files
git tracks, so a pull request cannot bring one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tak_gitops.adapters.column_file import Cut, StringColumns, unpack_parts
from tak_gitops.adapters.rows_cache import Kind, read_cached
from tak_gitops.adapters.snapshot_file import read_snapshot, snapshot_from_bytes
from tak_gitops.core.snapshot import Contract, Snapshot

MAGIC = b"tak-gitops-snapshot-rows-1\n"
PREFIX = "snapshot-"
SUFFIX = ".rows"
KEEP = 2
"""Snapshot entries kept; older ones are removed when a new one is written."""


def read_snapshot_cached(path: Path, root: Path | None) -> Snapshot:
    """:func:`~.snapshot_file.read_snapshot` of ``path``, through the cache of the repository at ``root``."""
    return read_cached(SNAPSHOTS, path, root)


def _encode(snapshot: Snapshot) -> bytes:
    out = StringColumns()
    col = out.column
    r_keys, r_values = list(snapshot.routings), list(snapshot.routings.values())
    rows = snapshot.authorization_rows
    header: dict[str, Any] = {
        "platform": snapshot.platform,
        "environment": snapshot.environment,
        "snapshot_time": snapshot.snapshot_time,
        "source": snapshot.source,
        "digest": snapshot.digest,
        "routings": [col([k[n] for k in r_keys]) for n in range(2)] + [col([v[n] for v in r_values]) for n in range(3)],
        "authorizations": [col([r[n] for r in rows]) for n in range(3)],
        "logical_addresses": [col(list(snapshot.logical_addresses)), col(list(snapshot.logical_addresses.values()))],
        "systems": [col(list(snapshot.systems)), col(list(snapshot.systems.values()))],
        "contracts": [[c.namespace, c.description, c.major, c.minor] for c in snapshot.contracts.values()],
    }
    return out.pack(MAGIC, header)


def _decode(raw: bytes, _path: str = "") -> Snapshot:
    doc, strings, cut = unpack_parts(MAGIC, raw)
    get = strings.__getitem__

    def texts(refs: list[list[int]], cut: Cut = cut) -> list[Any]:
        return [map(get, cut(ref)) for ref in refs]

    la, ns, producer, url, profile = texts(doc["routings"])
    routings = dict(zip(zip(la, ns, strict=True), zip(producer, url, profile, strict=True), strict=True))
    rows = tuple(zip(*texts(doc["authorizations"]), strict=True))
    snapshot = Snapshot(
        platform=doc["platform"],
        environment=doc["environment"],
        snapshot_time=doc["snapshot_time"],
        source=doc["source"],
        routings=routings,
        authorizations=frozenset(rows),
        logical_addresses=dict(zip(*texts(doc["logical_addresses"]), strict=True)),
        systems=dict(zip(*texts(doc["systems"]), strict=True)),
        contracts={c[0]: Contract(c[0], c[1], c[2], c[3]) for c in doc["contracts"]},
    )
    snapshot.__dict__["digest"] = doc["digest"]
    snapshot.__dict__["authorization_rows"] = rows
    return snapshot


SNAPSHOTS = Kind(MAGIC, PREFIX, SUFFIX, KEEP, read_snapshot, snapshot_from_bytes, _encode, _decode)
