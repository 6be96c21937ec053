"""The stamps of the desired files the last load read, kept beside the load cache so that the next load reads
only files that changed (:func:`~tak_gitops.adapters.desired_files.read_repo_files`). Used only where the load
cache is (:func:`~tak_gitops.adapters.load_cache.usable`): never from files git tracks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import orjson

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.adapters.desired_files import Stamp
from tak_gitops.adapters.load_cache import CACHE_DIR

STAMPS_FILE = "file-stamps"
STAMPS_FORMAT = "tak-gitops-file-stamps-1"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def read_stamps(root: Path) -> dict[str, Stamp]:
    """The files' stamps and digests the last load recorded (:mod:`~tak_gitops.adapters.desired_files`); empty
    when there are none or the file does not decode as exactly that."""
    try:
        doc = orjson.loads((root / CACHE_DIR / STAMPS_FILE).read_bytes())
        if doc.get("format") != STAMPS_FORMAT:
            return {}
        out: dict[str, Stamp] = {}
        for rel, (size, mtime, ctime, ino, dev, sha) in doc["files"].items():
            numbers = (size, mtime, ctime, ino, dev)
            if not (all(type(n) is int for n in numbers) and isinstance(sha, str) and _SHA256.fullmatch(sha)):
                return {}
            out[rel] = (size, mtime, ctime, ino, dev, sha)
        return out
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def write_stamps(root: Path, stamps: Mapping[str, Stamp]) -> None:
    """Record the stamps for the next load (not fsynced; a read-only checkout records nothing)."""
    doc = {"format": STAMPS_FORMAT, "files": {rel: list(v) for rel, v in sorted(stamps.items())}}
    try:
        write_bytes_atomic(root / CACHE_DIR / STAMPS_FILE, orjson.dumps(doc), sync=False)
    except OSError:
        return
