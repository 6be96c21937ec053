"""Publishing: the pending changes of one user become a new PubVersion, stored as gzip'd JSON.

The published-version JSON has TAK's shape (``PubVersion.data``)::

    {"formatVersion": "1", "version": "<id>", "tidpunkt": "yyyy-MM-dd'T'HH:mm:ssZ", "utforare": ..., "kommentar": ...,
     "data": {"rivtaprofil": [...], "tjanstekontrakt": [...], "logiskadress": [...],
              "tjanstekomponent": [...], "anropsadress": [...], "anropsbehorighet": [...], "vagval": [...],
              "filter": [], "filtercategorization": []}}

Relationships point to numeric ids (``logiskAdress`` in anropsbehorighet, ``logiskadress`` in vagval); dates are
local midnight with an offset (``2025-05-21T00:00:00+0200``). Deleted rows are absent; deactivated rows stay.

As in TAK-web, the user's pending rows are merged into the previous snapshot (rows pending by other users keep
their published values), and publishing is refused when the user has nothing pending or when a pending row
references a never-published row that another user is editing.
"""

from __future__ import annotations

import gzip
import sqlite3
from datetime import date, datetime, time, tzinfo
from typing import Any

import orjson

from tak_gitops.sim.clock import DEFAULT_ZONE, Clock
from tak_gitops.sim.db import ENTITY_TABLES, Database

DATA_KEYS = (
    "rivtaprofil",
    "tjanstekontrakt",
    "logiskadress",
    "tjanstekomponent",
    "anropsadress",
    "anropsbehorighet",
    "vagval",
    "filter",
    "filtercategorization",
)

_REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "anropsadress": (("rivTaProfil_id", "rivtaprofil"), ("tjanstekomponent_id", "tjanstekomponent")),
    "vagval": (
        ("anropsAdress_id", "anropsadress"),
        ("tjanstekontrakt_id", "tjanstekontrakt"),
        ("logiskAdress_id", "logiskadress"),
    ),
    "anropsbehorighet": (
        ("tjanstekonsument_id", "tjanstekomponent"),
        ("tjanstekontrakt_id", "tjanstekontrakt"),
        ("logiskAdress_id", "logiskadress"),
    ),
}


class PublishRefused(Exception):
    """Publishing is not allowed now; the message says why."""


def format_timestamp(moment: datetime, zone: tzinfo = DEFAULT_ZONE) -> str:
    """``yyyy-MM-dd'T'HH:mm:ssZ`` in ``zone``, e.g. ``2025-05-20T09:05:53+0200``."""
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S%z")


def format_date(d: date, zone: tzinfo = DEFAULT_ZONE) -> str:
    """A TAK date as published: local midnight with its offset."""
    return format_timestamp(datetime.combine(d, time(0), tzinfo=zone), zone)


def row_json(table: str, row: sqlite3.Row, pubversion: str, zone: tzinfo = DEFAULT_ZONE) -> dict[str, Any]:
    """One table row in the published-version shape."""
    if table == "rivtaprofil":
        return {"id": row["id"], "namn": row["namn"], "beskrivning": row["beskrivning"], "pubversion": pubversion}
    if table == "tjanstekontrakt":
        return {
            "id": row["id"],
            "namnrymd": row["namnrymd"],
            "beskrivning": row["beskrivning"],
            "majorVersion": row["majorVersion"],
            "minorVersion": row["minorVersion"],
            "pubversion": pubversion,
        }
    if table in ("logiskadress", "tjanstekomponent"):
        return {"id": row["id"], "hsaId": row["hsaId"], "beskrivning": row["beskrivning"], "pubversion": pubversion}
    if table == "anropsadress":
        return {
            "id": row["id"],
            "adress": row["adress"],
            "pubversion": pubversion,
            "relationships": {"rivtaprofil": row["rivTaProfil_id"], "tjanstekomponent": row["tjanstekomponent_id"]},
        }
    dates = {
        "fromTidpunkt": format_date(date.fromisoformat(row["fromTidpunkt"]), zone),
        "tomTidpunkt": format_date(date.fromisoformat(row["tomTidpunkt"]), zone),
    }
    if table == "anropsbehorighet":
        return {
            "id": row["id"],
            "integrationsavtal": row["integrationsavtal"],
            **dates,
            "pubversion": pubversion,
            "relationships": {
                "logiskAdress": row["logiskAdress_id"],
                "tjanstekomponent": row["tjanstekonsument_id"],
                "tjanstekontrakt": row["tjanstekontrakt_id"],
            },
        }
    return {
        "id": row["id"],
        **dates,
        "pubversion": pubversion,
        "relationships": {
            "anropsadress": row["anropsAdress_id"],
            "logiskadress": row["logiskAdress_id"],
            "tjanstekontrakt": row["tjanstekontrakt_id"],
        },
    }


def document_bytes(doc: dict[str, Any]) -> bytes:
    """The JSON bytes of a published-version document (keys in TAK's order, compact)."""
    return orjson.dumps(doc)


def compress(data: bytes) -> bytes:
    """gzip with a zero mtime, so equal documents give equal bytes."""
    return gzip.compress(data, mtime=0)


