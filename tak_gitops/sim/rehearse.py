"""A rehearsal of one order: executed on a throw-away copy of a TAK, with TAK-web's answer and the rows it changed.

The TAK administrator's check before production (``tak-gitops sim try``): the copy is an in-memory reference TAK
seeded from the same data, so nothing is written anywhere; the rows are compared before and after.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from tak_gitops.sim.db import ENTITY_TABLES, Database
from tak_gitops.sim.execute import Outcome, execute
from tak_gitops.sim.report import render

# A readable name for a row of each table: its natural key, references resolved.
_LABELS = {
    "rivtaprofil": "SELECT id, namn FROM rivtaprofil",
    "tjanstekomponent": "SELECT id, hsaId FROM tjanstekomponent",
    "tjanstekontrakt": "SELECT id, namnrymd FROM tjanstekontrakt",
    "logiskadress": "SELECT id, hsaId FROM logiskadress",
    "anropsadress": """SELECT a.id, k.hsaId || ' ' || p.namn || ' ' || a.adress FROM anropsadress a
        JOIN tjanstekomponent k ON k.id = a.tjanstekomponent_id JOIN rivtaprofil p ON p.id = a.rivTaProfil_id""",
    "vagval": """SELECT v.id, l.hsaId || ' ' || c.namnrymd || ' -> ' || k.hsaId || ' ' || a.adress FROM vagval v
        JOIN logiskadress l ON l.id = v.logiskAdress_id JOIN tjanstekontrakt c ON c.id = v.tjanstekontrakt_id
        JOIN anropsadress a ON a.id = v.anropsAdress_id JOIN tjanstekomponent k ON k.id = a.tjanstekomponent_id""",
    "anropsbehorighet": """SELECT b.id, k.hsaId || ' -> ' || l.hsaId || ' ' || c.namnrymd FROM anropsbehorighet b
        JOIN logiskadress l ON l.id = b.logiskAdress_id JOIN tjanstekontrakt c ON c.id = b.tjanstekontrakt_id
        JOIN tjanstekomponent k ON k.id = b.tjanstekonsument_id""",
}
_HIDDEN = frozenset({"id", "updatedTime"})  # the time stamp is --now; the id is in the line already


@dataclass(frozen=True)
class RowChange:
    """One row the order created (``+``) or changed (``~``), with the columns that differ."""

    mark: str
    table: str
    id: int
    label: str
    columns: tuple[tuple[str, Any, Any], ...]
    """(column, before, after); before is None for a created row."""

    def text(self) -> str:
        if self.mark == "+":
            values = ", ".join(f"{c}={_show(after)}" for c, _before, after in self.columns)
        else:
            values = ", ".join(f"{c} {_show(before)} -> {_show(after)}" for c, before, after in self.columns)
        return f"{self.mark} {self.table} {self.id} ({self.label}): {values}"


def _show(value: Any) -> str:
    return "NULL" if value is None else str(value)


@dataclass(frozen=True)
class Rehearsal:
    outcome: Outcome
    answer: str
    """TAK-web's response body."""
    changes: tuple[RowChange, ...]


def _rows(conn: sqlite3.Connection) -> dict[tuple[str, int], dict[str, Any]]:
    out = {}
    for table in ENTITY_TABLES:
        for row in conn.execute(f"SELECT * FROM {table}"):  # noqa: S608 - table names are constants
            out[(table, int(row["id"]))] = {k: row[k] for k in row.keys()}  # noqa: SIM118 - sqlite3.Row
    return out


def _labels(conn: sqlite3.Connection) -> dict[tuple[str, int], str]:
    return {(table, int(r[0])): str(r[1]) for table, sql in _LABELS.items() for r in conn.execute(sql)}


def rehearse(db: Database, text: str, *, user: str, platform: str, zone: tzinfo, now: datetime) -> Rehearsal:
    """Execute ``text`` on ``db`` (a copy: it is changed) and compare its rows before and after."""
    with db.transaction() as conn:
        before = _rows(conn)
    outcome = execute(db, text, user=user, platform=platform, zone=zone, now=now)
    with db.transaction() as conn:
        after = _rows(conn)
        labels = _labels(conn)
    changes = []
    for key in sorted(after, key=lambda k: (ENTITY_TABLES.index(k[0]), k[1])):
        new, old = after[key], before.get(key)
        columns = tuple(
            (c, None if old is None else old[c], new[c])
            for c in new
            if c not in _HIDDEN and (old is None or old[c] != new[c]) and (old is not None or new[c] is not None)
        )
        if old is None or columns:
            changes.append(RowChange("+" if old is None else "~", key[0], key[1], labels.get(key, ""), columns))
    return Rehearsal(outcome, render(outcome), tuple(changes))
