"""The order builder: a plan's orders as BS JSON order documents ("JSON-beställning") that TAK-web executes.

Pure: a plan document (the dict of ``docs/plan-format.md``), the order settings, the environment settings,
the time of building and the pull request / commit → one :class:`BuiltOrder` per plan order, in plan order
(wave, then id). Each document has exactly the keys TAK-web's parser accepts (unknown keys fail a whole
order), all five arrays in both sections, upper-case HSA-ids and time stamps ``yyyy-MM-ddTHH:mm:ss+hhmm``.
The idempotency key of an order is ``sha256`` of the canonical JSON of (environment, plattform, inkludera,
exkludera): it covers what the order does and where, never when it was built.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tak_gitops.core.canonical import digest
from tak_gitops.core.config import EnvironmentConfig, OrderConfig
from tak_gitops.core.orders.fields import routing_value, text_field, valid_hsa_id
from tak_gitops.core.orders.header import (
    GENOMFORANDE_HOUR,
    OrderMeta,
    build_kommentar,
    execution_date,
    format_timestamp,
    order_zone,
)
from tak_gitops.core.orders.sections import collect_new_objects, fill_order
from tak_gitops.errors import PlanFileError

_ID_SAFE = re.compile(r"[^0-9A-Za-z._-]+")


@dataclass(frozen=True)
class BuiltOrder:
    """One BS JSON order and what identifies it.

    ``order_id`` is ``<plan order id>-<first 10 hex digits of the key>``: readable, unique per content, a file name.
    """

    order_id: str
    idempotency_key: str
    env: str
    plattform: str
    plan_order_id: str
    wave: int
    org: str
    system: str
    kind: str
    document: dict[str, Any]
    previous: tuple[tuple[str, str, str, str, str], ...] = ()
    """For each changed routing, what it was when planned: (address, contract, producer, url, profile).
    Reconcile reads a routing still at this value as "waiting", not as "diverged"."""


def idempotency_key(env: str, plattform: str, inkludera: Mapping[str, Any], exkludera: Mapping[str, Any]) -> str:
    """``sha256:`` of canonical JSON of (env, plattform, inkludera, exkludera): no time stamps, no comment."""
    return digest({"env": env, "plattform": plattform, "inkludera": inkludera, "exkludera": exkludera})


def _previous(order: Mapping[str, Any], where: str) -> tuple[tuple[str, str, str, str, str], ...]:
    out = []
    for change in order.get("changes") or ():
        if change.get("action") == "change-routing" and isinstance(change.get("before"), Mapping):
            address = valid_hsa_id(text_field(change, "address", where), "logical address", where, wildcard=True)
            producer, url, profile = routing_value(change, "before", where)
            out.append((address, text_field(change, "contract", where), producer, url, profile))
    return tuple(sorted(out))


def _safe_id(text: str) -> str:
    return _ID_SAFE.sub("-", text).strip("-") or "order"


def build_orders(
    plan: Mapping[str, Any],
    order_config: OrderConfig,
    env_config: EnvironmentConfig,
    *,
    now: dt.datetime,
    meta: OrderMeta | None = None,
) -> list[BuiltOrder]:
    """Build one BS JSON order per plan order with changes, in wave order then plan order id."""
    meta = meta or OrderMeta()
    env = plan.get("environment")
    if not isinstance(env, str) or not env:
        raise PlanFileError("the plan names no environment")
    plattform = env_config.plattform
    if plan.get("plattform") not in (None, plattform):
        raise PlanFileError(
            f"the plan targets plattform {plan.get('plattform')!r} but environment {env} is configured with "
            f"plattform {plattform!r}"
        )
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    zone = order_zone(order_config)
    local_now = now.astimezone(zone)
    ordered = sorted(plan.get("orders") or (), key=lambda o: (int(o.get("wave") or 0), str(o.get("id"))))
    new = collect_new_objects(ordered)
    built: list[BuiltOrder] = []
    for order in ordered:
        plan_id = str(order.get("id") or "")
        where = f"plan order {plan_id}"
        if not plan_id:
            raise PlanFileError("a plan order has no id")
        if not order.get("changes"):
            continue
        sections = fill_order(order, where, new)
        inkludera, exkludera = sections.sorted_sections()
        key = idempotency_key(env, plattform, inkludera, exkludera)
        ref = key.removeprefix("sha256:")[:10]
        order_id = f"{_safe_id(plan_id)}-{ref}"
        day = execution_date(order.get("change_date"), local_now.date(), where)
        start = dt.datetime(day.year, day.month, day.day, GENOMFORANDE_HOUR, tzinfo=zone)
        document: dict[str, Any] = {
            "plattform": plattform,
            "formatVersion": 1.0,
            "version": 1,
            "bestallningsTidpunkt": format_timestamp(local_now.replace(microsecond=0)),
            "genomforandeTidpunkt": format_timestamp(start),
            "utforare": order_config.utforare,
            "kommentar": build_kommentar(order.get("comment"), meta, order_config, ref),
            "inkludera": inkludera,
            "exkludera": exkludera,
        }
        built.append(
            BuiltOrder(
                order_id=order_id,
                idempotency_key=key,
                env=env,
                plattform=plattform,
                plan_order_id=plan_id,
                wave=int(order.get("wave") or 0),
                org=str(order.get("org") or ""),
                system=str(order.get("system") or ""),
                kind=str(order.get("kind") or ""),
                document=document,
                previous=_previous(order, where),
            )
        )
    return built
