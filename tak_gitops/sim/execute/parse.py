"""Reading the BS JSON into an :class:`~tak_gitops.sim.execute.order.Order` as strictly as TAK-web's Jackson
mapper (``BestallningService.buildJsonBestallning``): unknown keys, bad time stamps and malformed JSON fail."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from tak_gitops.sim.execute.order import BehorighetItem, Order, OrderParseError, PlainItem, Section, VagvalItem

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

_N = TypeVar("_N", int, float)
_T = TypeVar("_T")

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


def _number(value: Any, where: str, kind: type[_N]) -> _N:
    """Jackson's coercion to ``int``/``float``: null is 0, a number is converted, a numeric string is parsed."""
    if value is None:
        return kind(0)
    if isinstance(value, bool):
        raise OrderParseError(f"{where}: expected a number")
    if isinstance(value, int | float):
        return kind(value)
    if isinstance(value, str):
        try:
            return kind(value.strip())
        except ValueError as exc:
            raise OrderParseError(f"{where}: expected a number") from exc
    raise OrderParseError(f"{where}: expected a number")


def _list(
    sec: dict[str, Any], key: str, allowed: frozenset[str], where: str, make: Callable[[dict[str, Any], str], _T]
) -> tuple[_T, ...]:
    """The items of ``sec[key]``, each an object with only ``allowed`` keys, made by ``make(item, where)``."""
    out = []
    for i, raw in enumerate(_items(sec, key, where)):
        w = f"{where}.{key}[{i}]"
        out.append(make(_check_keys(raw, allowed, w), w))
    return tuple(out)


def cleanup_string(value: str | None) -> str:
    """``JsonUtils.cleanupString``: trimmed as Java trims, a newline becomes a space, carriage returns go, and a
    text over 255 characters is cut to 254; null becomes ``""``.

    TAK-web's ``/rest/create`` maps the order twice (``parseAndFormatJson`` writes it back out, with every field,
    then ``buildBestallningsData`` reads that), so a field the order leaves out reaches the setter as null too."""
    if value is None:
        return ""
    text = _java_trim(value).replace("\n", " ").replace("\r", "")
    return text[:254] if len(text) > 255 else text


def _java_trim(value: str) -> str:
    """``String.trim``: strips the characters up to U+0020 from both ends (not other Unicode spaces)."""
    start, end = 0, len(value)
    while start < end and value[start] <= " ":
        start += 1
    while end > start and value[end - 1] <= " ":
        end -= 1
    return value[start:end]


def _hsa_item(item: dict[str, Any], w: str) -> PlainItem:
    return PlainItem(cleanup_string(_string(item.get("hsaId"), w)), cleanup_string(_string(item.get("beskrivning"), w)))


def _contract_item(item: dict[str, Any], w: str) -> PlainItem:
    return PlainItem(
        cleanup_string(_string(item.get("namnrymd"), w)),
        cleanup_string(_string(item.get("beskrivning"), w)),
        _number(item.get("majorVersion"), w, int),
    )


def _behorighet_item(item: dict[str, Any], w: str) -> BehorighetItem:
    return BehorighetItem(
        _string(item.get("logiskAdress"), w),
        _string(item.get("tjanstekonsument"), w),
        _string(item.get("tjanstekontrakt"), w),
    )


def _vagval_item(item: dict[str, Any], w: str) -> VagvalItem:
    la = item.get("logiskadress") if "logiskadress" in item else item.get("logiskAdress")
    return VagvalItem(
        _string(la, w),
        _string(item.get("tjanstekontrakt"), w),
        _string(item.get("tjanstekomponent"), w),
        _string(item.get("rivtaprofil"), w),
        _string(item.get("adress"), w),
    )


def _section(obj: Any, where: str) -> Section:
    if obj is None:
        return Section()
    sec = _check_keys(obj, _SECTION_KEYS, where)
    # authorizations and routings are read before the plain objects: a fault there is the one named
    anropsbehorigheter = _list(sec, "anropsbehorigheter", _AB_KEYS, where, _behorighet_item)
    vagval = _list(sec, "vagval", _VAGVAL_KEYS, where, _vagval_item)
    return Section(
        logiskadresser=_list(sec, "logiskadresser", _HSA_ITEM_KEYS, where, _hsa_item),
        tjanstekomponenter=_list(sec, "tjanstekomponenter", _HSA_ITEM_KEYS, where, _hsa_item),
        tjanstekontrakt=_list(sec, "tjanstekontrakt", _CONTRACT_KEYS, where, _contract_item),
        anropsbehorigheter=anropsbehorigheter,
        vagval=vagval,
    )


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
        format_version=_number(top.get("formatVersion"), "formatVersion", float),
        version=_number(top.get("version"), "version", int),
        bestallning=stamps["bestallningsTidpunkt"],
        genomforande=stamps["genomforandeTidpunkt"],
        utforare=_string(top.get("utforare"), "utforare"),
        kommentar=cleanup_string(_string(top.get("kommentar"), "kommentar")),
        inkludera=_section(top.get("inkludera"), "inkludera"),
        exkludera=_section(top.get("exkludera"), "exkludera"),
    )
