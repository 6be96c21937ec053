"""The reference TAK's order ("beställning") execution, laid out as TAK-web's: :mod:`.parse` maps the JSON,
:mod:`.validator` and :mod:`.entity` hold the rules, :mod:`.service` runs the phases and writes, :mod:`.rapport`
holds the report."""

from tak_gitops.sim.execute.data import Outcome, Repository, plus_years
from tak_gitops.sim.execute.entity import validate_adress
from tak_gitops.sim.execute.order import Order, OrderParseError
from tak_gitops.sim.execute.parse import parse_order, parse_timestamp
from tak_gitops.sim.execute.rapport import GROUPS, Report, ReportLine, behorighet_text, vagval_text
from tak_gitops.sim.execute.service import PLATFORM_MISMATCH, build, execute, run

__all__ = [
    "GROUPS",
    "PLATFORM_MISMATCH",
    "Order",
    "OrderParseError",
    "Outcome",
    "Report",
    "ReportLine",
    "Repository",
    "behorighet_text",
    "build",
    "execute",
    "parse_order",
    "parse_timestamp",
    "plus_years",
    "run",
    "vagval_text",
    "validate_adress",
]
