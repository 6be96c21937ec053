"""The page of one organisation: its systems with what each produces and consumes, its orders in the ledger
that are not final (state and age), and its drift."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tak_gitops.core.site import paths
from tak_gitops.core.site.lists import Section, flat, fold, inline_rows, section, short_contract
from tak_gitops.core.site.pages import address_of, by_contract, endpoints
from tak_gitops.core.site.view import EnvView, OrderInfo


@dataclass(frozen=True)
class OrderLine:
    """An order of the ledger on an organisation page, with its age."""

    order: OrderInfo
    age: str


@dataclass(frozen=True)
class SystemBlock:
    """One system on its organisation's page: what it produces and what it consumes."""

    hsa_id: str
    produced: tuple[Section, ...]
    consumed: tuple[Section, ...]


@dataclass(frozen=True)
class OrgPage:
    key: str
    name: str
    number: str
    team: str | None
    manages_env: bool
    systems: tuple[SystemBlock, ...]
    orders: tuple[OrderLine, ...]
    drift: tuple[Section, ...]


def age(since: str | None, now: dt.datetime) -> str:
    """``since`` (an ISO time stamp) to ``now`` in days and hours, ``""`` when unknown or unreadable."""
    if not since:
        return ""
    try:
        then = dt.datetime.fromisoformat(since)
    except ValueError:
        return ""
    if then.tzinfo is None:
        then = then.replace(tzinfo=dt.UTC)
    seconds = max(0, int((now - then).total_seconds()))
    days, hours = seconds // 86400, (seconds % 86400) // 3600
    return f"{days} d {hours} h" if days else f"{hours} h"


def org_page(view: EnvView, key: str, now: dt.datetime) -> OrgPage:
    """An organisation: its systems with what each produces (addresses and the consumers on them) and consumes,
    its orders in the ledger that are not final, and its drift. Long lists continue on the system page."""
    org = view.organisations[key]
    systems = view.systems_of.get(key, ())
    blocks_src = []
    n_sections = 0
    for hsa_id in systems:
        produced = by_contract(view.routings_by_producer.get(hsa_id, ()))
        consumed = by_contract(view.authorizations_by_consumer.get(hsa_id, ()))
        n_sections += 2 * len(produced) + len(consumed)
        blocks_src.append((hsa_id, produced, consumed))
    inline = max(inline_rows(n_sections + 2), 1)
    blocks = []
    for hsa_id, produced, consumed in blocks_src:
        home = paths.system_page(hsa_id)
        p_secs: list[Section] = []
        for ns, rows in produced.items():
            target = f"{home}#p-{paths.anchor(ns)}"
            p_secs.append(
                section(
                    f"{paths.anchor(hsa_id)}-p-{paths.anchor(ns)}",
                    f"{short_contract(ns)}: addresses served",
                    "routing",
                    fold(rows, address_of, view.tree),
                    inline=inline,
                    elsewhere=target,
                    extra=(ns, endpoints(rows)),  # type: ignore[arg-type]
                )[0]
            )
            served = {r.address for r in rows}  # type: ignore[attr-defined]
            on_them = [
                a for la in sorted(served) for a in view.authorizations_by_address.get(la, ()) if a.contract == ns
            ]
            on_them.sort(key=lambda a: (a.consumer, a.address))
            p_secs.append(
                section(
                    f"{paths.anchor(hsa_id)}-k-{paths.anchor(ns)}",
                    f"{short_contract(ns)}: consumers on these addresses",
                    "authorization",
                    flat(on_them),
                    inline=inline,
                    elsewhere=paths.contract_page(ns),
                    extra=(ns, ()),
                )[0]
            )
        c_secs = [
            section(
                f"{paths.anchor(hsa_id)}-c-{paths.anchor(ns)}",
                f"{short_contract(ns)}: authorized addresses",
                "authorization",
                fold(rows, address_of, view.tree),
                inline=inline,
                elsewhere=f"{home}#c-{paths.anchor(ns)}",
                extra=(ns, ()),
            )[0]
            for ns, rows in consumed.items()
        ]
        blocks.append(SystemBlock(hsa_id, tuple(p_secs), tuple(c_secs)))
    drift_r = [r for hsa_id in systems for r in view.current_only_by_system.get(hsa_id, ((), ()))[0]]
    drift_a = [a for hsa_id in systems for a in view.current_only_by_system.get(hsa_id, ((), ()))[1]]
    drift = (
        section(
            "drift-routings",
            "Routings only in the TAK",
            "routing-full",
            flat(drift_r),
            inline=inline,
            elsewhere=paths.INDEX_PAGE,
        )[0],
        section(
            "drift-authorizations",
            "Authorizations only in the TAK",
            "authorization",
            flat(drift_a),
            inline=inline,
            elsewhere=paths.INDEX_PAGE,
        )[0],
    )
    orders = tuple(OrderLine(o, age(o.submitted_at, now)) for o in view.orders if o.org == key)
    return OrgPage(
        key=key,
        name=org.name,
        number=org.number,
        team=org.team,
        manages_env=key in view.managing,
        systems=tuple(blocks),
        orders=orders,
        drift=drift,
    )
