"""Input files read once: what a reader made of a file's bytes kept beside the load cache, under the sha256 of
those bytes (and this machine's integer layout), in a :mod:`~.column_file` file. The bytes hashed are the bytes
parsed, so an entry holds exactly what they hold; one that does not decode is ignored and written again. Used
only where the load cache is (:func:`~.load_cache.usable`): never from files git tracks, so a pull request
cannot bring one. :mod:`~.snapshot_cache` and :mod:`~.hsa_cache` are its two kinds.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.adapters.column_file import TYPECODE
from tak_gitops.adapters.load_cache import CACHE_DIR, usable
from tak_gitops.adapters.sources import gc_paused

T = TypeVar("T")


@dataclass(frozen=True)
class Kind(Generic[T]):
    """One kind of input: where its entries are and how it is read, parsed from bytes, encoded and decoded."""

    magic: bytes
    prefix: str
    suffix: str
    keep: int
    read: Callable[[Path], T]
    """The reader of the file itself: without a cache, and for its errors when the file cannot be read."""
    parse: Callable[[bytes, str], T]
    """The reader of the file's bytes read already (and its path, for errors)."""
    encode: Callable[[T], bytes]
    decode: Callable[[bytes, str], T]
    """An entry's bytes (and the path the file is read from now) back; any exception: not an entry."""


def read_cached(kind: Kind[T], path: Path, root: Path | None) -> T:
    """``kind.read(path)``, through the cache of the repository at ``root``."""
    if root is None or not usable(root):
        return kind.read(path)
    try:
        raw = path.read_bytes()
    except OSError:
        return kind.read(path)  # says why
    key = hashlib.sha256(b"".join((kind.magic, sys.byteorder.encode(), bytes([array(TYPECODE).itemsize]), raw)))
    directory = root / CACHE_DIR
    entry = directory / f"{kind.prefix}{key.hexdigest()}{kind.suffix}"
    try:
        with gc_paused():
            return kind.decode(entry.read_bytes(), str(path))
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeDecodeError):
        pass
    found = kind.parse(raw, str(path))
    try:
        write_bytes_atomic(entry, kind.encode(found), sync=False)  # TypeError: a row this format does not hold
        entries = sorted(directory.glob(f"{kind.prefix}*{kind.suffix}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[kind.keep :]:
            old.unlink(missing_ok=True)
    except (OSError, TypeError):
        pass  # a read-only checkout: no cache
    return found
