"""The header of an order: ``kommentar`` (the desired comment and the trace back to the change), time stamps
in the only form TAK-web parses, and the execution date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tak_gitops.core.config import OrderConfig
from tak_gitops.errors import ConfigError, PlanFileError

KOMMENTAR_MAX = 254
GENOMFORANDE_HOUR = 12
"""TAK-web keeps only the date of ``genomforandeTidpunkt``, read in its own JVM time zone: noon local time
keeps that date the same in every time zone within ±11 hours."""


@dataclass(frozen=True)
class OrderMeta:
    """Where an apply comes from: the pull request and the commit of the desired state (both optional)."""

    pr_url: str | None = None
    commit: str | None = None


def format_timestamp(moment: dt.datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ss+hhmm``, the only offset form TAK-web's parser accepts (no colon, no ``Z``)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("order time stamps need a time zone")
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def clean_kommentar(text: str) -> str:
    """What TAK-web keeps of a comment: newlines removed, blanks collapsed, trimmed."""
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


def build_kommentar(comment: str | None, meta: OrderMeta, order_config: OrderConfig, ref: str) -> str:
    """The order's ``kommentar``: the desired comment, the PR, the commit, the orderer and the order reference
    (``tak-gitops <first 10 hex digits of the idempotency key>``, which ``orders show`` accepts).

    At most 254 characters: when too long, the desired comment is shortened (with ``…``); the trace (PR,
    commit, orderer, order id) is kept whole because the desk's ticket must lead back to the change.
    """
    trace: list[str] = []
    if meta.pr_url:
        trace.append(f"PR {meta.pr_url}")
    if meta.commit:
        trace.append(f"commit {meta.commit[:12]}")
    person = order_config.orderer
    if person is not None:
        who = ", ".join(p for p in (person.name, person.email, person.phone) if p)
        trace.append(f"beställare {who}")
    trace.append(f"tak-gitops {ref}")
    tail = clean_kommentar(" | ".join(trace))
    head = clean_kommentar(comment or "")
    if not head:
        return tail[:KOMMENTAR_MAX]
    room = KOMMENTAR_MAX - len(tail) - len(" | ")
    if room <= 1:
        return tail[:KOMMENTAR_MAX]
    if len(head) > room:
        head = head[: room - 1].rstrip() + "…"
    return f"{head} | {tail}"


def execution_date(change_date: str | None, today: dt.date, where: str) -> dt.date:
    """The order's start date D: the desired change date, or today when none is set or it has passed."""
    if not change_date:
        return today
    try:
        wanted = dt.date.fromisoformat(change_date)
    except ValueError as exc:
        raise PlanFileError(f"{where}: change_date {change_date!r} is not a date (YYYY-MM-DD)") from exc
    return max(wanted, today)


def order_zone(order_config: OrderConfig) -> ZoneInfo:
    try:
        return ZoneInfo(order_config.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"orders.timezone {order_config.timezone!r} is not a known time zone") from exc
