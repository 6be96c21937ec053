"""Grouping planned changes into orders and waves.

Each order targets one system of one organisation. Waves follow the dependency order a person at the service
desk can follow: 1 producer orders (new logical addresses, systems and contracts, routing adds and changes,
grants for other organisations' consumers), 2 consumer orders (authorization adds, a grant's too when the
consumer's organisation is planned and wants it: an authorization belongs to its consumer's owner), 3
authorization removals, 4 routing removals. A removal of an
authorization therefore always comes before the removal of the routing it relies on, and every addition
before anything that depends on it. New logical addresses, systems and contracts are listed in every order
that refers to them (TAK-web needs them in the same order and skips the ones that exist already).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tak_gitops.core.desired import OrgEnvironment
from tak_gitops.core.plan.model import WAVE_OF_KIND, Change, Order


@dataclass(frozen=True)
class Placed:
    """A planned change and where it goes: organisation, order kind, target system."""

    org: str
    kind: str
    system: str
    change: Change


def build_orders(
    placed: Iterable[Placed],
    *,
    org_envs: Mapping[str, OrgEnvironment],
    new_addresses: Mapping[str, str],
    new_systems: Mapping[str, str],
    new_contracts: Mapping[str, tuple[str, int]],
    forstudie: Mapping[tuple[str, str, str], tuple[str, ...]] | None = None,
) -> tuple[Order, ...]:
    """Group changes into orders, add the prerequisites each order needs, sort everything by explicit keys."""
    groups: dict[tuple[str, str, str], set[Change]] = {}
    for p in placed:
        groups.setdefault((p.kind, p.org, p.system), set()).add(p.change)
    orders = []
    for (kind, org, system), changes in groups.items():
        extra: set[Change] = set()
        for c in changes:
            if c.action in ("add-routing", "change-routing"):
                la, ns = c.key
                systems = [c.after[0]] if c.after is not None else []
            elif c.action == "add-authorization":
                consumer, la, ns = c.key
                systems = [consumer]
            else:
                continue
            if la in new_addresses:
                extra.add(Change("add-logical-address", (la,), description=new_addresses[la]))
            for s in systems:
                if s in new_systems:
                    extra.add(Change("add-system", (s,), description=new_systems[s]))
            if ns in new_contracts:
                desc, major = new_contracts[ns]
                extra.add(Change("add-contract", (ns,), description=desc, major=major))
        wave = WAVE_OF_KIND[kind]
        oe = org_envs.get(org)
        orders.append(
            Order(
                id=f"w{wave}-{org}-{kind}-{system}",
                wave=wave,
                kind=kind,
                org=org,
                system=system,
                comment=with_forstudie(oe.comment if oe else None, (forstudie or {}).get((kind, org, system), ())),
                change_date=oe.change_date.isoformat() if oe and oe.change_date else None,
                changes=tuple(sorted(changes | extra, key=lambda c: c.sort_key)),
            )
        )
    orders.sort(key=lambda o: (o.wave, o.id))
    return tuple(orders)


def with_forstudie(comment: str | None, tickets: tuple[str, ...]) -> str | None:
    """The order's comment led by the feasibility-study tickets of its first connections (those the comment does not
    already name), as Beställningsstödet carries the ticket in the order's "Övrig information"."""
    new = [t for t in tickets if comment is None or t not in comment]
    if not new:
        return comment
    head = "Förstudie " + ", ".join(new)
    return f"{head}: {comment}" if comment else head