def latest_version(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT MAX(id) AS id FROM pubversion").fetchone()
    return None if row is None or row["id"] is None else int(row["id"])


def load_document(conn: sqlite3.Connection, version: int | None = None) -> dict[str, Any] | None:
    """The published-version document of ``version`` (default: the latest), or None if none exists."""
    if version is None:
        version = latest_version(conn)
        if version is None:
            return None
    row = conn.execute("SELECT data FROM pubversion WHERE id = ?", (version,)).fetchone()
    if row is None:
        return None
    doc: dict[str, Any] = orjson.loads(gzip.decompress(row["data"]))
    return doc


def _store(
    conn: sqlite3.Connection,
    data: dict[str, list[dict[str, Any]]],
    *,
    user: str,
    kommentar: str | None,
    moment: datetime,
    zone: tzinfo,
    version: int | None = None,
) -> int:
    if version is None:
        cur = conn.execute(
            "INSERT INTO pubversion (formatVersion, time, utforare, kommentar, data, storlek) "
            "VALUES (1, ?, ?, ?, ?, 0)",
            (format_timestamp(moment, zone), user, kommentar, b""),
        )
        assert cur.lastrowid is not None
        version = int(cur.lastrowid)
    else:
        conn.execute(
            "INSERT INTO pubversion (id, formatVersion, time, utforare, kommentar, data, storlek) "
            "VALUES (?, 1, ?, ?, ?, ?, 0)",
            (version, format_timestamp(moment, zone), user, kommentar, b""),
        )
    doc = {
        "formatVersion": "1",
        "version": str(version),
        "tidpunkt": format_timestamp(moment, zone),
        "utforare": user,
        "kommentar": kommentar,
        "data": {key: sorted(data.get(key, []), key=lambda r: int(r["id"])) for key in DATA_KEYS},
    }
    blob = compress(document_bytes(doc))
    conn.execute("UPDATE pubversion SET data = ?, storlek = ? WHERE id = ?", (blob, len(blob), version))
    return version


def publish(db: Database, user: str, *, clock: Clock, zone: tzinfo = DEFAULT_ZONE, kommentar: str | None = None) -> int:
    """Publish ``user``'s pending changes as a new PubVersion and return its id."""
    with db.transaction() as conn:
        previous = load_document(conn)
        snapshot: dict[str, dict[int, dict[str, Any]]] = {key: {} for key in DATA_KEYS}
        if previous is not None:
            for key in DATA_KEYS:
                for item in previous["data"].get(key, []):
                    snapshot[key][int(item["id"])] = item
        pending = {
            table: conn.execute(f"SELECT * FROM {table} WHERE updatedBy = ? ORDER BY id", (user,)).fetchall()
            for table in ENTITY_TABLES
        }
        if not any(pending.values()):
            raise PublishRefused(f"nothing to publish: user {user} has no pending changes")
        for table, refs in _REFERENCES.items():
            for row in pending[table]:
                if row["deleted"] is None:
                    continue
                for column, target in refs:
                    other = conn.execute(
                        f"SELECT updatedBy FROM {target} WHERE id = ? AND pubVersion IS NULL "
                        "AND updatedBy IS NOT NULL AND updatedBy != ?",
                        (row[column], user),
                    ).fetchone()
                    if other is not None:
                        raise PublishRefused(
                            f"{table} {row['id']} references {target} {row[column]}, "
                            f"unpublished and changed by {other['updatedBy']}: that user must publish first"
                        )
        moment = clock.now()
        version = _store(conn, {}, user=user, kommentar=kommentar, moment=moment, zone=zone)
        label = str(version)
        for table in ENTITY_TABLES:
            for row in pending[table]:
                if row["deleted"] is None:
                    snapshot[table].pop(int(row["id"]), None)
                else:
                    snapshot[table][int(row["id"])] = row_json(table, row, label, zone)
            conn.execute(f"UPDATE {table} SET pubVersion = ?, updatedBy = NULL WHERE updatedBy = ?", (label, user))
        conn.execute("DELETE FROM pubversion WHERE id = ?", (version,))
        _store(
            conn,
            {key: list(rows.values()) for key, rows in snapshot.items()},
            user=user,
            kommentar=kommentar,
            moment=moment,
            zone=zone,
            version=version,
        )
        return version


def publish_all_live(
    conn: sqlite3.Connection, *, user: str, moment: datetime, zone: tzinfo, kommentar: str | None
) -> int:
    """Publish every live row as the first version (used by seeding, inside the caller's transaction)."""
    data: dict[str, list[dict[str, Any]]] = {}
    for table in ENTITY_TABLES:
        rows = conn.execute(f"SELECT * FROM {table} WHERE deleted = 0 ORDER BY id").fetchall()
        data[table] = [row_json(table, row, "1", zone) for row in rows]
        conn.execute(f"UPDATE {table} SET pubVersion = '1', updatedBy = NULL")
    return _store(conn, data, user=user, kommentar=kommentar, moment=moment, zone=zone, version=1)


def export(db: Database, version: int | None = None) -> bytes | None:
    """The (uncompressed) published-version JSON of ``version`` or the latest, or None."""
    with db.transaction() as conn:
        doc = load_document(conn, version)
    return None if doc is None else document_bytes(doc)


def download(db: Database, version: int) -> bytes | None:
    """The stored gzip bytes of ``version`` (what TAK-web's download gives), or None."""
    with db.transaction() as conn:
        row = conn.execute("SELECT data FROM pubversion WHERE id = ?", (version,)).fetchone()
    return None if row is None else bytes(row["data"])
