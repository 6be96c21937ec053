"""TAK-web's order ("beställning") pipeline: parse, validate in gated phases, compute the changes, report.

:func:`parse_order` reads the BS JSON as strictly as TAK-web's Jackson mapper (unknown keys, bad time stamps
and malformed JSON fail the whole order). :func:`build` runs the phases over a :class:`Repository` (reads
only) and returns an :class:`Outcome`: either the errors TAK-web would list, in its wording, or the report and
the list of changes to write. :func:`execute` does both and writes the changes in one transaction.

Phases (a phase runs only when the earlier ones found no error; errors inside a phase accumulate):

1. platform: ``plattform`` must equal this instance's platform;
2. duplicates across ``inkludera`` + ``exkludera`` (case-insensitive), routing and authorization ends
   (``exkludera``), and the plain objects (logical addresses, components, contracts) to create;
3. required fields, then references of every ``inkludera`` authorization and routing, and the call address;
4. routing and authorization starts (``inkludera``) with TAK's date rules;
5. the report.

Dates: D is the date of ``genomforandeTidpunkt`` in the instance's time zone, T = D + 100 years.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, Literal, Protocol

from tak_gitops.sim.db import (
    BehorighetRow,
    Change,
    CreateAnropsadress,
    CreateBehorighet,
    CreatePlain,
    CreateVagval,
    Database,
    PlainRow,
    SetDates,
    SoftDelete,
    SqliteRepository,
    VagvalRow,
)

# --- the order -----------------------------------------------------------------------------------------


class OrderParseError(ValueError):
    """The JSON cannot be mapped to an order (TAK-web answers ``JsonBestallning ERROR::: {}``)."""


@dataclass(frozen=True)
class PlainItem:
    """A ``logiskadresser``/``tjanstekomponenter`` item (``key`` = hsaId) or ``tjanstekontrakt`` (namnrymd)."""

    key: str | None
    beskrivning: str | None
    major_version: int = 0


@dataclass(frozen=True)
class BehorighetItem:
    logisk_adress: str | None
    tjanstekonsument: str | None
    tjanstekontrakt: str | None

    def text(self) -> str:
        return f"{_s(self.logisk_adress)} - {_s(self.tjanstekonsument)} - {_s(self.tjanstekontrakt)}"


@dataclass(frozen=True)
class VagvalItem:
    logisk_adress: str | None
    tjanstekontrakt: str | None
    tjanstekomponent: str | None
    rivtaprofil: str | None
    adress: str | None

    def text(self) -> str:
        return (
            f"{_s(self.logisk_adress)} - {_s(self.tjanstekontrakt)} - {_s(self.tjanstekomponent)} - "
            f"{_s(self.rivtaprofil)} - {_s(self.adress)}"
        )


@dataclass(frozen=True)
class Section:
    logiskadresser: tuple[PlainItem, ...] = ()
    tjanstekomponenter: tuple[PlainItem, ...] = ()
    tjanstekontrakt: tuple[PlainItem, ...] = ()
    anropsbehorigheter: tuple[BehorighetItem, ...] = ()
    vagval: tuple[VagvalItem, ...] = ()


@dataclass(frozen=True)
class Order:
    plattform: str
    format_version: float
    version: int
    bestallnings_tidpunkt: str | None
    genomforande_tidpunkt: str | None
    genomforande: datetime | None
    utforare: str | None
    kommentar: str | None
    inkludera: Section
    exkludera: Section


def _s(value: str | None) -> str:
    return "null" if value is None else value


_TOP_KEYS = frozenset(
    {
        "plattform",
        "formatVersion",
        "version",
        "bestallningsTidpunkt",
        "genomforandeTidpunkt",
        "utforare",
        "kommentar",
        "inkludera",
        "exkludera",
    }
)
_SECTION_KEYS = frozenset({"tjanstekomponenter", "tjanstekontrakt", "logiskadresser", "anropsbehorigheter", "vagval"})
_HSA_ITEM_KEYS = frozenset({"hsaId", "beskrivning"})
_CONTRACT_KEYS = frozenset({"namnrymd", "beskrivning", "majorVersion"})
_AB_KEYS = frozenset({"logiskAdress", "tjanstekontrakt", "tjanstekonsument"})
_VAGVAL_KEYS = frozenset(
    {"tjanstekomponent", "logiskAdress", "logiskadress", "tjanstekontrakt", "rivtaprofil", "adress"}
)

# SimpleDateFormat "yyyy-MM-dd'T'HH:mm:ssZ": an RFC-822 offset without colon (or a GMT+hh:mm zone).
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:([+-])([0-9]{2})([0-9]{2})|GMT([+-])([0-9]{2}):([0-9]{2}))"
)


def parse_timestamp(value: str) -> datetime:
    """Parse ``yyyy-MM-ddTHH:mm:ss+hhmm`` (TAK-web's only accepted form; ``GMT+hh:mm`` also passes)."""
    m = _TIMESTAMP.fullmatch(value)
    if m is None:
        raise OrderParseError(f"bad time stamp {value!r}")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    sign, hh, mm = (m.group(7), m.group(8), m.group(9)) if m.group(7) else (m.group(10), m.group(11), m.group(12))
    offset = timedelta(hours=int(hh), minutes=int(mm)) * (1 if sign == "+" else -1)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError as exc:
        raise OrderParseError(str(exc)) from exc


def _string(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise OrderParseError(f"{where}: expected a string")


def _check_keys(obj: Any, allowed: frozenset[str], where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise OrderParseError(f"{where}: expected an object")
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise OrderParseError(f"{where}: unrecognized field {unknown[0]!r}")
    return obj


def _items(section: dict[str, Any], key: str, where: str) -> list[Any]:
    value = section.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise OrderParseError(f"{where}.{key}: expected an array")
    return value


def _int(value: Any, where: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        raise OrderParseError(f"{where}: expected a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError as exc:
            raise OrderParseError(f"{where}: expected a number") from exc
    raise OrderParseError(f"{where}: expected a number")


def _float(value: Any, where: str) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise OrderParseError(f"{where}: expected a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError as exc:
            raise OrderParseError(f"{where}: expected a number") from exc
    raise OrderParseError(f"{where}: expected a number")


def _section(obj: Any, where: str) -> Section:
    if obj is None:
        return Section()
    sec = _check_keys(obj, _SECTION_KEYS, where)

    def plain(key: str, allowed: frozenset[str], id_key: str) -> tuple[PlainItem, ...]:
        out = []
        for i, raw in enumerate(_items(sec, key, where)):
            w = f"{where}.{key}[{i}]"
            item = _check_keys(raw, allowed, w)
            out.append(
                PlainItem(
                    _string(item.get(id_key), w),
                    _string(item.get("beskrivning"), w),
                    _int(item.get("majorVersion"), w) if id_key == "namnrymd" else 0,
                )
            )
        return tuple(out)

    abs_ = []
    for i, raw in enumerate(_items(sec, "anropsbehorigheter", where)):
        w = f"{where}.anropsbehorigheter[{i}]"
        item = _check_keys(raw, _AB_KEYS, w)
        abs_.append(
            BehorighetItem(
                _string(item.get("logiskAdress"), w),
                _string(item.get("tjanstekonsument"), w),
                _string(item.get("tjanstekontrakt"), w),
            )
        )
    vvs = []
    for i, raw in enumerate(_items(sec, "vagval", where)):
        w = f"{where}.vagval[{i}]"
        item = _check_keys(raw, _VAGVAL_KEYS, w)
        la = item.get("logiskadress") if "logiskadress" in item else item.get("logiskAdress")
        vvs.append(
            VagvalItem(
                _string(la, w),
                _string(item.get("tjanstekontrakt"), w),
                _string(item.get("tjanstekomponent"), w),
                _string(item.get("rivtaprofil"), w),
                _string(item.get("adress"), w),
            )
        )
    return Section(
        logiskadresser=plain("logiskadresser", _HSA_ITEM_KEYS, "hsaId"),
        tjanstekomponenter=plain("tjanstekomponenter", _HSA_ITEM_KEYS, "hsaId"),
        tjanstekontrakt=plain("tjanstekontrakt", _CONTRACT_KEYS, "namnrymd"),
        anropsbehorigheter=tuple(abs_),
        vagval=tuple(vvs),
    )


def _kommentar(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip().replace("\r", "").replace("\n", "")[:254]


def parse_order(text: str) -> Order:
    """Map the JSON text (from the first ``{`` to the last ``}``) to an :class:`Order`, as strictly as TAK-web."""
    if "{" not in text or "}" not in text:
        raise OrderParseError("Bestallning does not contain JSON object")
    body = text[text.index("{") : text.rindex("}") + 1]
    try:
        raw = json.loads(body)
    except ValueError as exc:
        raise OrderParseError(str(exc)) from exc
    top = _check_keys(raw, _TOP_KEYS, "order")
    stamps: dict[str, datetime | None] = {}
    for key in ("bestallningsTidpunkt", "genomforandeTidpunkt"):
        value = _string(top.get(key), key)
        stamps[key] = None if value is None else parse_timestamp(value)
    plattform = _string(top.get("plattform"), "plattform")
    if plattform is None:
        raise OrderParseError("Bestallning is missing mandatory field: plattform")
    return Order(
        plattform=plattform,
        format_version=_float(top.get("formatVersion"), "formatVersion"),
        version=_int(top.get("version"), "version"),
        bestallnings_tidpunkt=_string(top.get("bestallningsTidpunkt"), "bestallningsTidpunkt"),
        genomforande_tidpunkt=_string(top.get("genomforandeTidpunkt"), "genomforandeTidpunkt"),
        genomforande=stamps["genomforandeTidpunkt"],
        utforare=_string(top.get("utforare"), "utforare"),
        kommentar=_kommentar(_string(top.get("kommentar"), "kommentar")),
        inkludera=_section(top.get("inkludera"), "inkludera"),
        exkludera=_section(top.get("exkludera"), "exkludera"),
    )


# --- the repository the pipeline reads ------------------------------------------------------------------


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


# --- the outcome ---------------------------------------------------------------------------------------

Status = Literal["Nyskapad", "Uppdaterad", "Borttagen", "Deaktiverad", "Existerar ej"]
PLATFORM_MISMATCH = "Beställningen avser plattform {order}, men den här instansen av tak-web hanterar {instance}."
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


# --- helpers --------------------------------------------------------------------------------------------


def plus_years(d: date, years: int) -> date:
    """``d`` plus whole years; 29 February becomes 28 February (as java.util.Calendar does)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


class _Errors:
    """An insertion-ordered set of messages (TAK-web keeps a set per phase)."""

    def __init__(self) -> None:
        self._items: dict[str, None] = {}

    def add(self, message: str) -> None:
        self._items.setdefault(message, None)

    def __bool__(self) -> bool:
        return bool(self._items)

    def list(self) -> list[str]:
        return list(self._items)


_HSA_RE = re.compile(r"[0-9a-zA-Z_\-]*")
_NS_RE = re.compile(r"[0-9a-zA-Z_.:\-]*")
_URL_RE = re.compile(r"[0-9a-zA-Z_.:/\-?&]*")


def _validate_hsa(value: str | None, *, allow_star: bool) -> list[str]:
    if value is None or value.strip() == "":
        return ["HSA-ID får inte vara tomt"]
    out = []
    if len(value) > 255:
        out.append("HSA-ID har felaktig längd")
    if not (allow_star and value == "*") and not _HSA_RE.fullmatch(value):
        out.append("HSA-ID har ogiltigt innehåll")
    return out


def _validate_namnrymd(value: str | None) -> list[str]:
    if value is None or value.strip() == "":
        return ["Namnrymd får inte vara tom"]
    out = []
    if len(value) > 255:
        out.append("Namnrymd har felaktig längd")
    if not _NS_RE.fullmatch(value):
        out.append("Namnrymd har ogiltigt innehåll")
    return out


def _validate_beskrivning(value: str | None) -> list[str]:
    return ["Beskrivning har felaktig längd"] if value is not None and len(value) > 255 else []


def validate_adress(value: str) -> list[str]:
    """TAK's rules for a call address URL: not blank, 5–255 characters, ``[0-9a-zA-Z_.:/\\-?&]*``."""
    out = []
    if value.strip() == "":
        out.append("Adress får inte vara tom")
    if not 5 <= len(value) <= 255:
        out.append("Adress har felaktig längd")
    if not _URL_RE.fullmatch(value):
        out.append("Adress har ogiltigt innehåll")
    return out


def vagval_text(la: str, ns: str, producer: str, profile: str, url: str, start: date, end: date) -> str:
    """A routing as the report shows it: ``LA - contract - producer - profile - URL (from - tom)``."""
    return f"{la} - {ns} - {producer} - {profile} - {url} ({start.isoformat()} - {end.isoformat()})"


def behorighet_text(la: str, consumer: str, ns: str, start: date, end: date) -> str:
    """An authorization as the report shows it: ``LA - consumer - contract (from - tom)``."""
    return f"{la} - {consumer} - {ns} ({start.isoformat()} - {end.isoformat()})"


def _metadata(order: Order) -> list[tuple[str, str]]:
    return [
        ("Plattform", order.plattform),
        ("Format Version", repr(float(order.format_version))),
        ("Version", str(order.version)),
        ("Beställningstidpunkt", _s(order.bestallnings_tidpunkt)),
        ("Genomförandetidpunkt", _s(order.genomforande_tidpunkt)),
        ("Utförare", _s(order.utforare)),
        ("Kommentar", _s(order.kommentar)),
    ]


def _lower(value: str | None) -> str:
    return "" if value is None else value.lower()


def _duplicates(order: Order, errors: _Errors) -> None:
    def detect(items: list[Any], message: str, parts: Callable[[Any], list[str | None]]) -> None:
        keys = [tuple(_lower(p) for p in parts(item)) for item in items]
        for i, item in enumerate(items):
            if any(keys[i] == keys[j] for j in range(i + 1, len(items))):
                errors.add(message % ("[" + ", ".join(_s(p) for p in parts(item)) + "]"))

    inc, exc = order.inkludera, order.exkludera
    detect(
        [*inc.anropsbehorigheter, *exc.anropsbehorigheter],
        "Anropsbehörigheten %s får inte finnas på flera ställen i beställningen.",
        lambda x: [x.logisk_adress, x.tjanstekonsument, x.tjanstekontrakt],
    )
    detect(
        [*inc.vagval, *exc.vagval],
        "Vägvalet %s får inte finnas på flera ställen i beställningen.",
        lambda x: [x.logisk_adress, x.tjanstekontrakt],
    )
    detect(
        [*inc.tjanstekontrakt, *exc.tjanstekontrakt],
        "Tjänstekontraktet %s får inte finnas på flera ställen i beställningen.",
        lambda x: [x.key],
    )
    detect(
        [*inc.tjanstekomponenter, *exc.tjanstekomponenter],
        "Tjänstekomponenten %s får inte finnas på flera ställen i beställningen.",
        lambda x: [x.key],
    )
    detect(
        [*inc.logiskadresser, *exc.logiskadresser],
        "Den logiska adressen %s får inte finnas på flera ställen i beställningen.",
        lambda x: [x.key],
    )


@dataclass
class _State:
    """What the order builds up while it runs (TAK-web's BestallningsData)."""

    d: date
    t: date
    user: str
    repo: Repository
    errors: _Errors = field(default_factory=_Errors)
    changes: list[Change] = field(default_factory=list)
    report: Report | None = None
    new_plain: dict[tuple[str, str], str] = field(default_factory=dict)
    """(table, key exactly as written in the order) -> key as it will be stored (upper case for HSA-ids)."""
    new_adresser: set[tuple[str, str, str]] = field(default_factory=set)
    deleted_vagval: set[int] = field(default_factory=set)

    def end_vagval(self, row: VagvalRow) -> ReportLine:
        """End a routing at D: soft delete when it has not started (and its call address when nothing else
        uses it), else tom = D - 1."""
        if self.d < row.from_date:
            self.changes.append(SoftDelete("vagval", row.id))
            self.deleted_vagval.add(row.id)
            others = [i for i in self.repo.live_vagval_ids_using(row.anropsadress_id) if i not in self.deleted_vagval]
            if not others:
                self.changes.append(SoftDelete("anropsadress", row.anropsadress_id))
            return ReportLine(
                "Borttagen",
                vagval_text(
                    row.logisk_adress,
                    row.tjanstekontrakt,
                    row.tjanstekomponent,
                    row.rivtaprofil,
                    row.adress,
                    row.from_date,
                    row.tom_date,
                ),
            )
        tom = self.d - timedelta(days=1)
        self.changes.append(SetDates("vagval", row.id, row.from_date, tom))
        return ReportLine(
            "Deaktiverad",
            vagval_text(
                row.logisk_adress,
                row.tjanstekontrakt,
                row.tjanstekomponent,
                row.rivtaprofil,
                row.adress,
                row.from_date,
                tom,
            ),
        )


def _exclude(order: Order, st: _State, report: Report) -> None:
    for vv in order.exkludera.vagval:
        rows = (
            st.repo.overlapping_vagval(vv.logisk_adress, vv.tjanstekontrakt, st.d, st.t)
            if vv.logisk_adress is not None and vv.tjanstekontrakt is not None
            else []
        )
        if len(rows) > 1:
            st.errors.add(
                f"Det finns mer än ett vagval i databasen med dessa parametrar "
                f"{rows[0].logisk_adress} - {rows[0].tjanstekontrakt}."
            )
            continue
        if not rows:
            report.exkludera["Vägval"].append(ReportLine("Existerar ej", vv.text()))
            continue
        report.exkludera["Vägval"].append(st.end_vagval(rows[0]))

    for ab in order.exkludera.anropsbehorigheter:
        brows = (
            st.repo.overlapping_behorighet(ab.logisk_adress, ab.tjanstekonsument, ab.tjanstekontrakt, st.d, st.t)
            if ab.logisk_adress is not None and ab.tjanstekonsument is not None and ab.tjanstekontrakt is not None
            else []
        )
        if len(brows) > 1:
            b0 = brows[0]
            st.errors.add(
                f"Det finns mer än en anropsbehörighet i databasen med dessa parametrar "
                f"{b0.logisk_adress} - {b0.tjanstekontrakt} - {b0.tjanstekonsument}."
            )
            continue
        if not brows:
            report.exkludera["Anropsbehörigheter"].append(ReportLine("Existerar ej", ab.text()))
            continue
        b = brows[0]
        if st.d < b.from_date:
            st.changes.append(SoftDelete("anropsbehorighet", b.id))
            line = ReportLine(
                "Borttagen",
                behorighet_text(b.logisk_adress, b.tjanstekonsument, b.tjanstekontrakt, b.from_date, b.tom_date),
            )
        else:
            tom = st.d - timedelta(days=1)
            st.changes.append(SetDates("anropsbehorighet", b.id, b.from_date, tom))
            line = ReportLine(
                "Deaktiverad", behorighet_text(b.logisk_adress, b.tjanstekonsument, b.tjanstekontrakt, b.from_date, tom)
            )
        report.exkludera["Anropsbehörigheter"].append(line)


_PLAIN_GROUPS = (
    ("logiskadress", "Logiska adresser", "Skapa Logisk Adress: "),
    ("tjanstekomponent", "Tjänstekomponenter", "Skapa Tjänstekomponent: "),
    ("tjanstekontrakt", "Tjänstekontrakt", "Skapa Tjänstekontrakt: "),
)


def _plain_objects(order: Order, st: _State, report: Report) -> None:
    inc = order.inkludera
    lists = {
        "logiskadress": inc.logiskadresser,
        "tjanstekomponent": inc.tjanstekomponenter,
        "tjanstekontrakt": inc.tjanstekontrakt,
    }
    for table, group, prefix in _PLAIN_GROUPS:
        for item in lists[table]:
            if item.key is not None and st.repo.find_plain(table, item.key) is not None:
                continue  # an existing object is dropped from the order: descriptions cannot change this way
            if table == "tjanstekontrakt":
                problems = _validate_namnrymd(item.key) + _validate_beskrivning(item.beskrivning)
            else:
                problems = _validate_hsa(item.key, allow_star=table == "logiskadress") + _validate_beskrivning(
                    item.beskrivning
                )
            if problems:
                for p in problems:
                    st.errors.add(prefix + p)
                continue
            assert item.key is not None
            stored = item.key if table == "tjanstekontrakt" else item.key.upper()
            st.new_plain[(table, item.key)] = stored
            st.changes.append(CreatePlain(table, stored, item.beskrivning, item.major_version))
            report.inkludera[group].append(ReportLine("Nyskapad", stored))


def _required(order: Order, st: _State) -> None:
    checks: list[tuple[tuple[Any, ...], str, Callable[[Any], bool]]] = [
        (
            order.inkludera.vagval,
            "Det saknas information i beställningen för att kunna skapa Vägval.",
            lambda v: None not in (v.logisk_adress, v.tjanstekontrakt, v.tjanstekomponent, v.rivtaprofil, v.adress),
        ),
        (
            order.exkludera.vagval,
            "Det saknas information i beställningen för att kunna radera Vägval.",
            lambda v: None not in (v.logisk_adress, v.tjanstekontrakt, v.tjanstekomponent, v.rivtaprofil),
        ),
        (
            order.inkludera.anropsbehorigheter,
            "Det saknas information i beställningen för att kunna skapa Anropsbehörighet.",
            lambda a: None not in (a.logisk_adress, a.tjanstekonsument, a.tjanstekontrakt),
        ),
        (
            order.exkludera.anropsbehorigheter,
            "Det saknas information i beställningen för att kunna radera Anropsbehörighet.",
            lambda a: None not in (a.logisk_adress, a.tjanstekonsument, a.tjanstekontrakt),
        ),
    ]
    for items, message, ok in checks:
        for item in items:
            if not ok(item):
                st.errors.add(f"{message} ({item.text()})")


@dataclass(frozen=True)
class _Ref:
    """A referenced object: its stored key, and the row when it exists in the database."""

    key: str
    row: PlainRow | None


def _find(st: _State, table: str, key: str) -> _Ref | None:
    row = st.repo.find_plain(table, key)
    if row is not None:
        return _Ref(row.key, row)
    stored = st.new_plain.get((table, key))  # objects created by this order match case-sensitively
    return None if stored is None else _Ref(stored, None)


def _unpublished_by_other(ref: _Ref, user: str) -> str | None:
    row = ref.row
    if row is None or row.pub_version is not None or row.updated_by in (None, user):
        return None
    return row.updated_by


def _references(order: Order, st: _State) -> tuple[dict[int, tuple[str, str, str]], dict[int, tuple[str, ...]]]:
    """Check the references of every inkludera authorization and routing; return their resolved keys."""
    ab_keys: dict[int, tuple[str, str, str]] = {}
    for i, ab in enumerate(order.inkludera.anropsbehorigheter):
        assert ab.tjanstekonsument is not None and ab.tjanstekontrakt is not None and ab.logisk_adress is not None
        p = "Skapa Anropsbehörighet: "
        found: list[_Ref | None] = []
        for table, key, missing, unpublished in (
            (
                "tjanstekomponent",
                ab.tjanstekonsument,
                "Tjänstekomponent med HSAId = {} finns inte.",
                "Tjänstekomponent med HSAId = {} är opublicerad och skapad av {}.",
            ),
            (
                "tjanstekontrakt",
                ab.tjanstekontrakt,
                "Tjänstekontrakt med namnrymd = {} finns inte.",
                "Tjänstekontrakt med namnrymd = {} är opublicerad och skapad av {}.",
            ),
            (
                "logiskadress",
                ab.logisk_adress,
                "Logisk Adress med HSAId = {} finns inte.",
                "LogiskAdress med HSAId = {} är opublicerad och skapad av {}.",
            ),
        ):
            ref = _find(st, table, key)
            found.append(ref)
            if ref is None:
                st.errors.add(p + missing.format(key))
            elif (other := _unpublished_by_other(ref, st.user)) is not None:
                st.errors.add(p + unpublished.format(ref.key, other))
        if all(r is not None for r in found):
            consumer, contract, la = (r.key for r in found if r is not None)
            ab_keys[i] = (la, consumer, contract)

    vv_keys: dict[int, tuple[str, ...]] = {}
    for i, vv in enumerate(order.inkludera.vagval):
        assert None not in (vv.rivtaprofil, vv.tjanstekomponent, vv.logisk_adress, vv.tjanstekontrakt, vv.adress)
        p = "Skapa Vägval: "
        before = len(st.errors.list())
        profile_row = st.repo.find_plain("rivtaprofil", vv.rivtaprofil or "")
        refs: list[_Ref | None] = [None if profile_row is None else _Ref(profile_row.key, profile_row)]
        if profile_row is None:
            st.errors.add(p + f"RivTaProfil med namn = {vv.rivtaprofil} finns inte.")
        elif (other := _unpublished_by_other(refs[0], st.user)) is not None:  # type: ignore[arg-type]
            st.errors.add(p + f"RivTaProfil med namn = {profile_row.key} är opublicerad och skapad av {other}.")
        for table, okey, missing, unpublished in (
            (
                "tjanstekomponent",
                vv.tjanstekomponent,
                "Tjänstekomponent med HSAId = {} finns inte.",
                "Tjänstekomponent med HSAId = {} är opublicerad och skapad av {}.",
            ),
            (
                "logiskadress",
                vv.logisk_adress,
                "Logisk Adress med HSAId = {} finns inte.",
                "Logisk Adress med HSAId = {} är opublicerad och skapad av {}.",
            ),
            (
                "tjanstekontrakt",
                vv.tjanstekontrakt,
                "Tjänstekontrakt med namnrymd = {} finns inte.",
                "Tjänstekontrakt med namnrymd = {} är opublicerad och skapad av {}.",
            ),
        ):
            assert okey is not None
            ref = _find(st, table, okey)
            refs.append(ref)
            if ref is None:
                st.errors.add(p + missing.format(okey))
            elif (other := _unpublished_by_other(ref, st.user)) is not None:
                st.errors.add(p + unpublished.format(ref.key, other))
        if len(st.errors.list()) != before or any(r is None for r in refs):
            continue
        profile, producer, la, contract = (r.key for r in refs if r is not None)
        url = vv.adress or ""
        akey = (profile.lower(), producer.lower(), url)
        if akey not in st.new_adresser:
            existing = st.repo.find_anropsadress(producer, profile, url)
            if existing is None:
                problems = validate_adress(url)
                if problems:
                    for problem in problems:
                        st.errors.add(p + problem)
                    continue
                st.new_adresser.add(akey)
                st.changes.append(CreateAnropsadress(producer, profile, url))
            elif existing.pub_version is None and existing.updated_by is not None and existing.updated_by != st.user:
                st.errors.add(
                    p
                    + f"Anropsadress ({url}, {profile}, {producer}) är opublicerad och skapad av {existing.updated_by}."
                )
                continue
        vv_keys[i] = (la, contract, producer, profile, url)
    return ab_keys, vv_keys


def _include(
    order: Order,
    st: _State,
    report: Report,
    ab_keys: dict[int, tuple[str, str, str]],
    vv_keys: dict[int, tuple[str, ...]],
) -> None:
    for i, ab in enumerate(order.inkludera.anropsbehorigheter):
        la, consumer, contract = ab_keys[i]
        assert ab.logisk_adress and ab.tjanstekonsument and ab.tjanstekontrakt
        rows = st.repo.overlapping_behorighet(ab.logisk_adress, ab.tjanstekonsument, ab.tjanstekontrakt, st.d, st.t)
        if len(rows) > 1:
            st.errors.add(
                f"Det finns mer än en anropsbehörighet i databasen med dessa parametrar "
                f"{rows[0].logisk_adress} - {rows[0].tjanstekontrakt} - {rows[0].tjanstekonsument}."
            )
            continue
        if not rows:
            st.changes.append(CreateBehorighet(la, consumer, contract, st.d, st.t))
            report.inkludera["Anropsbehörigheter"].append(
                ReportLine("Nyskapad", behorighet_text(la, consumer, contract, st.d, st.t))
            )
            continue
        e = rows[0]
        start = st.d if st.d < e.from_date else e.from_date
        st.changes.append(SetDates("anropsbehorighet", e.id, start, st.t))
        report.inkludera["Anropsbehörigheter"].append(
            ReportLine(
                "Uppdaterad", behorighet_text(e.logisk_adress, e.tjanstekonsument, e.tjanstekontrakt, start, st.t)
            )
        )

    for i, vv in enumerate(order.inkludera.vagval):
        la, contract, producer, profile, url = vv_keys[i]
        assert vv.logisk_adress and vv.tjanstekontrakt
        vrows: list[VagvalRow] = st.repo.overlapping_vagval(vv.logisk_adress, vv.tjanstekontrakt, st.d, st.t)
        if len(vrows) > 1:
            st.errors.add(
                f"Det finns mer än ett vagval i databasen med dessa parametrar "
                f"{vrows[0].logisk_adress} - {vrows[0].tjanstekontrakt}."
            )
            continue
        new_line = ReportLine("Nyskapad", vagval_text(la, contract, producer, profile, url, st.d, st.t))
        new_change = CreateVagval(la, contract, producer, profile, url, st.d, st.t)
        if not vrows:
            st.changes.append(new_change)
            report.inkludera["Vägval"].append(new_line)
            continue
        ev = vrows[0]
        same = (
            ev.rivtaprofil.lower() == profile.lower()
            and ev.tjanstekomponent.lower() == producer.lower()
            and (ev.adress == url)
        )
        if same:
            start = st.d if st.d < ev.from_date else ev.from_date
            st.changes.append(SetDates("vagval", ev.id, start, st.t))
            report.inkludera["Vägval"].append(
                ReportLine(
                    "Uppdaterad",
                    vagval_text(
                        ev.logisk_adress,
                        ev.tjanstekontrakt,
                        ev.tjanstekomponent,
                        ev.rivtaprofil,
                        ev.adress,
                        start,
                        st.t,
                    ),
                )
            )
        else:
            report.inkludera["Vägval"].append(st.end_vagval(ev))
            st.changes.append(new_change)
            report.inkludera["Vägval"].append(new_line)


def build(repo: Repository, order: Order, *, user: str, platform: str, zone: tzinfo) -> Outcome:
    """Run TAK-web's phases over ``repo`` (reads only) and return the errors or the report and changes."""
    if order.genomforande is None:
        return Outcome("runtime", message="genomforandeTidpunkt is missing")
    d = order.genomforande.astimezone(zone).date()
    st = _State(d=d, t=plus_years(d, 100), user=user, repo=repo)

    # phase 1: platform
    if order.plattform != platform:
        return Outcome(
            "errors",
            errors=[PLATFORM_MISMATCH.format(order=order.plattform, instance=platform)],
        )

    report = Report(metadata=_metadata(order))
    # phase 2: duplicates, ends (exkludera components/contracts/LAs are ignored), plain objects
    _duplicates(order, st.errors)
    _exclude(order, st, report)
    _plain_objects(order, st, report)
    if st.errors:
        return Outcome("errors", errors=st.errors.list())

    # phase 3: required fields, then references and call addresses
    _required(order, st)
    if st.errors:
        return Outcome("errors", errors=st.errors.list())
    ab_keys, vv_keys = _references(order, st)
    if st.errors:
        return Outcome("errors", errors=st.errors.list())

    # phase 4: starts
    _include(order, st, report, ab_keys, vv_keys)
    if st.errors:
        return Outcome("errors", errors=st.errors.list())

    # phase 5: report
    if order.bestallnings_tidpunkt is None:
        return Outcome("runtime", message="bestallningsTidpunkt is missing")
    return Outcome("report", report=report, changes=st.changes)


def run(repo: Repository, text: str, *, user: str, platform: str, zone: tzinfo) -> Outcome:
    """Parse and build; a parse failure is an ``Outcome`` of kind ``parse``."""
    try:
        order = parse_order(text)
    except OrderParseError as exc:
        return Outcome("parse", message=str(exc))
    return build(repo, order, user=user, platform=platform, zone=zone)


def execute(db: Database, text: str, *, user: str, platform: str, zone: tzinfo, now: datetime) -> Outcome:
    """Parse, validate and, when valid, write one order in one transaction. Nothing is published."""
    try:
        with db.transaction() as conn:
            repo = SqliteRepository(conn)
            outcome = run(repo, text, user=user, platform=platform, zone=zone)
            if outcome.ok:
                repo.apply(outcome.changes, user=user, now=now.isoformat(timespec="seconds"))
            return outcome
    except (sqlite3.Error, LookupError) as exc:  # rolled back by the transaction
        return Outcome("runtime", message=str(exc))
