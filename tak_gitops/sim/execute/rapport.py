"""TAK-web's ``BestallningsRapport``: the report lines an executed order gives, grouped by section and kind, and
the metadata block; :mod:`tak_gitops.sim.report` renders them as the response body."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Literal

from tak_gitops.sim.execute.order import Order, null_text

Status = Literal["Nyskapad", "Uppdaterad", "Borttagen", "Deaktiverad", "Existerar ej"]
GROUPS = ("Logiska adresser", "Tjänstekomponenter", "Tjänstekontrakt", "Anropsbehörigheter", "Vägval")


@dataclass(frozen=True)
class ReportLine:
    status: Status
    value: str


@dataclass
class Report:
    metadata: list[tuple[str, str]]
    inkludera: dict[str, list[ReportLine]] = field(default_factory=lambda: {g: [] for g in GROUPS})
    exkludera: dict[str, list[ReportLine]] = field(default_factory=lambda: {g: [] for g in GROUPS})


def vagval_text(la: str, ns: str, producer: str, profile: str, url: str, start: date, end: date) -> str:
    """A routing as the report shows it: ``LA - contract - producer - profile - URL (from - tom)``."""
    return f"{la} - {ns} - {producer} - {profile} - {url} ({start.isoformat()} - {end.isoformat()})"


def behorighet_text(la: str, consumer: str, ns: str, start: date, end: date) -> str:
    """An authorization as the report shows it: ``LA - consumer - contract  (from - tom)``, with the two spaces
    before the parenthesis of ``BestallningsRapport.transformToString(Anropsbehorighet)``."""
    return f"{la} - {consumer} - {ns}  ({start.isoformat()} - {end.isoformat()})"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def java_date_text(moment: datetime, zone: tzinfo) -> str:
    """``java.util.Date.toString`` in the JVM's time zone: ``Wed Dec 14 13:00:00 CET 2022``."""
    local = moment.astimezone(zone)
    return (
        f"{_DAYS[local.weekday()]} {_MONTHS[local.month - 1]} {local.day:02d} {local:%H:%M:%S} "
        f"{local.tzname()} {local.year}"
    )


def metadata(order: Order, zone: tzinfo) -> list[tuple[str, str]]:
    """The report's opening lines (``buildMetadata``); both time stamps are set when the report is made."""
    assert order.bestallning is not None and order.genomforande is not None
    return [
        ("Plattform", order.plattform),
        ("Format Version", repr(float(order.format_version))),
        ("Version", str(order.version)),
        ("Beställningstidpunkt", java_date_text(order.bestallning, zone)),
        ("Genomförandetidpunkt", java_date_text(order.genomforande, zone)),
        ("Utförare", null_text(order.utforare)),
        ("Kommentar", order.kommentar),
    ]
