"""SQLite storage of the reference TAK: one database file per platform+environment.

The tables mirror TAK's entities (``resources/sql/tp-admin-DDL.sql`` in TAK) with the columns the order
pipeline, publishing and the TAK-api layer need:

* every entity row has ``id``, ``deleted``, ``updatedBy``, ``updatedTime`` and ``pubVersion``;
* ``deleted`` keeps TAK's **inverted NULL convention**: ``0`` means live, ``NULL`` means (soft) deleted. As in
  TAK's MySQL schema the unique keys include ``deleted``, and SQLite (like MySQL) lets any number of rows with
  ``NULL`` coexist, so many deleted copies may sit next to one live row;
* ``pubVersion`` is the id of the publication that last published the row (``NULL``: never published), and a
  non-NULL ``updatedBy`` marks a change that is pending until that user publishes;
* validity dates ``fromTidpunkt``/``tomTidpunkt`` are ISO dates (``YYYY-MM-DD``), day precision as in TAK.

HSA-ids and namespaces compare case-insensitively (``COLLATE NOCASE``, like MySQL's default collation);
``anropsadress.adress`` compares exactly (TAK gives that column a binary collation).

Access is serialised with one lock: the HTTP server is threaded, and each order or publication runs in one
``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS rivtaprofil (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    namn TEXT NOT NULL COLLATE NOCASE,
    beskrivning TEXT,
    deleted INTEGER DEFAULT 0,
    updatedBy TEXT,
    updatedTime TEXT,
    pubVersion TEXT,
    UNIQUE (namn, deleted)
);
CREATE TABLE IF NOT EXISTS tjanstekomponent (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hsaId TEXT NOT NULL COLLATE NOCASE,
    beskrivning TEXT,
    deleted INTEGER DEFAULT 0,
    updatedBy TEXT,
    updatedTime TEXT,
    pubVersion TEXT,
    UNIQUE (hsaId, deleted)
);
CREATE TABLE IF NOT EXISTS tjanstekontrakt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    namnrymd TEXT NOT NULL COLLATE NOCASE,
    beskrivning TEXT,
    majorVersion INTEGER NOT NULL DEFAULT 0,
    minorVersion INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER DEFAULT 0,
    updatedBy TEXT,
    updatedTime TEXT,
    pubVersion TEXT,
    UNIQUE (namnrymd, deleted)
);
CREATE TABLE IF NOT EXISTS logiskadress (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hsaId TEXT NOT NULL COLLATE NOCASE,
    beskrivning TEXT,
    deleted INTEGER DEFAULT 0,
    updatedBy TEXT,
    updatedTime TEXT,
    pubVersion TEXT,
    UNIQUE (hsaId, deleted)
);
CREATE TABLE IF NOT EXISTS anropsadress (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    adress TEXT NOT NULL,
    rivTaProfil_id INTEGER NOT NULL REFERENCES rivtaprofil(id),
    tjanstekomponent_id INTEGER NOT NULL REFERENCES tjanstekomponent(id),
    deleted INTEGER DEFAULT 0,
    updatedBy TEXT,
    updatedTime TEXT,
    pubVersion TEXT,
    UNIQUE (tjanstekomponent_id, rivTaProfil_id, adress, deleted)
);
CREATE TABLE IF NOT EXISTS vagval (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    anropsAdress_id INTEGER NOT NULL REFERENCES anropsadress(id),
    tjanstekontrakt_id INTEGER NOT NULL REFERENCES tjanstekontrakt(id),
    logiskAdress_id INTEGER NOT NULL REFERENCES logiskadress(id),
    fromTidpunkt TEXT NOT NULL,
    tomTidpunkt TEXT NOT NULL,
    deleted INTEGER DEFAULT 0,
    updatedBy TEXT,
    updatedTime TEXT,
    pubVersion TEXT,
    UNIQUE (anropsAdress_id, tjanstekontrakt_id, logiskAdress_id, fromTidpunkt, tomTidpunkt, deleted)
);
CREATE TABLE IF NOT EXISTS anropsbehorighet (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tjanstekonsument_id INTEGER NOT NULL REFERENCES tjanstekomponent(id),
    tjanstekontrakt_id INTEGER NOT NULL REFERENCES tjanstekontrakt(id),
    logiskAdress_id INTEGER NOT NULL REFERENCES logiskadress(id),
    integrationsavtal TEXT NOT NULL,
    fromTidpunkt TEXT NOT NULL,
    tomTidpunkt TEXT NOT NULL,
    deleted INTEGER DEFAULT 0,
    updatedBy TEXT,
    updatedTime TEXT,
    pubVersion TEXT,
    UNIQUE (tjanstekonsument_id, tjanstekontrakt_id, logiskAdress_id, fromTidpunkt, tomTidpunkt, deleted)
);
CREATE TABLE IF NOT EXISTS pubversion (
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

ENTITY_TABLES = (
    "rivtaprofil",
    "tjanstekomponent",
    "tjanstekontrakt",
    "logiskadress",
    "anropsadress",
    "vagval",
    "anropsbehorighet",
)
"""Versioned tables, in dependency order (a table only references tables before it)."""

LIVE = 0
"""The value of ``deleted`` for a live row; a deleted row has ``deleted IS NULL``."""


def iso(d: date) -> str:
    """A date as stored: ``YYYY-MM-DD``."""
    return d.isoformat()


class Database:
    """One SQLite file (or ``:memory:``) holding one TAK. Use :meth:`transaction` for every access."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._lock = threading.RLock()
        with self._lock:
            self._conn.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the body in one ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on error."""
        with self._lock:
            if self._conn.in_transaction:  # nested use inside one order: join the outer transaction
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def is_empty(self) -> bool:
        """True when no entity row and no publication exists yet (a fresh file)."""
        with self.transaction() as conn:
            for table in (*ENTITY_TABLES, "pubversion"):
                if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:
                    return False
        return True


@dataclass(frozen=True)
class PlainRow:
    """A live profile, component, logical address or contract as the order pipeline sees it."""

    id: int
    key: str
    """``namn``, ``hsaId`` or ``namnrymd`` as stored."""
    pub_version: str | None
    updated_by: str | None


@dataclass(frozen=True)
class VagvalRow:
    """A live routing with what its call address (anropsadress) points to."""

    id: int
    logisk_adress: str
    tjanstekontrakt: str
    tjanstekomponent: str
    rivtaprofil: str
    adress: str
    anropsadress_id: int
    from_date: date
    tom_date: date


@dataclass(frozen=True)
class BehorighetRow:
    """A live authorization."""

    id: int
    logisk_adress: str
    tjanstekonsument: str
    tjanstekontrakt: str
    from_date: date
    tom_date: date


# --- write operations produced by the order pipeline and applied in one transaction -----------------------


@dataclass(frozen=True)
class CreatePlain:
    """Create a logical address, service component or service contract (``table`` names which)."""

    table: str
    key: str
    beskrivning: str | None
    major_version: int = 0


@dataclass(frozen=True)
class CreateAnropsadress:
    """Create the call address (producer, RIV-TA profile, URL)."""

    tjanstekomponent: str
    rivtaprofil: str
    adress: str


@dataclass(frozen=True)
class CreateVagval:
    """Create a routing; its call address is looked up by (producer, profile, URL) when applied."""

    logisk_adress: str
    tjanstekontrakt: str
    tjanstekomponent: str
    rivtaprofil: str
    adress: str
    from_date: date
    tom_date: date


@dataclass(frozen=True)
class CreateBehorighet:
    """Create an authorization with ``integrationsavtal = AUTOTAKNING``."""

    logisk_adress: str
    tjanstekonsument: str
    tjanstekontrakt: str
    from_date: date
    tom_date: date


@dataclass(frozen=True)
class SetDates:
    """Change the validity of an existing routing or authorization."""

    table: str
    id: int
    from_date: date
    tom_date: date


@dataclass(frozen=True)
class SoftDelete:
    """Mark a row deleted (``deleted = NULL``); it leaves the published data at the next publication."""

    table: str
    id: int


Change = CreatePlain | CreateAnropsadress | CreateVagval | CreateBehorighet | SetDates | SoftDelete

_PLAIN_KEY = {
    "rivtaprofil": "namn",
    "tjanstekomponent": "hsaId",
    "tjanstekontrakt": "namnrymd",
    "logiskadress": "hsaId",
}

_VAGVAL_SELECT = """
SELECT v.id, la.hsaId AS la, tk.namnrymd AS ns, k.hsaId AS producer, p.namn AS profile, a.adress, a.id AS aid,
       v.fromTidpunkt, v.tomTidpunkt
