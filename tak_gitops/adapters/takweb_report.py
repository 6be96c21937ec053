"""Reading what TAK-web's ``/rest/create`` answers: a report, or ``JsonBestallning ERROR:::`` / ``RUNTIME ERROR:::``.

The answer is always HTTP 200 ``text/plain``. A report has metadata lines (``Plattform: NTJP-PROD``, ...),
then ``Inkludera:`` and ``Exkludera:`` blocks with groups (``Logiska adresser``, ``Tjänstekomponenter``,
``Tjänstekontrakt``, ``Anropsbehörigheter``, ``Vägval``) whose lines read ``<status>: <value>``. A vagval value
is ``LA - contract - producer - profile - URL (from - tom)``, an authorization ``LA - consumer - contract
(from - tom)``. Statuses: Nyskapad, Uppdaterad, Borttagen, Deaktiverad, Existerar ej.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STATUSES = ("Nyskapad", "Uppdaterad", "Borttagen", "Deaktiverad", "Existerar ej")
VALIDATION_ERROR = "JsonBestallning ERROR:::"
RUNTIME_ERROR = "RUNTIME ERROR:::"

GROUPS = {
    "logiska adresser": "logiskadress",
    "tjänstekomponenter": "tjanstekomponent",
    "tjanstekomponenter": "tjanstekomponent",
    "tjänstekontrakt": "tjanstekontrakt",
    "tjanstekontrakt": "tjanstekontrakt",
    "anropsbehörigheter": "anropsbehorighet",
    "anropsbehorigheter": "anropsbehorighet",
    "vägval": "vagval",
    "vagval": "vagval",
}
_STATUS_LINE = re.compile(r"^(" + "|".join(STATUSES) + r"):\s*(.*)$")
_PERIOD = r"(?:\s+\((?P<from>[^()\s]+)\s+-\s+(?P<tom>[^()\s]+)\))?"
_VAGVAL = re.compile(
    r"^(?P<la>\S+) - (?P<ns>\S+) - (?P<producer>\S+) - (?P<profile>\S+) - (?P<url>\S+)" + _PERIOD + r"$"
)
_AUTH = re.compile(r"^(?P<la>\S+) - (?P<consumer>\S+) - (?P<ns>\S+)" + _PERIOD + r"$")
_PLAIN = re.compile(r"^(?P<id>\S+)(?: - (?P<desc>.*))?$")


@dataclass(frozen=True)
class ReportLine:
    """One ``<status>: <value>`` line. ``key`` is in natural keys: vagval (LA, contract), authorization
    (consumer, LA, contract), plain objects (HSA-id or namespace,). ``value`` is (producer, URL, profile) for
    vagval."""

    section: str
    group: str
    status: str
    text: str
    key: tuple[str, ...]
    value: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class TakWebAnswer:
    """A parsed answer.

    ``kind`` is ``report``, ``rejected`` (validation errors), ``runtime-error`` or ``unrecognised``.
    """

    kind: str
    metadata: dict[str, str] = field(default_factory=dict)
    lines: tuple[ReportLine, ...] = ()
    messages: tuple[str, ...] = ()

    @property
    def warnings(self) -> tuple[ReportLine, ...]:
        """Lines TAK-web did nothing for (``Existerar ej``)."""
        return tuple(line for line in self.lines if line.status == "Existerar ej")


def _key(group: str, text: str) -> tuple[tuple[str, ...], tuple[str, str, str] | None]:
    if group == "vagval":
        m = _VAGVAL.match(text)
        if m:
            return (m["la"].upper(), m["ns"]), (m["producer"].upper(), m["url"], m["profile"])
    elif group == "anropsbehorighet":
        m = _AUTH.match(text)
        if m:
            return (m["consumer"].upper(), m["la"].upper(), m["ns"]), None
    else:
        m = _PLAIN.match(text)
        if m:
            ident = m["id"] if group == "tjanstekontrakt" else m["id"].upper()
            return (ident,), None
    return (text,), None


def _messages(rest: str) -> tuple[str, ...]:
    parts = [p.strip() for p in rest.replace("\r", "\n").split("\n")]
    return tuple(p for p in parts if p)


def parse_answer(body: str) -> TakWebAnswer:
    """Parse the body of a ``/rest/create`` answer. Never raises; unknown text is ``unrecognised``."""
    text = body.lstrip("\ufeff").strip()
    if text.startswith(VALIDATION_ERROR):
        rest = text[len(VALIDATION_ERROR) :]
        messages = _messages(rest)
        if messages == ("{}",) or not messages:
            messages = ("TAK-web could not parse the order (JSON parse failure; TAK-web gives no detail)",)
        return TakWebAnswer("rejected", messages=messages)
    if text.startswith(RUNTIME_ERROR):
        messages = _messages(text[len(RUNTIME_ERROR) :]) or ("runtime error without a message",)
        return TakWebAnswer("runtime-error", messages=messages)
    metadata: dict[str, str] = {}
    lines: list[ReportLine] = []
    section: str | None = None
    group: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        lowered = line.rstrip(":").strip().lower()
        if lowered in ("inkludera", "exkludera") and line.endswith(":"):
            section, group = lowered, None
            continue
        if section is not None and lowered in GROUPS and line.endswith(":"):
            group = GROUPS[lowered]
            continue
        status = _STATUS_LINE.match(line)
        if status and section is not None and group is not None:
            value_text = status[2].strip()
            key, value = _key(group, value_text)
            lines.append(ReportLine(section, group, status[1], value_text, key, value))
            continue
        if section is None and ":" in line:
            name, _, value_text = line.partition(":")
            metadata[name.strip()] = value_text.strip()
            continue
        return TakWebAnswer("unrecognised", metadata=metadata, lines=tuple(lines), messages=(line[:200],))
    if "Plattform" not in metadata:
        first = text.splitlines()[0][:200] if text else "(empty answer)"
        return TakWebAnswer("unrecognised", metadata=metadata, lines=tuple(lines), messages=(first,))
    return TakWebAnswer("report", metadata=metadata, lines=tuple(lines))
