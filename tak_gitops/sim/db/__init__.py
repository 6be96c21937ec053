"""SQLite storage of the reference TAK: one database file per platform+environment.

:mod:`.schema` holds the tables and TAK's conventions, :mod:`.database` the file and its lock, :mod:`.rows` and
:mod:`.changes` what the order pipeline reads and writes, :mod:`.repository` the queries and writes themselves.
"""

from tak_gitops.sim.db.changes import (
    Change,
    CreateAnropsadress,
    CreateBehorighet,
    CreatePlain,
    CreateVagval,
    SetDates,
    SoftDelete,
    Touch,
)
from tak_gitops.sim.db.database import Database
from tak_gitops.sim.db.repository import SqliteRepository
from tak_gitops.sim.db.rows import BehorighetRow, PlainRow, VagvalRow
from tak_gitops.sim.db.schema import ENTITY_TABLES, LIVE, SCHEMA, iso

__all__ = [
    "ENTITY_TABLES",
    "LIVE",
    "SCHEMA",
    "BehorighetRow",
    "Change",
    "CreateAnropsadress",
    "CreateBehorighet",
    "CreatePlain",
    "CreateVagval",
    "Database",
    "PlainRow",
    "SetDates",
    "SoftDelete",
    "SqliteRepository",
    "Touch",
    "VagvalRow",
    "iso",
]
