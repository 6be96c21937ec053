"""The write operations the order pipeline produces, applied to the database in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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


@dataclass(frozen=True)
class Touch:
    """Save an existing row unchanged but for ``updatedBy``/``updatedTime``: TAK-web's ``update`` of a call address
    an order only refers to (``BestallningService.execute``), so it is among the user's pending changes."""

    table: str
    id: int


Change = CreatePlain | CreateAnropsadress | CreateVagval | CreateBehorighet | SetDates | SoftDelete | Touch


def save_rank(change: Change) -> int:
    """TAK-web's save order: plain objects, call addresses, authorizations, routings, and call addresses that
    became unused last."""
    if isinstance(change, CreatePlain):
        return ("logiskadress", "tjanstekomponent", "tjanstekontrakt").index(change.table)
    if isinstance(change, CreateAnropsadress | Touch):
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
