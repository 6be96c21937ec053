"""The latest plan as a page: its orders by wave, each change with links to the pages of what it touches, and
the cascades, manual steps, pending orders, warnings, errors and refusals. Reads the plan document only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from tak_gitops.core.site import paths
from tak_gitops.core.site.lists import Section, flat, inline_rows, section, short_contract
from tak_gitops.core.site.paths import Links

LABELS = {
    "add-logical-address": ("+", "new logical address"),
    "add-system": ("+", "new system"),
    "add-contract": ("+", "new contract"),
    "add-routing": ("+", "add routing"),
    "change-routing": ("~", "change routing"),
    "remove-routing": ("-", "remove routing"),
    "add-authorization": ("+", "add authorization"),
    "remove-authorization": ("-", "remove authorization"),
}


@dataclass(frozen=True)
class Change:
    """One line of an order: what it does, in words, and the pages of what it touches (label, path)."""

    anchor: str
    symbol: str
    action: str
    text: str
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ImpactCall:
    """One call whose answer the plan changes (the plan's ``impact``): how it changes, before and after."""

    kind: str
    consumer: str
    contract: str
    address: str
    before: str
    after: str
    direct: bool


@dataclass(frozen=True)
class PlanOrder:
    order_id: str
    wave: int
    org: str
    org_link: str | None
    system: str
    system_link: str | None
    kind: str
    comment: str
    changes: Section


@dataclass(frozen=True)
class PlanPage:
    env: str
    status: str
    checksum: str
    inputs: tuple[tuple[str, str], ...]
    summary: tuple[tuple[str, int], ...]
    orders: tuple[PlanOrder, ...]
    cascades: tuple[Mapping[str, Any], ...]
    manual_steps: tuple[Mapping[str, Any], ...]
    pending: tuple[Mapping[str, Any], ...]
    messages: tuple[tuple[str, str], ...]
    """(severity, text) for refusals, errors and warnings."""
    impact: Section | None = None
    impact_counts: tuple[tuple[str, int], ...] = ()


def _change(order_id: str, n: int, change: Mapping[str, Any], links: Links) -> Change:
    action = str(change.get("action", ""))
    symbol, label = LABELS.get(action, ("?", action))
    found: list[tuple[str, str | None]] = []
    if action in ("add-logical-address", "add-system"):
        hsa = str(change.get("hsa_id", ""))
        text = f'{hsa} "{change.get("description", "")}"'
        found.append((hsa, links.address(hsa) if action == "add-logical-address" else links.system(hsa)))
    elif action == "add-contract":
        ns = str(change.get("namespace", ""))
        text = f"{ns} (major {change.get('major', '')})"
        found.append((short_contract(ns), links.contract(ns)))
    else:
        address, ns = str(change.get("address", "")), str(change.get("contract", ""))
        found += [(address, links.address(address)), (short_contract(ns), links.contract(ns))]
        if "consumer" in change:
            consumer = str(change["consumer"])
            text = f"{consumer} on {address} for {short_contract(ns)}"
            found.append((consumer, links.system(consumer)))
        else:
            text = f"{address} {short_contract(ns)}"
            for side in ("before", "after"):
                value = change.get(side)
                if isinstance(value, Mapping):
                    producer = str(value.get("producer", ""))
                    found.append((producer, links.system(producer)))
            after, before = change.get("after"), change.get("before")
            if isinstance(after, Mapping) and isinstance(before, Mapping):
                moved = [f"{k}: {before.get(k)} -> {after.get(k)}" for k in change.get("changed") or ()]
                text += " (" + "; ".join(moved) + ")"
            elif isinstance(after, Mapping):
                text += f" -> {after.get('producer')} {after.get('profile')} {after.get('url')}"
            elif isinstance(before, Mapping):
                text += f" (was {before.get('producer')} {before.get('profile')} {before.get('url')})"
    unique: dict[tuple[str, str], None] = {}
    for lab, path in found:
        if path is not None:
            unique[(lab, path)] = None
    return Change(f"{paths.anchor(order_id)}-{n}", symbol, label, text, tuple(unique))


def _answer(value: object, with_url: bool = False) -> str:
    if not isinstance(value, Mapping):
        return ""
    if value.get("outcome") == "works":
        return f"works → {value.get('producer')}" + (f" {value.get('url')}" if with_url else "")
    return str(value.get("outcome", ""))


def _impact(doc: Mapping[str, Any], inline: int) -> tuple[Section | None, list[tuple[str, str, Section]]]:
    impact = doc.get("impact")
    if not isinstance(impact, Mapping):
        return None, []
    calls = [
        ImpactCall(
            kind=str(c.get("kind", "")),
            consumer=str(c.get("consumer", "")),
            contract=str(c.get("contract", "")),
            address=str(c.get("address", "")),
            before=_answer(c.get("before"), c.get("kind") == "moves"),
            after=_answer(c.get("after"), c.get("kind") == "moves"),
            direct=bool(c.get("direct")),
        )
        for c in impact.get("calls") or ()
        if isinstance(c, Mapping)
    ]
    title = "Calls whose answer changes"
    sec, pages = section(
        "impact",
        title,
        "impact",
        flat(calls),
        inline=inline,
        page=paths.PLAN_PAGE,
        continuation=partial(paths.continuation_page, paths.PLAN_PAGE, "impact"),
    )
    return sec, [(sec.more[n - 2], title, Section(sec.anchor, title, "impact", g, sec.total)) for n, g in pages]


def plan_page(doc: Mapping[str, Any], links: Links) -> tuple[PlanPage, list[tuple[str, str, Section]]]:
    """The page model of a plan document, and the continuation pages of orders too long for it."""
    orders_doc: Sequence[Mapping[str, Any]] = doc.get("orders") or ()
    inline = max(inline_rows(len(orders_doc) + 1), 1)
    impact, more_impact = _impact(doc, inline)
    more: list[tuple[str, str, Section]] = []
    orders = []
    for o in orders_doc:
        oid = str(o.get("id", ""))
        changes = [_change(oid, n, c, links) for n, c in enumerate(o.get("changes") or (), start=1)]
        sec, pages = section(
            paths.anchor(oid),
            oid,
            "change",
            flat(changes),
            inline=inline,
            page=paths.PLAN_PAGE,
            continuation=partial(paths.continuation_page, paths.PLAN_PAGE, oid),
        )
        more += [(sec.more[n - 2], oid, Section(sec.anchor, oid, "change", g, sec.total)) for n, g in pages]
        org, system = str(o.get("org", "")), str(o.get("system", ""))
        orders.append(
            PlanOrder(
                order_id=oid,
                wave=int(o.get("wave", 0)),
                org=org,
                org_link=links.org(org),
                system=system,
                system_link=links.system(system),
                kind=str(o.get("kind", "")),
                comment=str(o.get("comment") or ""),
                changes=sec,
            )
        )
    inputs = doc.get("inputs") or {}
    messages = [("refused", str(r.get("message", r))) for r in doc.get("refusals") or ()]
    messages += [("error", str(e.get("message", e))) for e in doc.get("errors") or ()]
    messages += [("warning", str(w.get("message", w))) for w in doc.get("warnings") or ()]
    page = PlanPage(
        env=str(doc.get("environment", "")),
        status=str(doc.get("status", "")),
        checksum=str(doc.get("checksum", "")),
        inputs=tuple((str(k), str(v)) for k, v in sorted(inputs.items())),
        summary=tuple((str(k), int(v)) for k, v in sorted((doc.get("summary") or {}).items())),
        orders=tuple(orders),
        cascades=tuple(doc.get("cascades") or ()),
        manual_steps=tuple(doc.get("manual_steps") or ()),
        pending=tuple(doc.get("pending") or ()),
        messages=tuple(messages),
        impact=impact,
        impact_counts=tuple(
            (str(k), int(v)) for k, v in sorted(((doc.get("impact") or {}).get("counts") or {}).items())
        ),
    )
    return page, more + more_impact
