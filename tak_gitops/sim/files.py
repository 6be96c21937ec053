"""Seed files of the reference TAK: a published-version JSON (gzip'd or not) or a saved snapshot."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tak_gitops.adapters.snapshot_file import read_snapshot
from tak_gitops.adapters.sources import load_json
from tak_gitops.core.snapshot import SNAPSHOT_FORMAT
from tak_gitops.errors import SourceError, UsageError
from tak_gitops.sim.db import Database
from tak_gitops.sim.seed import SeedError, seed_from_pubversion, seed_from_snapshot


def seed_file(db: Database, path: Path, *, moment: datetime) -> int:
    """Seed ``db`` from ``path``: a published-version JSON (``data`` object) or a saved snapshot."""
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    doc = load_json(path)
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
