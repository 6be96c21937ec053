"""The reference TAK's SQLite schema: TAK's entity tables (``resources/sql/tp-admin-DDL.sql``) and publications.

The tables mirror TAK's entities with the columns the order pipeline, publishing and the TAK-api layer need:

* every entity row has ``id``, ``deleted``, ``updatedBy``, ``updatedTime`` and ``pubVersion``;
* ``deleted`` keeps TAK's **inverted NULL convention**: ``0`` means live, ``NULL`` means (soft) deleted. As in
  TAK's MySQL schema the unique keys include ``deleted``, and SQLite (like MySQL) lets any number of rows with
  ``NULL`` coexist, so many deleted copies may sit next to one live row;
* ``pubVersion`` is the id of the publication that last published the row (``NULL``: never published), and a
  non-NULL ``updatedBy`` marks a change that is pending until that user publishes;
* validity dates ``fromTidpunkt``/``tomTidpunkt`` are ISO dates (``YYYY-MM-DD``), day precision as in TAK.

HSA-ids and namespaces compare case-insensitively (``COLLATE NOCASE``, like MySQL's default collation);
``anropsadress.adress`` compares exactly (TAK gives that column a binary collation).
"""

from __future__ import annotations

from datetime import date

_VALIDITY = ("fromTidpunkt TEXT NOT NULL", "tomTidpunkt TEXT NOT NULL")
_DESCRIBED = ("beskrivning TEXT",)


def _entity_table(name: str, columns: tuple[str, ...], unique: str) -> str:
    """``CREATE TABLE`` for one versioned entity: ``id``, its own columns, TAK's bookkeeping, its unique key."""
    lines = (
        "id INTEGER PRIMARY KEY AUTOINCREMENT",
        *columns,
        "deleted INTEGER DEFAULT 0",
        "updatedBy TEXT",
        "updatedTime TEXT",
        "pubVersion TEXT",
        f"UNIQUE ({unique}, deleted)",
    )
    body = ",\n".join(f"    {line}" for line in lines)
    return f"CREATE TABLE IF NOT EXISTS {name} (\n{body}\n);\n"


_ENTITIES = (
    ("rivtaprofil", ("namn TEXT NOT NULL COLLATE NOCASE", *_DESCRIBED), "namn"),
    ("tjanstekomponent", ("hsaId TEXT NOT NULL COLLATE NOCASE", *_DESCRIBED), "hsaId"),
    (
        "tjanstekontrakt",
        (
            "namnrymd TEXT NOT NULL COLLATE NOCASE",
            *_DESCRIBED,
            "majorVersion INTEGER NOT NULL DEFAULT 0",
            "minorVersion INTEGER NOT NULL DEFAULT 0",
        ),
        "namnrymd",
    ),
    ("logiskadress", ("hsaId TEXT NOT NULL COLLATE NOCASE", *_DESCRIBED), "hsaId"),
    (
        "anropsadress",
        (
            "adress TEXT NOT NULL",
            "rivTaProfil_id INTEGER NOT NULL REFERENCES rivtaprofil(id)",
            "tjanstekomponent_id INTEGER NOT NULL REFERENCES tjanstekomponent(id)",
        ),
        "tjanstekomponent_id, rivTaProfil_id, adress",
    ),
    (
        "vagval",
        (
            "anropsAdress_id INTEGER NOT NULL REFERENCES anropsadress(id)",
            "tjanstekontrakt_id INTEGER NOT NULL REFERENCES tjanstekontrakt(id)",
            "logiskAdress_id INTEGER NOT NULL REFERENCES logiskadress(id)",
            *_VALIDITY,
        ),
        "anropsAdress_id, tjanstekontrakt_id, logiskAdress_id, fromTidpunkt, tomTidpunkt",
    ),
    (
        "anropsbehorighet",
        (
            "tjanstekonsument_id INTEGER NOT NULL REFERENCES tjanstekomponent(id)",
            "tjanstekontrakt_id INTEGER NOT NULL REFERENCES tjanstekontrakt(id)",
            "logiskAdress_id INTEGER NOT NULL REFERENCES logiskadress(id)",
            "integrationsavtal TEXT NOT NULL",
            *_VALIDITY,
        ),
        "tjanstekonsument_id, tjanstekontrakt_id, logiskAdress_id, fromTidpunkt, tomTidpunkt",
    ),
)

_PUBLICATIONS = """CREATE TABLE IF NOT EXISTS pubversion (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    formatVersion INTEGER NOT NULL DEFAULT 1,
    time TEXT NOT NULL,
    utforare TEXT NOT NULL,
    kommentar TEXT,
    data BLOB NOT NULL,
    storlek INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS vagval_key ON vagval (logiskAdress_id, tjanstekontrakt_id);
CREATE INDEX IF NOT EXISTS anropsbehorighet_key ON anropsbehorighet (logiskAdress_id, tjanstekontrakt_id);
CREATE INDEX IF NOT EXISTS anropsadress_key ON anropsadress (tjanstekomponent_id);
"""

SCHEMA = "\n" + "".join(_entity_table(*entity) for entity in _ENTITIES) + _PUBLICATIONS
"""Every table and index, created if missing."""

ENTITY_TABLES = tuple(name for name, _columns, _unique in _ENTITIES)
"""Versioned tables, in dependency order (a table only references tables before it)."""

LIVE = 0
"""The value of ``deleted`` for a live row; a deleted row has ``deleted IS NULL``."""

PLAIN_KEY = {
    "rivtaprofil": "namn",
    "tjanstekomponent": "hsaId",
    "tjanstekontrakt": "namnrymd",
    "logiskadress": "hsaId",
}
"""The natural-key column of each table without references."""


def iso(d: date) -> str:
    """A date as stored: ``YYYY-MM-DD``."""
    return d.isoformat()
