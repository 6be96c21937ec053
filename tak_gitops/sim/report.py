"""The text TAK-web's ``/rest/create`` answers with (always HTTP 200, ``text/plain``).

* success: the metadata lines, then an ``Inkludera:`` and an ``Exkludera:`` block, each grouped as
  "Logiska adresser", "Tjänstekomponenter", "Tjänstekontrakt", "Anropsbehörigheter", "Vägval", one line
  ``<status>: <value>`` per item (status Nyskapad, Uppdaterad, Borttagen, Deaktiverad or Existerar ej);
* validation errors: ``JsonBestallning ERROR:::`` and one error per line;
* an order that cannot be parsed: ``JsonBestallning ERROR::: {}`` (TAK-web loses the parser's message);
* anything else: ``RUNTIME ERROR:::`` and the message on the next line.
"""

from __future__ import annotations

from tak_gitops.sim.execute.data import Outcome
from tak_gitops.sim.execute.rapport import GROUPS, Report, ReportLine

ERROR_PREFIX = "JsonBestallning ERROR:::"
PARSE_ERROR = "JsonBestallning ERROR::: {}"
RUNTIME_PREFIX = "RUNTIME ERROR:::"


def render_report(report: Report) -> str:
    """The success report."""
    lines = [f"{key}: {value}" for key, value in report.metadata]
    for title, section in (("Inkludera:", report.inkludera), ("Exkludera:", report.exkludera)):
        lines.append("")
        lines.append(title)
        for group in GROUPS:
            if section[group]:  # BestallningsRapport.buildAvsnitt adds only the groups that have lines
                lines.append(f"{group}:")
                lines.extend(_line(item) for item in section[group])
    return "\n".join(lines) + "\n"


def _line(item: ReportLine) -> str:
    return f"{item.status}: {item.value}"


def render(outcome: Outcome) -> str:
    """The whole response body for an outcome."""
    if outcome.kind == "report":
        assert outcome.report is not None
        return render_report(outcome.report)
    if outcome.kind == "errors":
        return "\n".join([ERROR_PREFIX, *outcome.errors])
    if outcome.kind == "parse":
        return PARSE_ERROR
    return f"{RUNTIME_PREFIX}\n{outcome.message}"
