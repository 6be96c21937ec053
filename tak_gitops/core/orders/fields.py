"""TAK-web's field rules for orders: HSA-ids, namespaces, URLs and RIV-TA profiles as its parser accepts them.

Each check takes a value of a plan change and returns it normalised (HSA-ids upper-case) or raises
:class:`PlanFileError` naming the plan order (``where``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tak_gitops.errors import PlanFileError

URL_RE = re.compile(r"^[0-9a-zA-Z_.:/\-?&]{5,255}$")
HSA_RE = re.compile(r"^[0-9A-Z_\-]{1,255}$")
NAMESPACE_RE = re.compile(r"^[0-9a-zA-Z_.:\-]{1,255}$")
PROFILE_RE = re.compile(r"^\S{1,255}$")


def text_field(change: Mapping[str, Any], key: str, where: str) -> str:
    """The non-empty string ``change[key]``, stripped."""
    value = change.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PlanFileError(f"{where}: {change.get('action')} needs a non-empty {key!r}")
    return value.strip()


def valid_hsa_id(value: str, what: str, where: str, *, wildcard: bool = False) -> str:
    """``value`` as an upper-case HSA-id (``*`` too when ``wildcard``); ``what`` names it in the error."""
    hsa = value.strip().upper()
    if wildcard and hsa == "*":
        return hsa
    if not HSA_RE.match(hsa):
        raise PlanFileError(f"{where}: {what} {value!r} is not a valid HSA-id (letters, digits, '-', '_')")
    return hsa


def valid_namespace(value: str, where: str) -> str:
    """``value`` when TAK allows it as a contract namespace."""
    if not NAMESPACE_RE.match(value):
        raise PlanFileError(f"{where}: contract {value!r} has characters TAK does not allow in a namespace")
    return value


def valid_url(value: str, where: str) -> str:
    """``value`` when TAK-web accepts it as a routing URL."""
    if not URL_RE.match(value):
        raise PlanFileError(
            f"{where}: URL {value!r} is refused by TAK-web: 5-255 characters of [0-9a-zA-Z_.:/-?&] only"
        )
    return value


def valid_profile(value: str, where: str) -> str:
    """``value`` when it is a RIV-TA profile name (no blanks)."""
    if not PROFILE_RE.match(value):
        raise PlanFileError(f"{where}: RIV-TA profile {value!r} is not a profile name")
    return value


def routing_value(change: Mapping[str, Any], side: str, where: str) -> tuple[str, str, str]:
    """(producer, url, profile) of the ``before`` or ``after`` side of a routing change, checked."""
    value = change.get(side)
    if not isinstance(value, Mapping):
        raise PlanFileError(f"{where}: {change.get('action')} needs {side!r} with producer, url and profile")
    return (
        valid_hsa_id(text_field(value, "producer", where), "producer", where),
        valid_url(text_field(value, "url", where), where),
        valid_profile(text_field(value, "profile", where), where),
    )
