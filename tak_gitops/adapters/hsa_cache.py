"""HSA files read once: the units of an HSA cache file kept beside the load cache, keyed by the sha256 of the
file's bytes, as a string table and one integer array (:mod:`~.column_file`). The next plan with the same file
skips parsing its XML; the tree it gives is equal to the file's (parents, names, their order, the digest). Used
only where the load cache is (:func:`~.load_cache.usable`): never from files git tracks.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from pathlib import Path
from typing import Any

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.adapters.column_file import TYPECODE, pack_parts, unpack_parts
from tak_gitops.adapters.hsafile import hsa_tree_from_bytes, read_hsa_file
from tak_gitops.adapters.load_cache import CACHE_DIR, usable
from tak_gitops.adapters.sources import gc_paused
from tak_gitops.core.hsa import HsaTree

MAGIC = b"tak-gitops-hsa-units-1\n"
PREFIX = "hsa-"
SUFFIX = ".units"
KEEP = 2
"""HSA entries kept; older ones are removed when a new one is written."""


def read_hsa_file_cached(path: Path, root: Path | None) -> HsaTree:
    """:func:`~.hsafile.read_hsa_file` of ``path``, through the cache of the repository at ``root``."""
    if root is None or not usable(root):
        return read_hsa_file(path)
    try:
        raw = path.read_bytes()
    except OSError:
        return read_hsa_file(path)  # says why, as a SourceError
    key = hashlib.sha256(b"".join((MAGIC, sys.byteorder.encode(), bytes([array(TYPECODE).itemsize]), raw)))
    directory = root / CACHE_DIR
    entry = directory / f"{PREFIX}{key.hexdigest()}{SUFFIX}"
    try:
        with gc_paused():
            return _decode(entry.read_bytes(), str(path))
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeDecodeError):
        pass
    tree = hsa_tree_from_bytes(raw, str(path))  # the bytes hashed: the entry holds exactly what they hold
    try:
        write_bytes_atomic(entry, _encode(tree), sync=False)
        entries = sorted(directory.glob(f"{PREFIX}*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only checkout: no cache
    return tree


def _encode(tree: HsaTree) -> bytes:
    strings: dict[str, int] = {}
    ix = strings.setdefault
    columns = array(TYPECODE)

    def col(values: list[str]) -> list[int]:
        start = len(columns)
        columns.extend([ix(v, len(strings)) for v in values])
        return [start, len(values)]

    header: dict[str, Any] = {
        "digest": tree.digest,
        "parents": [col(list(tree.parents)), col(list(tree.parents.values()))],
        "names": [col(list(tree.names)), col(list(tree.names.values()))],
    }
    return pack_parts(MAGIC, header, list(strings), columns)


def _decode(raw: bytes, source: str) -> HsaTree:
    doc, strings, cut = unpack_parts(MAGIC, raw)
    get = strings.__getitem__
    children, parents = (map(get, cut(ref)) for ref in doc["parents"])
    units, names = (map(get, cut(ref)) for ref in doc["names"])
    digest = doc["digest"]
    if not isinstance(digest, str):
        raise TypeError("no digest")
    return HsaTree(
        parents=dict(zip(children, parents, strict=True)),
        names=dict(zip(units, names, strict=True)),
        source=source,
        digest=digest,
    )
