"""What one order run holds (TAK-web's ``BestallningsData``): the dates D and T, the errors, the changes to write,
the objects the order creates; the :class:`Repository` it reads and the :class:`Outcome` it ends in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

from tak_gitops.sim.db import BehorighetRow, Change, PlainRow, VagvalRow
from tak_gitops.sim.execute.rapport import Report


class Repository(Protocol):
    """Read access to the live rows of one TAK (implemented over SQLite by
    :class:`~tak_gitops.sim.db.SqliteRepository`)."""

    def find_plain(self, table: str, key: str) -> PlainRow | None: ...

    def find_anropsadress(self, tjanstekomponent: str, rivtaprofil: str, adress: str) -> PlainRow | None: ...

    def overlapping_vagval(
        self, logisk_adress: str, tjanstekontrakt: str, start: date, end: date
    ) -> list[VagvalRow]: ...

    def overlapping_behorighet(
        self, logisk_adress: str, tjanstekonsument: str, tjanstekontrakt: str, start: date, end: date
    ) -> list[BehorighetRow]: ...

    def live_vagval_ids_using(self, anropsadress_id: int) -> list[int]: ...


@dataclass
class Outcome:
    """What TAK-web answers: ``kind`` is ``report`` (executed), ``errors`` (validation failed), ``parse`` (the
    JSON could not be mapped) or ``runtime`` (anything else)."""

    kind: Literal["report", "errors", "parse", "runtime"]
    errors: list[str] = field(default_factory=list)
    report: Report | None = None
    changes: list[Change] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.kind == "report"


def plus_years(d: date, years: int) -> date:
    """``d`` plus whole years; 29 February becomes 28 February (as java.util.Calendar does)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


class ErrorSet:
    """An insertion-ordered set of messages (TAK-web keeps a set per phase)."""

    def __init__(self) -> None:
        self._items: dict[str, None] = {}

    def add(self, message: str) -> None:
        self._items.setdefault(message, None)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def list(self) -> list[str]:
        return list(self._items)


@dataclass
class RunState:
    """The state of one run: D (``genomforandeTidpunkt``'s date), T = D + 100 years, what it found and builds."""

    d: date
    t: date
    user: str
    repo: Repository
    errors: ErrorSet = field(default_factory=ErrorSet)
    changes: list[Change] = field(default_factory=list)
    new_plain: dict[tuple[str, str], str] = field(default_factory=dict)
    """(table, key exactly as written in the order) -> key as it will be stored (upper case for HSA-ids)."""
    anropsadresser: set[tuple[str, str, str]] = field(default_factory=set)
    """(profile, producer, URL), lower-cased but the URL, of every call address the order creates or refers to."""
    deleted_vagval: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Ref:
    """A referenced object: its stored key, and the row when it exists in the database."""

    key: str
    row: PlainRow | None


def find(st: RunState, table: str, key: str) -> Ref | None:
    """The object in the database (ignoring case) or created by this order (exactly as written), or None."""
    row = st.repo.find_plain(table, key)
    if row is not None:
        return Ref(row.key, row)
    stored = st.new_plain.get((table, key))
    return None if stored is None else Ref(stored, None)
