"""Reading a published-version file: which of its three flavours it is, and the reader of that flavour."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tak_gitops.adapters.sources.export_pv import read_export_pv
from tak_gitops.adapters.sources.jsonfile import gc_paused, load_json
from tak_gitops.adapters.sources.pubversion import read_pubversion
from tak_gitops.adapters.sources.rows import Rows
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import SourceError


def detect_format(doc: Any) -> str | None:
    """The published-version flavour of a parsed document, or None when it is not one."""
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
        return None
    data = doc["data"]
    for table in ("anropsbehorighet", "vagval", "anropsadress"):
        rows = data.get(table)
        if isinstance(rows, list) and rows and isinstance(rows[0], dict):
            rel = rows[0].get("relationships")
            if isinstance(rel, dict) and rel:
                if any(isinstance(v, str) for v in rel.values()):
                    return "export-pv"
                break
    if "tidpunkt_version" in doc:
        return "takdump"
    auths = data.get("anropsbehorighet")
    if isinstance(auths, list) and auths and isinstance(auths[0], dict):
        rel = auths[0].get("relationships")
        if isinstance(rel, dict) and "tjanstekonsument" in rel:
            return "takdump"
    return "pubversion"


def read_pv_file(
    path: Path, *, platform: str, environment: str, format: str | None = None, today: date | None = None
) -> Snapshot:
    """Read a published-version JSON, a nightly takdump or an /export/pv document."""
    with gc_paused():
        doc = load_json(path)
        found = detect_format(doc)
        if found is None:
            if isinstance(doc, list):
                raise SourceError(
                    "this is a JSON array, not a published version; give the directory of saved TAK-api "
                    "responses instead", path=str(path),
                )
            raise SourceError("not a TAK published version: expected an object with 'data' holding the TAK tables",
                              path=str(path))
        fmt = format or found
        if fmt == "export-pv" and found != "export-pv" or fmt != "export-pv" and found == "export-pv":
            raise SourceError(f"--format {fmt} does not match the file, which looks like {found}", path=str(path))
        rows = Rows()
        day = (today or date.today()).isoformat()
        if fmt == "export-pv":
            read_export_pv(doc, path, rows, day)
        else:
            read_pubversion(doc, path, rows, day)
        tidpunkt = doc.get("tidpunkt")
        del doc
    return rows.snapshot(platform=platform, environment=environment,
                         snapshot_time=tidpunkt if isinstance(tidpunkt, str) else None, source=fmt)
