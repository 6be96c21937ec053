"""TAK-web's ``EntityValidator`` rules for the rows an order creates: HSA-ids, namespaces, descriptions and call
address URLs, with the messages its ``messages.properties`` gives."""

from __future__ import annotations

import re

_HSA_RE = re.compile(r"[0-9a-zA-Z_\-]*")
_NS_RE = re.compile(r"[0-9a-zA-Z_.:\-]*")
_URL_RE = re.compile(r"[0-9a-zA-Z_.:/\-?&]*")


def validate_hsa(value: str | None, *, allow_star: bool) -> list[str]:
    """A logical address (``allow_star``: ``*`` passes) or component HSA-id: not blank, at most 255 characters."""
    if value is None or value.strip() == "":
        return ["HSA-ID får inte vara tomt"]
    out = []
    if len(value) > 255:
        out.append("HSA-ID har felaktig längd")
    if not (allow_star and value == "*") and not _HSA_RE.fullmatch(value):
        out.append("HSA-ID har ogiltigt innehåll")
    return out


def validate_namnrymd(value: str | None) -> list[str]:
    """A contract namespace: not blank, at most 255 characters, ``[0-9a-zA-Z_.:-]*``."""
    if value is None or value.strip() == "":
        return ["Namnrymd får inte vara tom"]
    out = []
    if len(value) > 255:
        out.append("Namnrymd har felaktig längd")
    if not _NS_RE.fullmatch(value):
        out.append("Namnrymd har ogiltigt innehåll")
    return out


def validate_beskrivning(value: str | None) -> list[str]:
    """A description: at most 255 characters."""
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
