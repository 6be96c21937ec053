"""The order as TAK-web maps it (``JsonBestallning``, ``BestallningsAvsnitt`` and the item classes): plain data,
with each item's text as TAK-web's ``toString`` gives it in errors and "Existerar ej" report lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class OrderParseError(ValueError):
    """The JSON cannot be mapped to an order (TAK-web answers ``JsonBestallning ERROR::: {}``)."""


def null_text(value: str | None) -> str:
    """A value as Java's string concatenation prints it (``null`` for a missing one)."""
    return "null" if value is None else value


def labelled(*fields: tuple[str, str | None]) -> str:
    """``Label: value, Label: value`` as the item classes' ``toString`` writes their fields."""
    return ", ".join(f"{label}: {null_text(value)}" for label, value in fields)


@dataclass(frozen=True)
class PlainItem:
    """A ``logiskadresser``/``tjanstekomponenter`` item (``key`` = hsaId) or ``tjanstekontrakt`` (namnrymd), both
    texts cleaned as TAK-web's setters clean them (``JsonUtils.cleanupString``)."""

    key: str
    beskrivning: str
    major_version: int = 0


@dataclass(frozen=True)
class BehorighetItem:
    """An ``anropsbehorigheter`` item (``AnropsbehorighetBestallning``)."""

    logisk_adress: str | None
    tjanstekonsument: str | None
    tjanstekontrakt: str | None

    def text(self) -> str:
        """``AnropsbehorighetBestallning.toString``."""
        return labelled(
            ("Logisk adress", self.logisk_adress),
            ("Tjänstekonsument", self.tjanstekonsument),
            ("Tjänstekontrakt", self.tjanstekontrakt),
        )

    def has_required_fields(self) -> bool:
        return None not in (self.logisk_adress, self.tjanstekonsument, self.tjanstekontrakt)


@dataclass(frozen=True)
class VagvalItem:
    """A ``vagval`` item (``VagvalBestallning``)."""

    logisk_adress: str | None
    tjanstekontrakt: str | None
    tjanstekomponent: str | None
    rivtaprofil: str | None
    adress: str | None

    def text(self) -> str:
        """``VagvalBestallning.toString``."""
        return labelled(
            ("Logisk adress", self.logisk_adress),
            ("Tjänstekontrakt", self.tjanstekontrakt),
            ("Tjänstekomponent", self.tjanstekomponent),
            ("RivTaProfil", self.rivtaprofil),
            ("Adress", self.adress),
        )

    def has_required_fields_for_include(self) -> bool:
        return self.adress is not None and self.has_required_fields_for_exclude()

    def has_required_fields_for_exclude(self) -> bool:
        return None not in (self.logisk_adress, self.tjanstekontrakt, self.tjanstekomponent, self.rivtaprofil)


@dataclass(frozen=True)
class Section:
    """``inkludera`` or ``exkludera`` (``BestallningsAvsnitt``)."""

    logiskadresser: tuple[PlainItem, ...] = ()
    tjanstekomponenter: tuple[PlainItem, ...] = ()
    tjanstekontrakt: tuple[PlainItem, ...] = ()
    anropsbehorigheter: tuple[BehorighetItem, ...] = ()
    vagval: tuple[VagvalItem, ...] = ()


@dataclass(frozen=True)
class Order:
    """The whole order (``JsonBestallning``) with its time stamps parsed."""

    plattform: str
    format_version: float
    version: int
    bestallning: datetime | None
    genomforande: datetime | None
    utforare: str | None
    kommentar: str
    inkludera: Section
    exkludera: Section
