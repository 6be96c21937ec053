"""Seed files of the reference TAK: a published-version JSON (gzip'd or not) or a saved snapshot."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from tak_gitops.adapters.snapshot_file import read_snapshot
from tak_gitops.core.snapshot import SNAPSHOT_FORMAT
from tak_gitops.errors import SourceError, UsageError
from tak_gitops.sim.db import Database
from tak_gitops.sim.seed import SeedError, seed_from_pubversion, seed_from_snapshot


def read_json(path: Path) -> Any:
    """Parse a JSON file, gunzipping it first when it is gzip'd."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: no such file") from exc
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise SourceError(f"broken gzip data: {exc}", path=str(path)) from exc
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"not JSON: {exc}", path=str(path)) from exc


def seed_file(db: Database, path: Path, *, moment: datetime) -> int:
    """Seed ``db`` from ``path``: a published-version JSON (``data`` object) or a saved snapshot."""
    doc = read_json(path)
    try:
        if isinstance(doc, dict) and isinstance(doc.get("data"), dict):
            return seed_from_pubversion(db, doc, moment=moment)
        if isinstance(doc, dict) and doc.get("format") == SNAPSHOT_FORMAT:
            return seed_from_snapshot(db, read_snapshot(path), moment=moment)
    except SeedError as exc:
        raise SourceError(str(exc), path=str(path), row=exc.row) from exc
    raise SourceError(
        "neither a published-version JSON (no 'data' object) nor a saved snapshot (no 'format' key)", path=str(path)
    )
