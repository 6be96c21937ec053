"""TAK-web's ``EntityValidator`` rules for the rows an order creates (HSA-ids, namespaces, call address URLs),
with the messages of its ``messages.properties``.

The values reach these rules cleaned (``JsonUtils.cleanupString``: trimmed, at most 255 characters), so the length
rules can only find an empty value. ``rejectIfWrongLength`` names an empty value with the ``empty`` code instead of
``invalid.length``; ``ValidationUtils.rejectIfEmptyOrWhitespace`` never fires in an order, because
``BestallningEntityErrors.getFieldValue`` answers the ``Field`` object, not the value."""

from __future__ import annotations

import re

_HSA_RE = re.compile(r"[0-9a-zA-Z_\-]*")
_NS_RE = re.compile(r"[0-9a-zA-Z_.:\-]*")
_URL_RE = re.compile(r"[0-9a-zA-Z_.:/\-?&]*")


def _length(value: str, low: int, high: int, empty: str, wrong: str) -> list[str]:
    if low <= len(value) <= high:
        return []
    return [empty if value == "" else wrong]


def validate_hsa(value: str, *, allow_star: bool) -> list[str]:
    """``validateLogiskAdress`` (``allow_star``: ``*`` passes the content rule) and ``validateTjanstekomponent``."""
    out = _length(value, 1, 255, "HSA-ID får inte vara tomt", "HSA-ID har felaktig längd")
    if not (allow_star and value == "*") and not _HSA_RE.fullmatch(value):
        out.append("HSA-ID har ogiltigt innehåll")
    return out


def validate_namnrymd(value: str) -> list[str]:
    """``validateTjanstekontrakt``: 1–255 characters of ``[0-9a-zA-Z_.:-]``."""
    out = _length(value, 1, 255, "Namnrymd får inte vara tom", "Namnrymd har felaktig längd")
    if not _NS_RE.fullmatch(value):
        out.append("Namnrymd har ogiltigt innehåll")
    return out


def validate_beskrivning(value: str) -> list[str]:
    """The description rule of the three: at most 255 characters."""
    return _length(value, 0, 255, "", "Beskrivning har felaktig längd")


def validate_adress(value: str) -> list[str]:
    """``validateAnropsadress``: ``[0-9a-zA-Z_.:/\\-?&]*`` of 5–255 characters; an empty URL gives the one
    ``empty`` message (``Adress får inte vara tom``), a blank one the content and the length messages."""
    out = [] if _URL_RE.fullmatch(value) else ["Adress har ogiltigt innehåll"]
    return out + _length(value, 5, 255, "Adress får inte vara tom", "Adress har felaktig längd")
