"""TAK-web's ``BestallningsRapport``: the report lines an executed order gives, grouped by section and kind, and
the metadata block; :mod:`tak_gitops.sim.report` renders them as the response body."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
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
    """An authorization as the report shows it: ``LA - consumer - contract (from - tom)``."""
    return f"{la} - {consumer} - {ns} ({start.isoformat()} - {end.isoformat()})"


def metadata(order: Order) -> list[tuple[str, str]]:
    """The report's opening lines (``buildMetadata``)."""
    return [
        ("Plattform", order.plattform),
        ("Format Version", repr(float(order.format_version))),
        ("Version", str(order.version)),
        ("Beställningstidpunkt", null_text(order.bestallnings_tidpunkt)),
        ("Genomförandetidpunkt", null_text(order.genomforande_tidpunkt)),
        ("Utförare", null_text(order.utforare)),
        ("Kommentar", null_text(order.kommentar)),
    ]
