"""HSA files read once (a kind of :mod:`~.rows_cache`): the units of an HSA cache file, as a string table and
one integer array (:mod:`~.column_file`). The next plan with the same file skips parsing its XML; the tree it
gives is equal to the file's (parents, names, their order, the digest, the path it is read from now).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tak_gitops.adapters.column_file import StringColumns, unpack_parts
from tak_gitops.adapters.hsafile import hsa_tree_from_bytes, read_hsa_file
from tak_gitops.adapters.rows_cache import Kind, read_cached
from tak_gitops.core.hsa import HsaTree

MAGIC = b"tak-gitops-hsa-units-1\n"
PREFIX = "hsa-"
SUFFIX = ".units"
KEEP = 2
"""HSA entries kept; older ones are removed when a new one is written."""


def read_hsa_file_cached(path: Path, root: Path | None) -> HsaTree:
    """:func:`~.hsafile.read_hsa_file` of ``path``, through the cache of the repository at ``root``."""
    return read_cached(HSA_FILES, path, root)


def _encode(tree: HsaTree) -> bytes:
    out = StringColumns()
    header: dict[str, Any] = {
        "digest": tree.digest,
        "parents": [out.column(tree.parents), out.column(tree.parents.values())],
        "names": [out.column(tree.names), out.column(tree.names.values())],
    }
    return out.pack(MAGIC, header)


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


HSA_FILES = Kind(MAGIC, PREFIX, SUFFIX, KEEP, read_hsa_file, hsa_tree_from_bytes, _encode, _decode)
