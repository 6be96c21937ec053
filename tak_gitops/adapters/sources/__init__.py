"""Readers for current-TAK sources: every one ends in a normalized :class:`~tak_gitops.core.snapshot.Snapshot`.

Formats (``--format`` names):

``tak-api``
    A directory of saved TAK-api v2 list responses (what ``fetch`` downloads), one JSON array per file:

    * ``connectionPoints.json`` (required): ``GET connectionPoints``; the row of the platform+environment gives
      the snapshot time;
    * ``cooperations.json`` (required): ``GET cooperations?connectionPointId=X&include=`` :data:`COOPERATION_INCLUDE`;
    * ``serviceProductions.json`` (required): ``GET serviceProductions?connectionPointId=X&include=``
      :data:`PRODUCTION_INCLUDE` (``physicalAddress`` included, else the URLs come back obfuscated);
    * ``installedContracts.json`` (optional): ``GET installedContracts?connectionPointId=X``; without it the
      contracts are those the rows mention;
    * ``logicalAddresses.json`` (optional): ``GET logicalAddresses?connectionPointId=X``; adds descriptions.
``pubversion``
    A TAK published-version JSON (``PubVersion.data``, also gzipped as downloaded from TAK-web).
``takdump``
    The nightly ``takdump_<platform>_<env>.json`` (a published version with ``tjanstekonsument`` relationships).
``export-pv``
    ``tak-services /export/pv``: a published version whose relationships are natural keys.

Published-version rows whose ``[fromTidpunkt, tomTidpunkt]`` (dates, both inclusive) does not contain *today*
are dropped, as the TAK-api import does. Deleted rows are already absent from these files.

Files are parsed one at a time with orjson (large TAK-api arrays in pieces, see :func:`iter_array`); each
distinct HSA-id or namespace is normalized once and interned; each parsed tree is dropped before the next is
read. Any problem is a :class:`~tak_gitops.errors.SourceError` naming the file and the row; two rows with one
routing key (in any case) are a :class:`~tak_gitops.errors.SnapshotRefused` listing them. Mixed-case copies of
one authorization collapse into one (an authorization has no attributes that could differ).

One module per format: :mod:`.takapi_dir`, :mod:`.pubversion` (also takdump), :mod:`.export_pv`; the
published-version flavours share :mod:`.pv_tables` and are told apart in :mod:`.published`; :mod:`.rows` holds
the rows every reader builds, :mod:`.jsonfile` the JSON reading.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tak_gitops.adapters.sources.jsonfile import (
    CHUNK_BYTES,
    FREEZE_AFTER_OBJECTS,
    gc_paused,
    iter_array,
    load_json,
)
from tak_gitops.adapters.sources.published import detect_format, read_pv_file
from tak_gitops.adapters.sources.takapi_dir import (
    CONNECTION_POINTS,
    COOPERATION_INCLUDE,
    COOPERATIONS,
    INSTALLED_CONTRACTS,
    LOGICAL_ADDRESSES,
    PRODUCTION_INCLUDE,
    SERVICE_PRODUCTIONS,
    read_takapi_dir,
    select_connection_point,
)
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import SourceError

__all__ = [
    "CHUNK_BYTES",
    "CONNECTION_POINTS",
    "COOPERATIONS",
    "COOPERATION_INCLUDE",
    "FORMATS",
    "FREEZE_AFTER_OBJECTS",
    "INSTALLED_CONTRACTS",
    "LOGICAL_ADDRESSES",
    "PRODUCTION_INCLUDE",
    "SERVICE_PRODUCTIONS",
    "detect_format",
    "gc_paused",
    "iter_array",
    "load_json",
    "read_pv_file",
    "read_source",
    "read_takapi_dir",
    "select_connection_point",
]

FORMATS = ("tak-api", "pubversion", "takdump", "export-pv")


def read_source(
    path: Path | str, *, platform: str, environment: str, format: str | None = None, today: date | None = None
) -> Snapshot:
    """Read any supported source into a snapshot. ``format`` (one of :data:`FORMATS`) overrides detection:
    a directory is read as ``tak-api``, a file by its shape."""
    p = Path(path)
    if format is not None and format not in FORMATS:
        raise SourceError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}", path=str(p))
    if not p.exists():
        raise SourceError("no such file or directory", path=str(p))
    if p.is_dir():
        if format not in (None, "tak-api"):
            raise SourceError(f"--format {format} needs a file, this is a directory", path=str(p))
        return read_takapi_dir(p, platform=platform, environment=environment)
    if format == "tak-api":
        raise SourceError("--format tak-api needs a directory of saved TAK-api responses", path=str(p))
    return read_pv_file(p, platform=platform, environment=environment, format=format, today=today)
