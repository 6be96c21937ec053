"""The order pipeline's reads and writes on one database connection (inside a transaction)."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from tak_gitops.sim.db.changes import (
    Change,
    CreateAnropsadress,
    CreateBehorighet,
    CreatePlain,
    CreateVagval,
    SetDates,
    Touch,
    save_rank,
)
from tak_gitops.sim.db.rows import BehorighetRow, PlainRow, VagvalRow
from tak_gitops.sim.db.schema import PLAIN_KEY, iso

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

_BEHORIGHET_SELECT = """
SELECT b.id, la.hsaId AS la, k.hsaId AS consumer, tk.namnrymd AS ns, b.fromTidpunkt, b.tomTidpunkt
FROM anropsbehorighet b
JOIN logiskadress la ON la.id = b.logiskAdress_id
JOIN tjanstekomponent k ON k.id = b.tjanstekonsument_id
JOIN tjanstekontrakt tk ON tk.id = b.tjanstekontrakt_id
"""


def _validity(row: sqlite3.Row) -> tuple[date, date]:
    return date.fromisoformat(row["fromTidpunkt"]), date.fromisoformat(row["tomTidpunkt"])


class SqliteRepository:
    """The order pipeline's view of one database connection (inside a transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # reads ---------------------------------------------------------------------------------------------

    def find_plain(self, table: str, key: str) -> PlainRow | None:
        """The live row of ``table`` whose natural key equals ``key`` ignoring case, or None."""
        column = PLAIN_KEY[table]
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
            VagvalRow(r["id"], r["la"], r["ns"], r["producer"], r["profile"], r["adress"], r["aid"], *_validity(r))
            for r in rows
        ]

    def overlapping_behorighet(
        self, logisk_adress: str, tjanstekonsument: str, tjanstekontrakt: str, start: date, end: date
    ) -> list[BehorighetRow]:
        """Live authorizations for (LA, consumer, contract) whose validity overlaps [start, end], by id."""
        rows = self.conn.execute(
            _BEHORIGHET_SELECT
            + """WHERE la.hsaId = ? AND k.hsaId = ? AND tk.namnrymd = ? AND b.deleted = 0
               AND b.fromTidpunkt <= ? AND b.tomTidpunkt >= ? ORDER BY b.id""",
            (logisk_adress, tjanstekonsument, tjanstekontrakt, iso(end), iso(start)),
        ).fetchall()
        return [BehorighetRow(r["id"], r["la"], r["consumer"], r["ns"], *_validity(r)) for r in rows]

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

    def _insert(self, table: str, values: dict[str, Any], stamp: tuple[str, str]) -> None:
        """Insert one live row, stamped as pending for the user."""
        columns = {**values, "deleted": 0, "updatedBy": stamp[0], "updatedTime": stamp[1]}
        marks = ", ".join("?" for _ in columns)
        self.conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", tuple(columns.values()))

    def _dated(self, change: CreateVagval | CreateBehorighet) -> dict[str, Any]:
        """The columns a routing and an authorization share: contract, logical address and validity."""
        return {
            "tjanstekontrakt_id": self._id("tjanstekontrakt", change.tjanstekontrakt),
            "logiskAdress_id": self._id("logiskadress", change.logisk_adress),
            "fromTidpunkt": iso(change.from_date),
            "tomTidpunkt": iso(change.tom_date),
        }

    def _row(self, change: Change) -> tuple[str, dict[str, Any]]:
        """The table and columns of the row a creating change inserts."""
        if isinstance(change, CreatePlain):
            if change.table == "tjanstekontrakt":
                return change.table, {
                    "namnrymd": change.key,
                    "beskrivning": change.beskrivning,
                    "majorVersion": change.major_version,
                    "minorVersion": 0,
                }
            return change.table, {"hsaId": change.key, "beskrivning": change.beskrivning}
        if isinstance(change, CreateAnropsadress):
            return "anropsadress", {
                "adress": change.adress,
                "rivTaProfil_id": self._id("rivtaprofil", change.rivtaprofil),
                "tjanstekomponent_id": self._id("tjanstekomponent", change.tjanstekomponent),
            }
        if isinstance(change, CreateBehorighet):
            consumer = self._id("tjanstekomponent", change.tjanstekonsument)
            dated = self._dated(change)
            return "anropsbehorighet", {
                "tjanstekonsument_id": consumer,
                **dated,
                "integrationsavtal": "AUTOTAKNING",
            }
        assert isinstance(change, CreateVagval)
        call_address = self._anropsadress_id(change.tjanstekomponent, change.rivtaprofil, change.adress)
        return "vagval", {"anropsAdress_id": call_address, **self._dated(change)}

    def apply(self, changes: list[Change], *, user: str, now: str) -> None:
        """Write ``changes`` in TAK-web's save order (:func:`~tak_gitops.sim.db.changes.save_rank`)."""
        stamp = (user, now)
        for change in sorted(changes, key=save_rank):  # stable: the pipeline's own order within a rank
            if isinstance(change, SetDates):
                self.conn.execute(
                    f"UPDATE {change.table} SET fromTidpunkt = ?, tomTidpunkt = ?, updatedBy = ?, updatedTime = ? "
                    "WHERE id = ?",
                    (iso(change.from_date), iso(change.tom_date), *stamp, change.id),
                )
            elif isinstance(change, CreatePlain | CreateAnropsadress | CreateBehorighet | CreateVagval):
                self._insert(*self._row(change), stamp)
            elif isinstance(change, Touch):
                self.conn.execute(
                    f"UPDATE {change.table} SET updatedBy = ?, updatedTime = ? WHERE id = ?", (*stamp, change.id)
                )
            else:
                self.conn.execute(
                    f"UPDATE {change.table} SET deleted = NULL, updatedBy = ?, updatedTime = ? WHERE id = ?",
                    (*stamp, change.id),
                )
