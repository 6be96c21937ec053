"""The live rows the order pipeline reads: plain objects, routings (vagval) and authorizations (anropsbehorighet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
