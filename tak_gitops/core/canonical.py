"""Canonical JSON and content digests: the one serialiser that every hashed artefact goes through.

Plans, order documents, snapshots and ledger records are hashed over ``canonical_json(obj)``: keys sorted,
no insignificant whitespace, UTF-8, no NaN. Never put timestamps or run ids inside a hashed body.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

_OPTS = orjson.OPT_SORT_KEYS


def canonical_json(obj: Any) -> bytes:
    """Serialise ``obj`` to compact, key-sorted UTF-8 JSON bytes."""
    return orjson.dumps(obj, option=_OPTS)


def pretty_json(obj: Any) -> bytes:
    """Serialise ``obj`` to key-sorted, two-space indented JSON bytes ending in a newline (for files people read)."""
    return orjson.dumps(obj, option=_OPTS | orjson.OPT_INDENT_2) + b"\n"


def digest_bytes(data: bytes) -> str:
    """Return ``"sha256:<hex>"`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def digest(obj: Any) -> str:
    """Return ``"sha256:<hex>"`` of the canonical JSON of ``obj``."""
    return digest_bytes(canonical_json(obj))