FROM vagval v
JOIN logiskadress la ON la.id = v.logiskAdress_id
JOIN tjanstekontrakt tk ON tk.id = v.tjanstekontrakt_id
JOIN anropsadress a ON a.id = v.anropsAdress_id
JOIN tjanstekomponent k ON k.id = a.tjanstekomponent_id
JOIN rivtaprofil p ON p.id = a.rivTaProfil_id
"""


class SqliteRepository:
    """The order pipeline's view of one database connection (inside a transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # reads ---------------------------------------------------------------------------------------------

    def find_plain(self, table: str, key: str) -> PlainRow | None:
        """The live row of ``table`` whose natural key equals ``key`` ignoring case, or None."""
        column = _PLAIN_KEY[table]
        row = self.conn.execute(
            f"SELECT id, {column} AS k, pubVersion, updatedBy FROM {table} WHERE {column} = ? AND deleted = 0",
            (key,),
        ).fetchone()
        return None if row is None else PlainRow(row["id"], row["k"], row["pubVersion"], row["updatedBy"])

    def find_anropsadress(self, tjanstekomponent: str, rivtaprofil: str, adress: str) -> PlainRow | None:
        """The live call address (producer, profile, exact URL), or None."""
        row = self.conn.execute(
            """SELECT a.id, a.adress, a.pubVersion, a.updatedBy FROM anropsadress a
               JOIN tjanstekomponent k ON k.id = a.tjanstekomponent_id
               JOIN rivtaprofil p ON p.id = a.rivTaProfil_id
               WHERE k.hsaId = ? AND p.namn = ? AND a.adress = ? AND a.deleted = 0""",
            (tjanstekomponent, rivtaprofil, adress),
        ).fetchone()
        return None if row is None else PlainRow(row["id"], row["adress"], row["pubVersion"], row["updatedBy"])

    def overlapping_vagval(self, logisk_adress: str, tjanstekontrakt: str, start: date, end: date) -> list[VagvalRow]:
        """Live routings for (LA, contract) whose validity overlaps [start, end], by id."""
        rows = self.conn.execute(
            _VAGVAL_SELECT
            + """WHERE la.hsaId = ? AND tk.namnrymd = ? AND v.deleted = 0
               AND v.fromTidpunkt <= ? AND v.tomTidpunkt >= ? ORDER BY v.id""",
            (logisk_adress, tjanstekontrakt, iso(end), iso(start)),
        ).fetchall()
        return [
            VagvalRow(
                r["id"],
                r["la"],
                r["ns"],
                r["producer"],
                r["profile"],
                r["adress"],
                r["aid"],
                date.fromisoformat(r["fromTidpunkt"]),
                date.fromisoformat(r["tomTidpunkt"]),
            )
            for r in rows
        ]

    def overlapping_behorighet(
        self, logisk_adress: str, tjanstekonsument: str, tjanstekontrakt: str, start: date, end: date
    ) -> list[BehorighetRow]:
        """Live authorizations for (LA, consumer, contract) whose validity overlaps [start, end], by id."""
        rows = self.conn.execute(
            """SELECT b.id, la.hsaId AS la, k.hsaId AS consumer, tk.namnrymd AS ns, b.fromTidpunkt, b.tomTidpunkt
               FROM anropsbehorighet b
               JOIN logiskadress la ON la.id = b.logiskAdress_id
               JOIN tjanstekomponent k ON k.id = b.tjanstekonsument_id
               JOIN tjanstekontrakt tk ON tk.id = b.tjanstekontrakt_id
               WHERE la.hsaId = ? AND k.hsaId = ? AND tk.namnrymd = ? AND b.deleted = 0
               AND b.fromTidpunkt <= ? AND b.tomTidpunkt >= ? ORDER BY b.id""",
            (logisk_adress, tjanstekonsument, tjanstekontrakt, iso(end), iso(start)),
        ).fetchall()
        return [
            BehorighetRow(
                r["id"],
                r["la"],
                r["consumer"],
                r["ns"],
                date.fromisoformat(r["fromTidpunkt"]),
                date.fromisoformat(r["tomTidpunkt"]),
            )
            for r in rows
        ]

    def live_vagval_ids_using(self, anropsadress_id: int) -> list[int]:
        """Ids of the live routings that use a call address."""
        rows = self.conn.execute(
            "SELECT id FROM vagval WHERE anropsAdress_id = ? AND deleted = 0 ORDER BY id", (anropsadress_id,)
        ).fetchall()
        return [int(r["id"]) for r in rows]

    # writes --------------------------------------------------------------------------------------------

    def _id(self, table: str, key: str) -> int:
        found = self.find_plain(table, key)
        if found is None:  # the pipeline checked every reference before producing changes
            raise LookupError(f"{table} {key} not found")
        return found.id

    def _anropsadress_id(self, producer: str, profile: str, url: str) -> int:
        found = self.find_anropsadress(producer, profile, url)
        if found is None:
            raise LookupError(f"anropsadress ({producer}, {profile}, {url}) not found")
        return found.id

    def apply(self, changes: list[Change], *, user: str, now: str) -> None:
        """Write ``changes`` in TAK-web's save order: plain objects, call addresses, authorizations, routings,
        and call addresses that became unused last."""
        stamp = (user, now)

        def rank(change: Change) -> int:
            if isinstance(change, CreatePlain):
                return ("logiskadress", "tjanstekomponent", "tjanstekontrakt").index(change.table)
            if isinstance(change, CreateAnropsadress):
                return 3
            if isinstance(change, CreateBehorighet) or (
                isinstance(change, SetDates | SoftDelete) and change.table == "anropsbehorighet"
            ):
                return 4
            if isinstance(change, SetDates | SoftDelete) and change.table == "vagval":
                return 5
            if isinstance(change, CreateVagval):
                return 6
            return 7  # SoftDelete of an anropsadress

        for change in sorted(changes, key=rank):  # stable: the pipeline's own order within a rank
            if isinstance(change, CreatePlain):
                if change.table == "tjanstekontrakt":
                    self.conn.execute(
                        """INSERT INTO tjanstekontrakt (namnrymd, beskrivning, majorVersion, minorVersion, deleted,
                           updatedBy, updatedTime) VALUES (?, ?, ?, 0, 0, ?, ?)""",
                        (change.key, change.beskrivning, change.major_version, *stamp),
                    )
                else:
                    self.conn.execute(
                        f"""INSERT INTO {change.table} (hsaId, beskrivning, deleted, updatedBy, updatedTime)
                            VALUES (?, ?, 0, ?, ?)""",
                        (change.key, change.beskrivning, *stamp),
                    )
            elif isinstance(change, CreateAnropsadress):
                self.conn.execute(
                    """INSERT INTO anropsadress (adress, rivTaProfil_id, tjanstekomponent_id, deleted, updatedBy,
                       updatedTime) VALUES (?, ?, ?, 0, ?, ?)""",
                    (
                        change.adress,
                        self._id("rivtaprofil", change.rivtaprofil),
                        self._id("tjanstekomponent", change.tjanstekomponent),
                        *stamp,
                    ),
                )
            elif isinstance(change, CreateBehorighet):
                self.conn.execute(
                    """INSERT INTO anropsbehorighet (tjanstekonsument_id, tjanstekontrakt_id, logiskAdress_id,
                       integrationsavtal, fromTidpunkt, tomTidpunkt, deleted, updatedBy, updatedTime)
                       VALUES (?, ?, ?, 'AUTOTAKNING', ?, ?, 0, ?, ?)""",
                    (
                        self._id("tjanstekomponent", change.tjanstekonsument),
                        self._id("tjanstekontrakt", change.tjanstekontrakt),
                        self._id("logiskadress", change.logisk_adress),
                        iso(change.from_date),
                        iso(change.tom_date),
                        *stamp,
                    ),
                )
            elif isinstance(change, CreateVagval):
                self.conn.execute(
                    """INSERT INTO vagval (anropsAdress_id, tjanstekontrakt_id, logiskAdress_id, fromTidpunkt,
                       tomTidpunkt, deleted, updatedBy, updatedTime) VALUES (?, ?, ?, ?, ?, 0, ?, ?)""",
                    (
                        self._anropsadress_id(change.tjanstekomponent, change.rivtaprofil, change.adress),
                        self._id("tjanstekontrakt", change.tjanstekontrakt),
                        self._id("logiskadress", change.logisk_adress),
                        iso(change.from_date),
                        iso(change.tom_date),
                        *stamp,
                    ),
                )
            elif isinstance(change, SetDates):
                self.conn.execute(
                    f"UPDATE {change.table} SET fromTidpunkt = ?, tomTidpunkt = ?, updatedBy = ?, updatedTime = ? "
                    "WHERE id = ?",
                    (iso(change.from_date), iso(change.tom_date), *stamp, change.id),
                )
            else:
                self.conn.execute(
                    f"UPDATE {change.table} SET deleted = NULL, updatedBy = ?, updatedTime = ? WHERE id = ?",
                    (*stamp, change.id),
                )
